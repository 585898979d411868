package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// SystemUser is the account the server binaries run as when the caller is
// root.
const SystemUser = "postgres"

// runner runs the server binaries, as the postgres system user when the
// process is root.
type runner struct {
	binDir string
	cred   *syscall.Credential
}

func newRunner(binDir string) (runner, error) {
	r := runner{binDir: binDir}
	if os.Geteuid() != 0 {
		return r, nil
	}

	u, err := user.Lookup(SystemUser)
	if err != nil {
		return r, fmt.Errorf("running as root needs the %s system user, "+
			"which the Debian package postgresql creates: %w", SystemUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return r, fmt.Errorf("read uid of %s: %w", SystemUser, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return r, fmt.Errorf("read gid of %s: %w", SystemUser, err)
	}
	r.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return r, nil
}

// run runs one binary and returns its combined output. The child gets its
// own process group, so that a Ctrl-C meant for the gateway does not reach
// the Postgres server before the gateway has drained.
func (r runner) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd, cancel := command(ctx, filepath.Join(r.binDir, name), args...)
	defer cancel()

	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: r.cred}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if r.cred != nil {
		// The child's working folder must be one it may enter.
		cmd.Dir = "/"
	}
	return cmd.CombinedOutput()
}

// handOver gives the folders to the user that runs the server, after
// checking that this user can reach them.
func (r runner) handOver(dirs ...string) error {
	if r.cred == nil {
		return nil
	}
	for _, dir := range dirs {
		if err := checkReachable(dir, r.cred.Uid); err != nil {
			return err
		}
		if err := os.Chown(dir, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
			return fmt.Errorf("hand %s to %s: %w", dir, SystemUser, err)
		}
	}
	return nil
}

// checkReachable fails when a folder above dir is closed to the user uid,
// as /root and private temporary folders are to anyone but root.
func checkReachable(dir string, uid uint32) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", dir, err)
	}
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("check %s: %w", p, err)
		}
		st, _ := info.Sys().(*syscall.Stat_t)
		ownedOpen := st != nil && st.Uid == uid && info.Mode().Perm()&0o100 != 0
		if info.Mode().Perm()&0o001 == 0 && !ownedOpen {
			return fmt.Errorf("the %s user cannot reach %s because %s is closed to "+
				"other users; choose a data directory outside it (as root the default "+
				"is /var/lib/aigateway)", SystemUser, dir, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
