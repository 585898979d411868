package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/server"
)

// The environment variables of the client TLS flags. Unlike the other
// flags they carry the CODER_CLIENT_ prefix, shared with other clients.
var clientTLSEnv = map[string]string{
	"client-tls-ca-file":   "CODER_CLIENT_TLS_CA_FILE",
	"client-tls-cert-file": "CODER_CLIENT_TLS_CERT_FILE",
	"client-tls-key-file":  "CODER_CLIENT_TLS_KEY_FILE",
}

// remoteEnvFlags are the flags of the remote commands read from
// CODER_AI_GATEWAY_<FLAG>. A command's own flags are never read from the
// environment: a variable meant for the server, such as
// CODER_AI_GATEWAY_ENABLED, must not change what a command does.
var remoteEnvFlags = []string{"url", "token", "data-dir"}

// newRemoteCommands returns the command groups that call a running gateway.
func newRemoteCommands(opts Options) []*cobra.Command {
	cmds := []*cobra.Command{
		newProvidersCommand(opts),
		newInterceptionsCommand(opts),
		newUsersCommand(opts),
		newTokensCommand(opts),
		newSecretsCommand(opts),
		newAuditCommand(opts),
	}
	for _, cmd := range cmds {
		nameErrors(cmd)
	}
	return cmds
}

// commandName is the command's path without the program's name, such as
// "providers keys add".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// nameErrors has the flag, argument and PreRunE errors of cmd and its
// subcommands name the command, as the errors of their bodies do.
func nameErrors(cmd *cobra.Command) {
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %w", commandName(c), err)
	})
	if pre := cmd.PreRunE; pre != nil {
		cmd.PreRunE = func(c *cobra.Command, a []string) error {
			if err := pre(c, a); err != nil {
				return fmt.Errorf("%s: %w", commandName(c), err)
			}
			return nil
		}
	}
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return fmt.Errorf("%s: %w", commandName(c), err)
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		nameErrors(sub)
	}
}

// remoteFlags are the flags shared by every command that calls a running
// gateway, persistent on each command group.
type remoteFlags struct {
	url      string
	token    string
	dataDir  string
	caFile   string
	certFile string
	keyFile  string
	output   string
	columns  string
}

func (f *remoteFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.url, "url", server.DefaultGRPCAddress,
		"the gateway's gRPC address, host:port; an https:// prefix turns TLS on "+
			"($CODER_AI_GATEWAY_URL)")
	fl.StringVar(&f.token, "token", "",
		"gateway token (default: the token in <data-dir>/admin.token) "+
			"($CODER_AI_GATEWAY_TOKEN)")
	fl.StringVar(&f.dataDir, "data-dir", "",
		"the server's data directory, for admin.token (default: the server's default) "+
			"($CODER_AI_GATEWAY_DATA_DIR)")
	fl.StringVar(&f.caFile, "client-tls-ca-file", "",
		"CA certificates (PEM) that sign the gateway's certificate; turns TLS on "+
			"($CODER_CLIENT_TLS_CA_FILE)")
	fl.StringVar(&f.certFile, "client-tls-cert-file", "",
		"client certificate (PEM) for mTLS; turns TLS on ($CODER_CLIENT_TLS_CERT_FILE)")
	fl.StringVar(&f.keyFile, "client-tls-key-file", "",
		"key of the client certificate (PEM) ($CODER_CLIENT_TLS_KEY_FILE)")
	fl.StringVarP(&f.output, "output", "o", formatTable, "output format: table or json")
	fl.StringVarP(&f.columns, "columns", "c", "",
		"table columns to show, comma separated (default: the command's)")
}

// call is what a remote command's body works with.
type call struct {
	ctx    context.Context
	client *client.Client
	out    *printer
	stdin  io.Reader
	stderr io.Writer
	flags  *pflag.FlagSet
}

// remoteBody is the body of a remote command.
type remoteBody func(c *call, args []string) error

// runE returns a cobra RunE that reads the environment, checks -o and -c
// against v (nil for a command without a table), dials the gateway and
// runs body. Its errors name the command.
func (f *remoteFlags) runE(
	opts Options, v *view, body remoteBody,
) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f.run(cmd, args, opts, v, body); err != nil {
			return fmt.Errorf("%s: %w", commandName(cmd), err)
		}
		return nil
	}
}

