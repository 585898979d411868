package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// Options are the process's inputs and outputs.
type Options struct {
	// Stdin is read by commands that take a secret.
	Stdin io.Reader
	// Stdout receives command output.
	Stdout io.Writer
	// Stderr receives the log and error messages.
	Stderr io.Writer
	// Environ is the environment, as os.Environ returns it.
	Environ []string
	// Version is the build version.
	Version string
}

// Run runs the command line args and returns the process's exit status.
// A failure prints one line to Stderr.
func Run(ctx context.Context, args []string, opts Options) int {
	root := newRoot(opts)
	root.SetArgs(args)
	root.SetIn(opts.Stdin)
	root.SetOut(opts.Stdout)
	root.SetErr(opts.Stderr)

	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(opts.Stderr, "aigateway: %s\n", oneLine(err))
		return 1
	}
	return 0
}

func newRoot(opts Options) *cobra.Command {
	root := &cobra.Command{
		Use:           "aigateway",
		Short:         "An AI gateway between AI clients and upstream providers",
		Version:       opts.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServerCommand(opts), newFakellmCommand(opts), newScaletestCommand(opts))
	root.AddCommand(newRemoteCommands(opts)...)
	return root
}

// oneLine folds an error onto one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// logFlags are the flags that shape the log.
type logFlags struct {
	format string
	level  string
}

func (l *logFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&l.format, "log-format", "text", "log format: text or json")
	cmd.Flags().StringVar(&l.level, "log-level", "info", "log level: debug, info, warn or error")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", l.level)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, errors.New("invalid --log-format " + fmt.Sprintf("%q", l.format) + ": want text or json")
}
