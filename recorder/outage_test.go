package recorder_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/recorder"
	"github.com/aigateway/aigateway/store"
)

// outage is a test database whose connections can be refused and cut, as if
// its Postgres were down.
type outage struct {
	*fixture
	admin *pgx.Conn
	name  string
}

func setupOutage(t *testing.T) *outage {
	t.Helper()

	ctx := t.Context()
	dbURL := dbtest.NewURL(t)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)

	st, err := store.Open(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(st.Close)

	admin, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	require.NoError(t, err)
	o := &outage{fixture: setupStore(t, st), admin: admin, name: strings.TrimPrefix(u.Path, "/")}

	// Registered before the recorder's cleanup, this runs after it.
	t.Cleanup(func() {
		o.up(t)
		_ = admin.Close(context.Background())
	})
	return o
}

// down refuses new connections to the database and ends the open ones.
func (o *outage) down(t *testing.T) {
	t.Helper()

	ctx := t.Context()
	ident := pgx.Identifier{o.name}.Sanitize()
	_, err := o.admin.Exec(ctx, "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS false")
	require.NoError(t, err)
	_, err = o.admin.Exec(ctx,
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", o.name)
	require.NoError(t, err)
}

// up accepts connections to the database again.
func (o *outage) up(t *testing.T) {
	t.Helper()

	ident := pgx.Identifier{o.name}.Sanitize()
	_, err := o.admin.Exec(context.Background(), "ALTER DATABASE "+ident+" ALLOW_CONNECTIONS true")
	require.NoError(t, err)
}

func TestPostgresOutage(t *testing.T) {
	t.Parallel()

	const n = 20
	o := setupOutage(t)
	r := o.recorder(t, recorder.Options{
		FlushInterval: time.Millisecond, RetryBackoff: 5 * time.Millisecond,
		MaxRetryBackoff: 20 * time.Millisecond,
	})
	r.Start(t.Context())

	o.down(t)
	for i := range n {
		r.Record(o.interception(i))
	}
	// The first write meets a connection cut, the second a refusal.
	o.logs.wait(t, "write interceptions")
	o.logs.wait(t, "write interceptions")

	// The writer kept its batch and the queue while Postgres was away.
	o.up(t)
	closeWithin(t, r)
	require.Equal(t, n, o.count(t, "interceptions"))
	require.Equal(t, n, o.count(t, "interception_tool_usages"))
	require.InDelta(t, n, o.metric(t, "aigateway_recorder_interceptions_written_total"), 0)
	require.Zero(t, o.metric(t, "aigateway_recorder_interceptions_dropped_total"))
	require.GreaterOrEqual(t, o.metric(t, "aigateway_recorder_write_errors_total"), 1.0)
}

func TestCloseGivesUp(t *testing.T) {
	t.Parallel()

	const n = 3
	o := setupOutage(t)
	r := o.recorder(t, recorder.Options{
		RetryBackoff: 5 * time.Millisecond, MaxRetryBackoff: 20 * time.Millisecond,
	})
	r.Start(t.Context())

	o.down(t)
	for i := range n {
		r.Record(o.interception(i))
	}

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, r.Close(ctx), context.DeadlineExceeded)
	require.InDelta(t, n, o.metric(t, "aigateway_recorder_interceptions_dropped_total",
		"reason", "closed"), 0)
	require.Zero(t, o.metric(t, "aigateway_recorder_queue_length"))

	o.up(t)
	require.Zero(t, o.count(t, "interceptions"))
}
