package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, 100
// on every Linux this runs on.
const clockTick = 10 * time.Millisecond

// child is a process the bench started: a proxy under test or fakellm.
type child struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when the process has exited
	err  error         // the exit error, once done is closed
}

// startChild starts path with args and env, its output going to
// <logDir>/<name>.log. The child gets SIGTERM should the bench die first.
func startChild(logDir, name string, env []string, path string, args ...string) (*child, error) {
	logf, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("create the log of %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logf, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// waitReady polls url until it answers 200, the child exits, or timeout
// passes.
func (c *child) waitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready (%w): %s",
				c.name, c.err, c.tail())
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %s", c.name, timeout, c.tail())
}

// tail returns the last lines of the child's log, which the caller may
// delete with its folder, and the log's name.
func (c *child) tail() string {
	b, err := os.ReadFile(c.log.Name())
	if err != nil {
		return "see " + c.log.Name()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ") + " (log " + c.log.Name() + ")"
}

// cpu returns the CPU time the child has used so far, user and system,
// from /proc/<pid>/stat: the same counters as its rusage.
func (c *child) cpu() (time.Duration, error) {
	return procCPU(c.cmd.Process.Pid)
}

// procCPU reads the CPU time of a process from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it start with the state, so utime and stime are the 12th and 13th.
	i := strings.LastIndexByte(string(b), ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("read the CPU time of process %d: unexpected stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// stop sends SIGTERM, waits up to grace for the child to exit (then kills
// it), and returns its rusage: CPU time and peak RSS over its whole life.
func (c *child) stop(grace time.Duration) (*syscall.Rusage, error) {
	defer c.log.Close()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(grace):
		_ = c.cmd.Process.Kill()
		<-c.done
		return nil, fmt.Errorf("%s did not stop within %s; killed", c.name, grace)
	}
	ru, _ := c.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var exit *exec.ExitError
	if c.err != nil && !errors.As(c.err, &exit) {
		return ru, fmt.Errorf("wait for %s: %w", c.name, c.err)
	}
	if !c.cmd.ProcessState.Success() {
		return ru, fmt.Errorf("%s exited with %s: %s", c.name, c.cmd.ProcessState, c.tail())
	}
	return ru, nil
}

// freeAddress returns a loopback address with a port free right now.
func freeAddress() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// childEnv is the bench's environment without the gateway's variables
// and without proxy settings, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "CODER_AI_GATEWAY_") ||
			strings.HasPrefix(upper, "CODER_AIBRIDGE_") || strings.HasSuffix(upper, "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// buildGateway builds the aigateway binary into dir.
func buildGateway(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "aigateway")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "./cmd/aigateway")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build aigateway (run the bench from the module root): %w", err)
	}
	return path, nil
}
