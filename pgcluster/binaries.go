package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
)

// ErrBinariesMissing means that no Postgres server binaries were found.
var ErrBinariesMissing = errors.New(
	"postgres server binaries (initdb, pg_ctl) not found: " +
		"install the Debian package postgresql (apt-get install postgresql)")

// FindBinaries returns the folder that holds initdb and pg_ctl: the newest
// /usr/lib/postgresql/<version>/bin, or else the folder of initdb on PATH.
func FindBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		return majorVersion(dirs[i]) > majorVersion(dirs[j])
	})
	for _, dir := range dirs {
		if hasBinaries(dir) {
			return dir, nil
		}
	}

	if initdb, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(initdb); hasBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrBinariesMissing
}

func hasBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// majorVersion reads the version from /usr/lib/postgresql/<version>/bin.
func majorVersion(binDir string) int {
	v, err := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	if err != nil {
		return -1
	}
	return v
}

// checkBinDir reports a missing binary folder in the same words as
// FindBinaries.
func checkBinDir(dir string) error {
	if !hasBinaries(dir) {
		return fmt.Errorf("%s: %w", dir, ErrBinariesMissing)
	}
	return nil
}
