// Package dbtest gives each test a Postgres database of its own, cloned from
// a template database that holds every migration.
//
// The Postgres server is, in order: the one named by TEST_DATABASE_URL; the
// one on 127.0.0.1:5432 when it answers; or a private cluster that the
// package starts for the test binary and that Main stops at the end.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/aigateway/aigateway/migrations"
	"github.com/aigateway/aigateway/pgcluster"
	"github.com/aigateway/aigateway/store"
)

// EnvURL names the environment variable that points the tests at a Postgres
// server. The URL's user must be allowed to create databases.
const EnvURL = "TEST_DATABASE_URL"

// localURL is the machine's own Postgres, tried when EnvURL is unset.
const localURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=2"

var server struct {
	once     sync.Once
	err      error
	adminURL string
	admin    *pgxpool.Pool
	cluster  *pgcluster.Cluster
	tmpDir   string
	template string
}

// Main runs the tests of a package and then stops the private cluster, if
// one was started. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shutdown()
	os.Exit(code)
}

// MainLeakChecked is Main that also fails the run when goroutines are left
// running after the tests and the package's own shutdown, as
// goleak.VerifyTestMain does.
func MainLeakChecked(m *testing.M, opts ...goleak.Option) {
	code := m.Run()
	shutdown()
	if code == 0 {
		if err := goleak.Find(opts...); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: goroutines left after the tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

func shutdown() {
	if server.admin != nil {
		server.admin.Close()
	}
	if server.cluster != nil {
		_ = server.cluster.Stop(context.Background())
		_ = os.RemoveAll(server.tmpDir)
	}
}

// NewStore returns a store on a new migrated database, closed and dropped
// when the test ends.
func NewStore(t testing.TB) *store.Store {
	t.Helper()

	st, err := store.Open(t.Context(), NewURL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// NewURL returns the URL of a new migrated database, dropped when the test
// ends.
func NewURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, true)
}

// NewEmptyURL returns the URL of a new database without any migration,
// dropped when the test ends.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, false)
}

// AdminURL returns the URL of the server's maintenance database, for tests
// that need to act on the server itself.
func AdminURL(t testing.TB) string {
	t.Helper()
	connect(t)
	return server.adminURL
}

func newDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	connect(t)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	name := "aigw_test_" + randomSuffix()
	query := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if migrated {
		query += " TEMPLATE " + pgx.Identifier{server.template}.Sanitize()
	}
	if _, err := server.admin.Exec(ctx, query); err != nil {
		t.Fatalf("create test database: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		drop := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)"
		if _, err := server.admin.Exec(ctx, drop); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(server.adminURL, name)
}

func connect(t testing.TB) {
	t.Helper()
	server.once.Do(func() { server.err = setUp() })
	if server.err != nil {
		t.Fatalf("dbtest: %v", server.err)
	}
}

func setUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	adminURL, err := findServer(ctx)
	if err != nil {
		return err
	}
	server.adminURL = adminURL

	server.admin, err = pgxpool.New(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("open admin pool: %w", err)
	}
	server.template, err = ensureTemplate(ctx)
	return err
}

func findServer(ctx context.Context) (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil
	}
	if conn, err := pgx.Connect(ctx, localURL); err == nil {
		_ = conn.Close(ctx)
		return localURL, nil
	}

	// A folder under /tmp, unlike one under t.TempDir, is reachable by the
	// postgres user that the cluster runs as when the tests run as root.
	dir, err := os.MkdirTemp("", "aigateway-dbtest-")
	if err != nil {
		return "", fmt.Errorf("create cluster folder: %w", err)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("start private postgres: %w", err)
	}
	server.cluster, server.tmpDir = c, dir
	return c.AdminURL(), nil
}

// ensureTemplate creates, once per set of migrations, a database that holds
// every migration. It is built under a temporary name and renamed when
// complete, so that a failed build never leaves a half-made template.
func ensureTemplate(ctx context.Context) (string, error) {
	digest, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	name := "aigw_template_" + digest

	conn, err := server.admin.Acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("acquire admin connection: %w", err)
	}
	defer conn.Release()

	// Test binaries of several packages run at once: one builds the
	// template while the others wait.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", store.LockTestTemplate); err != nil {
		return "", fmt.Errorf("lock template: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)",
			store.LockTestTemplate)
	}()

	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
		name).Scan(&exists)
	if err != nil || exists {
		return name, err
	}

	building := name + "_building"
	ident := pgx.Identifier{building}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	if err := migrate(ctx, withDatabase(server.adminURL, building)); err != nil {
		return "", err
	}

	rename := "ALTER DATABASE " + ident + " RENAME TO " + pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, rename); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func migrate(ctx context.Context, url string) error {
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx)
}

// migrationsDigest names the template after the migrations it holds, so
// that a changed migration gets a new template.
func migrationsDigest() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// The URL was already used to connect, so it parses.
		panic(fmt.Sprintf("dbtest: parse url: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
