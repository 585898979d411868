package providers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aigateway/aigateway/store"
)

// ListenerApplicationName is the default application_name of the loader's
// listening connection, which tells it apart in pg_stat_activity.
const ListenerApplicationName = "aigateway-providers-listener"

// Defaults of LoaderOptions.
const (
	DefaultMinBackoff   = 100 * time.Millisecond
	DefaultMaxBackoff   = 10 * time.Second
	DefaultPingInterval = 30 * time.Second
)

// pingTimeout bounds the liveness check of an idle listening connection.
const pingTimeout = 5 * time.Second

// LoaderOptions configures a Loader.
type LoaderOptions struct {
	// Logger receives the loader's log. Default: discard.
	Logger *slog.Logger
	// ApplicationName is the application_name of the listening connection.
	// Default ListenerApplicationName.
	ApplicationName string
	// MinBackoff is the first wait before retrying a failed reconnect or
	// rebuild; each further failure doubles it. Default DefaultMinBackoff.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between retries. Default DefaultMaxBackoff.
	MaxBackoff time.Duration
	// PingInterval is how long the listening connection may stay silent
	// before the loader checks that it is alive, so that a connection lost
	// without a word from the network is noticed. Default
	// DefaultPingInterval.
	PingInterval time.Duration
}

// Loader keeps the runtime provider set current. Start builds the first
// set; after that, every notification on ChangedChannel rebuilds it. A
// failed rebuild keeps the last good set, logs an error and is retried.
//
// The loader listens on a connection of its own, outside the store's pool.
// When that connection drops, the loader reconnects with backoff and then
// rebuilds, since notifications sent in between are lost.
type Loader struct {
	st     *store.Store
	opts   LoaderOptions
	logger *slog.Logger

	current atomic.Pointer[Set]
	started atomic.Bool
	wake    chan struct{} // holds one pending rebuild request
	wg      sync.WaitGroup

	// mu serializes rebuilds with each other and with Subscribe, so that
	// subscribers see every set once, in the order the sets were built.
	mu     sync.Mutex
	subs   map[uint64]func(*Set)
	nextID uint64
}

// NewLoader returns a loader of the providers in st that logs to logger.
func NewLoader(st *store.Store, logger *slog.Logger) *Loader {
	return NewLoaderWithOptions(st, LoaderOptions{Logger: logger})
}

// NewLoaderWithOptions returns a loader of the providers in st.
func NewLoaderWithOptions(st *store.Store, opts LoaderOptions) *Loader {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ApplicationName == "" {
		opts.ApplicationName = ListenerApplicationName
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(DefaultMaxBackoff, opts.MinBackoff)
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	return &Loader{
		st:     st,
		opts:   opts,
		logger: opts.Logger,
		wake:   make(chan struct{}, 1),
		subs:   map[uint64]func(*Set){},
	}
}

// Start listens on ChangedChannel, builds the first set, and then keeps the
// set current in the background until ctx ends; Wait waits for that. It
// listens before it builds, so that no change made in between is missed. A
// loader starts once: a failed Start is not retried.
func (l *Loader) Start(ctx context.Context) error {
	if !l.started.CompareAndSwap(false, true) {
		return errors.New("providers loader already started")
	}

	conn, err := l.connect(ctx)
	if err != nil {
		return err
	}
	if err := l.Reload(ctx); err != nil {
		closeConn(conn)
		return err
	}

	l.wg.Go(func() { l.listen(ctx, conn) })
	l.wg.Go(func() { l.rebuildLoop(ctx) })
	return nil
}

// Wait blocks until the background work of Start has stopped, which it does
// soon after Start's context ends. It returns at once when Start was never
// called or failed.
func (l *Loader) Wait() {
	l.wg.Wait()
}

// Current returns the current set, or nil before the first one is built.
func (l *Loader) Current() *Set {
	return l.current.Load()
}

// Subscribe calls fn with the current set, if there is one, and then with
// every new set, in order, until the returned function is called. Calls
// come from the loader's goroutine one at a time: fn must return quickly
// and must not call Subscribe or Reload.
func (l *Loader) Subscribe(fn func(*Set)) (unsubscribe func()) {
	l.mu.Lock()
	defer l.mu.Unlock()

	id := l.nextID
	l.nextID++
	l.subs[id] = fn
	if set := l.current.Load(); set != nil {
		fn(set)
	}

	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs, id)
	}
}

// Reload builds a new set from the database and makes it current. On error
// the current set stays.
func (l *Loader) Reload(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()

	set, err := BuildProviders(ctx, l.st.Queries)
	if err != nil {
		return fmt.Errorf("build providers: %w", err)
	}
	l.current.Store(set)
	for _, fn := range l.subs {
		fn(set)
	}
	l.logger.Debug("providers loaded", "providers", set.Len())
	return nil
}

// requestRebuild asks the rebuild loop for a rebuild. Requests made while
// one is pending fold into it.
func (l *Loader) requestRebuild() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// rebuildLoop rebuilds the set on request until ctx ends, retrying a
// failed rebuild with backoff.
func (l *Loader) rebuildLoop(ctx context.Context) {
	retry := time.NewTimer(0)
	retry.Stop()
	defer retry.Stop()
	backoff := l.opts.MinBackoff

	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-retry.C:
		}

		err := l.Reload(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.logger.Error("rebuild providers; keeping the last good set",
				"error", err, "retry_in", backoff)
			retry.Reset(backoff)
			backoff = min(2*backoff, l.opts.MaxBackoff)
			continue
		}
		retry.Stop()
		backoff = l.opts.MinBackoff
		l.logger.Info("providers reloaded", "providers", l.Current().Len())
	}
}

// listen waits for notifications on conn and requests a rebuild for each.
// When conn fails it reconnects with backoff and requests a rebuild. It
// closes its connection when ctx ends.
func (l *Loader) listen(ctx context.Context, conn *pgx.Conn) {
	defer func() {
		if conn != nil {
			closeConn(conn)
		}
	}()
	backoff := l.opts.MinBackoff

	for {
		if conn == nil {
			var err error
			if conn, err = l.connect(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				l.logger.Warn("providers listener: reconnect failed",
					"error", err, "retry_in", backoff)
				if !waitFor(ctx, backoff) {
					return
				}
				backoff = min(2*backoff, l.opts.MaxBackoff)
				continue
			}
			l.logger.Info("providers listener reconnected")
			backoff = l.opts.MinBackoff
			l.requestRebuild()
		}

		err := l.awaitNotification(ctx, conn)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.logger.Warn("providers listener lost its connection; reconnecting", "error", err)
			closeConn(conn)
			conn = nil
			continue
		}
		l.requestRebuild()
	}
}

// awaitNotification returns when conn receives a notification, or with an error when
// conn has failed. A connection silent for PingInterval is pinged, and
// waited on again when it answers.
func (l *Loader) awaitNotification(ctx context.Context, conn *pgx.Conn) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, l.opts.PingInterval)
		_, err := conn.WaitForNotification(waitCtx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}

		// The wait timed out, which leaves the connection usable.
		pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
		err = conn.Ping(pingCtx)
		cancel()
		if err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	}
}

// connect opens the listening connection and subscribes it to
// ChangedChannel.
func (l *Loader) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg := l.st.Pool.Config().ConnConfig
	cfg.RuntimeParams["application_name"] = l.opts.ApplicationName

	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect providers listener: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangedChannel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("listen on %s: %w", ChangedChannel, err)
	}
	return conn, nil
}

// closeConn closes conn, bounding the goodbye to the server so that a dead
// peer cannot hold up shutdown.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}

// waitFor waits for d and reports whether ctx is still live.
func waitFor(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
