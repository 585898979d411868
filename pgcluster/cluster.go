package pgcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the name of the cluster's superuser, made by initdb.
const Superuser = "aigateway"

// startAttempts bounds how often Start picks a new port when the one it
// picked was taken between the check and the start.
const startAttempts = 3

// Options configures a cluster.
type Options struct {
	// Dir is the cluster's folder. It holds the data folder, the Unix socket
	// and the server log, and is created when missing. Required.
	Dir string
	// BinDir holds initdb and pg_ctl. Default: FindBinaries.
	BinDir string
	// Database is the database that Start creates and URL names. Default:
	// "aigateway".
	Database string
	// Ephemeral trades durability for speed (no fsync), for test clusters.
	Ephemeral bool
	// Logger receives progress lines. Default: discard.
	Logger *slog.Logger
}

// Cluster is a running private Postgres cluster.
type Cluster struct {
	opts    Options
	runner  runner
	dataDir string
	port    int
	adopted bool
}

// Start initialises the cluster's data folder when it is new, starts the
// server on a free loopback port, and creates the database. A server left
// running by an earlier process on the same folder is adopted as it is.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: no folder given")
	}
	if opts.Database == "" {
		opts.Database = "aigateway"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BinDir == "" {
		dir, err := FindBinaries()
		if err != nil {
			return nil, err
		}
		opts.BinDir = dir
	} else if err := checkBinDir(opts.BinDir); err != nil {
		return nil, err
	}

	r, err := newRunner(opts.BinDir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{opts: opts, runner: r, dataDir: filepath.Join(opts.Dir, "data")}
	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	if err := c.initdb(ctx); err != nil {
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.createDatabase(ctx); err != nil {
		_ = c.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	return c, nil
}

// URL returns the connection URL of the cluster's database.
func (c *Cluster) URL() string {
	return c.urlFor(c.opts.Database)
}

// AdminURL returns the connection URL of the cluster's postgres database,
// for creating and dropping other databases.
func (c *Cluster) AdminURL() string {
	return c.urlFor("postgres")
}

func (c *Cluster) urlFor(database string) string {
	q := url.Values{}
	q.Set("host", c.socketDir())
	q.Set("port", strconv.Itoa(c.port))
	q.Set("sslmode", "disable")
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Path:     "/" + database,
		RawQuery: q.Encode(),
	}
	return u.String()
}

// Adopted reports whether Start found the server already running, left by
// another process, rather than starting it.
func (c *Cluster) Adopted() bool {
	return c.adopted
}

// Stop shuts the server down, ending open sessions, and waits for it.
func (c *Cluster) Stop(ctx context.Context) error {
	out, err := c.runner.run(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "fast", "-w", "-t", "60")
	if err != nil {
		return fmt.Errorf("stop postgres: %w: %s", err, bytes.TrimSpace(out))
	}
	c.opts.Logger.Info("built-in postgres stopped", "dir", c.opts.Dir)
	return nil
}

// prepareDir creates the cluster's folder and hands it to the user that
// runs the server.
func (c *Cluster) prepareDir() error {
	if err := os.MkdirAll(c.opts.Dir, 0o700); err != nil {
		return fmt.Errorf("create postgres folder: %w", err)
	}
	if err := os.MkdirAll(c.socketDir(), 0o700); err != nil {
		return fmt.Errorf("create postgres socket folder: %w", err)
	}
	return c.runner.handOver(c.opts.Dir, c.socketDir())
}

func (c *Cluster) socketDir() string {
	return filepath.Join(c.opts.Dir, "run")
}

func (c *Cluster) logFile() string {
	return filepath.Join(c.opts.Dir, "postgres.log")
}

func (c *Cluster) initdb(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read postgres data folder: %w", err)
	}

	args := []string{
		"-D", c.dataDir, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--no-locale",
	}
	if c.opts.Ephemeral {
		args = append(args, "--no-sync")
	}
	c.opts.Logger.Info("initialising built-in postgres", "dir", c.dataDir)
	if out, err := c.runner.run(ctx, "initdb", args...); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, lastLines(out, 5))
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	if port, ok := c.runningPort(ctx); ok {
		c.port, c.adopted = port, true
		c.opts.Logger.Info("adopted running built-in postgres", "port", port)
		return nil
	}

	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return err
		}
		// No TCP listener: the server answers on a Unix socket in a folder
		// only its user may enter, since its users trust every connection.
		serverOpts := fmt.Sprintf("-p %d -k '%s' -c listen_addresses=''", port, c.socketDir())
		if c.opts.Ephemeral {
			serverOpts += " -c fsync=off -c full_page_writes=off"
		}

		out, err := c.runner.run(ctx, "pg_ctl", "start", "-D", c.dataDir, "-l", c.logFile(),
			"-w", "-t", "60", "-o", serverOpts)
		if err == nil {
			c.port = port
			c.opts.Logger.Info("built-in postgres started", "port", port, "dir", c.opts.Dir)
			return nil
		}
		lastErr = fmt.Errorf("start postgres: %w: %s; server log %s", err,
			lastLines(out, 3), c.logFile())
	}
	return lastErr
}

// runningPort reports the port of a server already running on the data
// folder, read from its postmaster.pid.
func (c *Cluster) runningPort(ctx context.Context) (int, bool) {
	if _, err := c.runner.run(ctx, "pg_ctl", "status", "-D", c.dataDir); err != nil {
		return 0, false
	}
	pid, err := os.ReadFile(filepath.Join(c.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}

	// The fourth line of postmaster.pid is the port.
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return fmt.Errorf("connect to built-in postgres: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()

	var exists bool
	err = conn.QueryRow(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.opts.Database,
	).Scan(&exists)
	if err != nil {
		return fmt.Errorf("look up database %s: %w", c.opts.Database, err)
	}
	if exists {
		return nil
	}

	name := pgx.Identifier{c.opts.Database}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database %s: %w", c.opts.Database, err)
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines keeps the end of a command's output for an error message.
func lastLines(out []byte, n int) string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// waitTimeout is how long a command may run before it is killed.
const waitTimeout = 2 * time.Minute

// command builds an exec.Cmd bounded by waitTimeout.
func command(ctx context.Context, path string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	return exec.CommandContext(ctx, path, args...), cancel
}
