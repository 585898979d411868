package cli

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/aigateway/aigateway/server"
)

// serverFlags are the flags of `aigateway server` and its subcommands.
type serverFlags struct {
	log         logFlags
	httpAddress string
	grpcAddress string
	postgresURL string
	dataDir     string
	grpcTLS     server.TLSConfig
	encryption  string
	dataPlane   dataPlaneFlags
}

func (f *serverFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.httpAddress, "http-address", server.DefaultHTTPAddress,
		"address of the HTTP listener (data plane, /healthz, /readyz)")
	fl.StringVar(&f.grpcAddress, "grpc-address", server.DefaultGRPCAddress,
		"address of the gRPC listener (control plane)")
	fl.StringVar(&f.postgresURL, "postgres-url", "",
		"Postgres URL (default: the built-in Postgres under the data directory)")
	fl.StringVar(&f.dataDir, "data-dir", "",
		"data directory (default: /var/lib/aigateway as root, else ~/.local/share/aigateway)")
	fl.StringVar(&f.grpcTLS.CertFile, "grpc-tls-cert-file", "",
		"certificate of the gRPC listener (PEM); with --grpc-tls-key-file turns TLS on")
	fl.StringVar(&f.grpcTLS.KeyFile, "grpc-tls-key-file", "", "key of the gRPC certificate (PEM)")
	fl.StringVar(&f.grpcTLS.ClientCAFile, "grpc-tls-client-ca-file", "",
		"CA certificates (PEM) that must sign every gRPC client's certificate (mTLS)")
	fl.StringVar(&f.encryption, "encryption-keys", "",
		"comma-separated base64 32-byte keys sealing secrets at rest, the first for "+
			"writing; prefer the environment variable, which stays out of the process list")
	f.log.register(cmd)
	f.dataPlane.register(cmd)
}

// prepare reads the environment into the flags left unset and builds the
// logger, which reports the deprecated variables in use.
func (f *serverFlags) prepare(cmd *cobra.Command, opts Options) (*slog.Logger, error) {
	warnings, err := parseEnviron(opts.Environ).applyEnv(cmd.Flags())
	if err != nil {
		return nil, err
	}
	logger, err := f.log.logger(opts.Stderr)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		logger.Warn(w)
	}
	if f.dataDir == "" {
		if f.dataDir, err = server.DefaultDataDir(); err != nil {
			return nil, err
		}
	}
	return logger, nil
}

// openDatabase opens the server's database for a maintenance command,
// straight in Postgres: the built-in one is started when it does not run,
// and left running when a server runs it.
func (f *serverFlags) openDatabase(
	cmd *cobra.Command, opts Options,
) (*server.Database, *slog.Logger, error) {
	logger, err := f.prepare(cmd, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := server.PrepareDataDir(f.dataDir); err != nil {
		return nil, nil, err
	}
	database, err := server.OpenDatabase(cmd.Context(), f.postgresURL, f.dataDir, logger)
	if err != nil {
		return nil, nil, err
	}
	database.KeepAdoptedCluster = true
	return database, logger, nil
}

func newServerCommand(opts Options) *cobra.Command {
	var flags serverFlags
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the gateway",
		Long: "Run the gateway. Every flag may also be set with the environment variable " +
			"CODER_AI_GATEWAY_<FLAG>, for example CODER_AI_GATEWAY_HTTP_ADDRESS.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := flags.prepare(cmd, opts)
			if err != nil {
				return err
			}
			cfg := server.Config{
				HTTPAddress:    flags.httpAddress,
				GRPCAddress:    flags.grpcAddress,
				PostgresURL:    flags.postgresURL,
				DataDir:        flags.dataDir,
				GRPCTLS:        flags.grpcTLS,
				EncryptionKeys: flags.encryption,
				Version:        opts.Version,
				Logger:         logger,
				Environ:        opts.Environ,
			}
			flags.dataPlane.apply(&cfg)
			srv, err := server.New(cfg)
			if err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
	flags.register(cmd)
	cmd.AddCommand(newAdminTokenCommand(opts), newDBCryptCommand(opts))
	return cmd
}

func newAdminTokenCommand(opts Options) *cobra.Command {
	var flags serverFlags
	cmd := &cobra.Command{
		Use:   "admin-token",
		Short: "Issue a new owner token into <data-dir>/admin.token",
		Long: "Issue a new token for the first owner, straight in Postgres, and write it " +
			"to <data-dir>/admin.token. Use it when the old token is lost.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			database, _, err := flags.openDatabase(cmd, opts)
			if err != nil {
				return err
			}
			defer database.Close(ctx)

			path, err := server.IssueAdminToken(ctx, database.Store, flags.dataDir)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote a new owner token to %s\n", path)
			return nil
		},
	}
	flags.register(cmd)
	return cmd
}
