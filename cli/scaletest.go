package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aigateway/aigateway/scaletest"
)

// scaletestFlags are the flags of `aigateway scaletest`.
type scaletestFlags struct {
	url         string
	token       string
	api         string
	stream      bool
	tools       bool
	model       string
	promptBytes int
	headers     []string
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	maxInFlight int
	timeout     time.Duration
	jsonFile    string
	quiet       bool
}

func (f *scaletestFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "where the API lives, e.g. "+
		"http://127.0.0.1:8080/api/v2/ai-gateway/openai, or http://127.0.0.1:8090 "+
		"for fakellm; /v1/... is appended (required)")
	fl.StringVar(&f.token, "token", "",
		"token sent as Authorization: Bearer (OpenAI) or X-Api-Key (Anthropic)")
	fl.StringVar(&f.api, "api", "chat",
		"request shape: chat (or openai), responses, or messages (or anthropic)")
	fl.BoolVar(&f.stream, "stream", false, "ask for streaming answers")
	fl.BoolVar(&f.tools, "tools", false, "offer the model a tool")
	fl.StringVar(&f.model, "model", "",
		"model asked for (default gpt-4.1, or claude-sonnet-4-5 for messages)")
	fl.IntVar(&f.promptBytes, "prompt-bytes", scaletest.DefaultPromptBytes,
		"length of each request's system prompt")
	fl.StringArrayVar(&f.headers, "header", nil,
		`further request header, "Name: value"; repeatable`)
	fl.Float64Var(&f.rate, "rate", 10, "requests started each second, open loop")
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "measured duration")
	fl.DurationVar(&f.warmup, "warmup", 0, "load before the measured duration, not measured")
	fl.IntVar(&f.maxInFlight, "max-in-flight", scaletest.DefaultMaxInFlight,
		"requests in flight at most; a request due beyond it counts as an overrun")
	fl.DurationVar(&f.timeout, "timeout", scaletest.DefaultTimeout, "longest request")
	fl.StringVar(&f.jsonFile, "json", "", "also write the report as JSON to this file")
	fl.BoolVar(&f.quiet, "quiet", false, "print no progress line")
}

// options checks the flags and turns them into the run's options.
func (f *scaletestFlags) options(cmd *cobra.Command) (scaletest.Options, error) {
	api, err := scaletest.ParseAPI(f.api)
	if err != nil {
		return scaletest.Options{}, fmt.Errorf("invalid --api: %w", err)
	}
	header := http.Header{}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return scaletest.Options{}, fmt.Errorf(`invalid --header %q: want "Name: value"`, h)
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	opts := scaletest.Options{
		URL:         f.url,
		Token:       f.token,
		API:         api,
		Stream:      f.stream,
		Tools:       f.tools,
		Model:       f.model,
		PromptBytes: f.promptBytes,
		Header:      header,
		Rate:        f.rate,
		Duration:    f.duration,
		Warmup:      f.warmup,
		MaxInFlight: f.maxInFlight,
		Timeout:     f.timeout,
	}
	if !f.quiet {
		opts.Progress = cmd.ErrOrStderr()
	}
	return opts, nil
}

func newScaletestCommand(_ Options) *cobra.Command {
	var flags scaletestFlags
	cmd := &cobra.Command{
		Use:   "scaletest",
		Short: "Load a gateway with many AI clients at once and measure it",
		Long: "Send requests at a fixed rate for a fixed duration, open loop: a request " +
			"starts on time whether or not earlier ones have finished. Print a progress " +
			"line every second on standard error, then latency and time-to-first-byte " +
			"percentiles, the rate achieved and the errors by kind.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := flags.options(cmd)
			if err != nil {
				return err
			}
			rep, err := scaletest.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			rep.Print(cmd.OutOrStdout())
			if flags.jsonFile != "" {
				b, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return fmt.Errorf("render the JSON report: %w", err)
				}
				if err := os.WriteFile(flags.jsonFile, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("write the JSON report: %w", err)
				}
			}
			// A run where nothing got through measured nothing but its
			// errors, such as a wrong --url or --token: say so in the status.
			if rep.Sent > 0 && rep.OK == 0 {
				return fmt.Errorf("no request succeeded (%d sent); see the errors above", rep.Sent)
			}
			return nil
		},
	}
	flags.register(cmd)
	return cmd
}