func (f *remoteFlags) run(
	cmd *cobra.Command, args []string, opts Options, v *view, body remoteBody,
) error {
	if err := f.applyEnv(cmd.Flags(), parseEnviron(opts.Environ), opts.Stderr); err != nil {
		return err
	}
	out, err := newPrinter(opts.Stdout, f.output, f.columns, v)
	if err != nil {
		return err
	}
	if (f.certFile == "") != (f.keyFile == "") {
		return errors.New("--client-tls-cert-file and --client-tls-key-file go together")
	}
	address, useTLS, err := parseURL(f.url)
	if err != nil {
		return err
	}
	token, err := f.resolveToken()
	if err != nil {
		return err
	}

	c, err := client.Dial(address, client.DialOptions{
		Token: token, TLS: useTLS, CAFile: f.caFile, CertFile: f.certFile, KeyFile: f.keyFile,
	})
	if err != nil {
		return err
	}
	// Closing a connection whose calls are done can only report that it was
	// closed already; the command's outcome is decided.
	defer func() { _ = c.Close() }()

	err = body(&call{
		ctx: cmd.Context(), client: c, out: out,
		stdin: opts.Stdin, stderr: opts.Stderr, flags: cmd.Flags(),
	}, args)
	return rpcError(err, address)
}

// requireFlags returns a PreRunE that checks that the named flags were
// given, before anything is dialed.
func requireFlags(names ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		for _, name := range names {
			if !cmd.Flags().Changed(name) {
				return fmt.Errorf("--%s is required", name)
			}
		}
		return nil
	}
}

// applyEnv sets the shared flags not given on the command line from the
// environment, and prints a warning for each deprecated variable in use.
func (f *remoteFlags) applyEnv(flags *pflag.FlagSet, env environment, stderr io.Writer) error {
	set := pflag.NewFlagSet("environment", pflag.ContinueOnError)
	for _, name := range remoteEnvFlags {
		set.AddFlag(flags.Lookup(name))
	}
	warnings, err := env.applyEnv(set)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "aigateway: %s\n", w)
	}

	for name, variable := range clientTLSEnv {
		fl := flags.Lookup(name)
		value, ok := env[variable]
		if !ok || fl.Changed {
			continue
		}
		if err := fl.Value.Set(value); err != nil {
			return fmt.Errorf("invalid value for %s: %w", variable, err)
		}
	}
	return nil
}

// resolveToken returns --token or, when it is empty, the token in the
// data directory's admin token file.
func (f *remoteFlags) resolveToken() (string, error) {
	if token := strings.TrimSpace(f.token); token != "" {
		return token, nil
	}
	dir := f.dataDir
	if dir == "" {
		var err error
		if dir, err = server.DefaultDataDir(); err != nil {
			return "", err
		}
	}

	path := filepath.Join(dir, server.AdminTokenFile)
	const hint = "pass --token or set CODER_AI_GATEWAY_TOKEN"
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("no gateway token: %s does not exist; %s", path, hint)
	case err != nil:
		return "", fmt.Errorf("no gateway token: read %s: %w; %s", path, err, hint)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return "", fmt.Errorf("no gateway token: %s is empty; %s", path, hint)
	}
	return token, nil
}

// parseURL splits --url into a dial address and whether to use TLS: a bare
// host:port, or one behind http:// (plain) or https:// (TLS).
func parseURL(raw string) (address string, useTLS bool, err error) {
	if !strings.Contains(raw, "://") {
		if raw == "" {
			return "", false, errors.New("--url is empty")
		}
		return raw, false, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("--url: %w", err)
	}
	if u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return "", false, fmt.Errorf("--url %q: want host:port, optionally after "+
			"http:// or https://", raw)
	}
	switch u.Scheme {
	case "http":
		return u.Host, false, nil
	case "https":
		return u.Host, true, nil
	}
	return "", false, fmt.Errorf("--url %q: unknown scheme %q; want http or https", raw, u.Scheme)
}

// rpcError turns a gRPC status error into a one-line message for a person;
// other errors pass through.
func rpcError(err error, address string) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	msg := st.Message()
	switch st.Code() {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.FailedPrecondition:
		return errors.New(msg)
	case codes.PermissionDenied:
		return fmt.Errorf("permission denied: %s", msg)
	case codes.Unauthenticated:
		return fmt.Errorf("unauthenticated: %s; check --token", msg)
	case codes.Unavailable:
		return fmt.Errorf("cannot reach the gateway at %s: %s", address, msg)
	case codes.DeadlineExceeded:
		return fmt.Errorf("timed out: %s", msg)
	case codes.Canceled:
		return fmt.Errorf("canceled: %s", msg)
	}
	return fmt.Errorf("the gateway answered %s: %s", strings.ToLower(st.Code().String()), msg)
}

// timeOf returns a protobuf timestamp as a UTC time, nil when it is unset.
func timeOf(ts *timestamppb.Timestamp) any {
	if ts == nil {
		return nil
	}
	return ts.AsTime().UTC()
}
