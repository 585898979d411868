package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aigateway/aigateway/fakellm"
	"github.com/aigateway/aigateway/keyfailover"
)

// fakellmShutdownGrace bounds how long answers in progress may run after a
// shutdown signal; waits and stalls end at once.
const fakellmShutdownGrace = 5 * time.Second

// fakellmFlags are the flags of `aigateway fakellm`.
type fakellmFlags struct {
	log         logFlags
	address     string
	allowRemote bool
	keys        []string
	faults      []string
	delay       time.Duration
	chunks      int
	chunkDelay  time.Duration
	retryAfter  time.Duration
	stall       time.Duration
}

func (f *fakellmFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.address, "address", fakellm.DefaultAddress, "address to listen on")
	fl.BoolVar(&f.allowRemote, "allow-remote", false,
		"allow an --address that is not loopback")
	fl.StringSliceVar(&f.keys, "keys", nil,
		"API keys accepted, comma separated (default: any key, or none)")
	fl.StringArrayVar(&f.faults, "fault", nil,
		"KEY=FAULT: every request with KEY gets FAULT "+
			"(429, 401, 403, 503, 529, stream-error, cut or stall); repeatable")
	fl.DurationVar(&f.delay, "delay", 0, "wait before the first byte of an answer")
	fl.IntVar(&f.chunks, "chunks", fakellm.DefaultChunks, "text chunks of an answer")
	fl.DurationVar(&f.chunkDelay, "chunk-delay", 0, "wait between two chunks of a stream")
	fl.DurationVar(&f.retryAfter, "retry-after", fakellm.DefaultRetryAfter,
		"wait that a 429 answer names in Retry-After")
	fl.DurationVar(&f.stall, "stall-timeout", fakellm.DefaultStallTimeout,
		"longest stall before the connection is dropped")
	f.log.register(cmd)
}

// options checks the flags and turns them into the server's options.
func (f *fakellmFlags) options() (fakellm.Options, error) {
	if !f.allowRemote && !fakellm.IsLoopback(f.address) {
		return fakellm.Options{}, fmt.Errorf("--address %s is not a loopback address; "+
			"pass --allow-remote to listen on it anyway", f.address)
	}
	if f.chunks < 1 {
		return fakellm.Options{}, errors.New("--chunks must be at least 1")
	}
	opts := fakellm.Options{
		Keys:         f.keys,
		Delay:        f.delay,
		Chunks:       f.chunks,
		ChunkDelay:   f.chunkDelay,
		RetryAfter:   f.retryAfter,
		StallTimeout: f.stall,
	}
	for _, kv := range f.faults {
		key, name, ok := strings.Cut(kv, "=")
		if !ok || key == "" {
			return fakellm.Options{}, fmt.Errorf("invalid --fault %q: want KEY=FAULT", kv)
		}
		fault, err := fakellm.ParseFault(name)
		if err != nil {
			return fakellm.Options{}, fmt.Errorf("invalid --fault for key %s: %w",
				keyfailover.Mask(key), err)
		}
		if opts.Faults == nil {
			opts.Faults = make(map[string]fakellm.Fault)
		}
		opts.Faults[key] = fault
	}
	return opts, nil
}

func newFakellmCommand(opts Options) *cobra.Command {
	var flags fakellmFlags
	cmd := &cobra.Command{
		Use:   "fakellm",
		Short: "Serve a fake OpenAI and Anthropic API, for demos, tests and benchmarks",
		Long: "Serve fake OpenAI Chat Completions (/v1/chat/completions), Responses " +
			"(/v1/responses) and Anthropic Messages (/v1/messages) on a loopback " +
			"address, with usage, tool calls, set delays and faults on demand. " +
			"GET /stats counts the requests by API key. Per request, the headers " +
			"X-Fakellm-Delay, X-Fakellm-Chunks, X-Fakellm-Chunk-Delay and " +
			"X-Fakellm-Fault override the flags.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := flags.log.logger(opts.Stderr)
			if err != nil {
				return err
			}
			fopts, err := flags.options()
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", flags.address)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", flags.address, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "fakellm listening on http://%s\n", ln.Addr())
			logger.Info("fakellm listening", "address", ln.Addr().String(),
				"delay", fopts.Delay, "chunks", fopts.Chunks,
				"chunk_delay", fopts.ChunkDelay, "keys", len(fopts.Keys),
				"faults", len(fopts.Faults))
			return serveFakellm(cmd.Context(), ln, fakellm.New(fopts))
		},
	}
	flags.register(cmd)
	return cmd
}

// serveFakellm serves srv on ln until ctx ends, then ends its waits and
// lets answers in progress finish within the grace period.
func serveFakellm(ctx context.Context, ln net.Listener, srv *fakellm.Server) error {
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	srv.Close()
	sctx, cancel := context.WithTimeout(context.Background(), fakellmShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
