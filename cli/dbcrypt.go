package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/aigateway/aigateway/dbcrypt"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/server"
)

func newDBCryptCommand(opts Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dbcrypt",
		Short: "Maintain the secrets sealed at rest",
		Long: "Maintain the secrets sealed at rest: provider keys, Bedrock credentials and " +
			"user secrets. Each command works straight on Postgres, in batches, one row " +
			"at a time, so it never blocks running servers and may be stopped and run again.",
	}
	cmd.AddCommand(
		newDBCryptOpCommand(opts, dbcrypt.Rotate,
			"Seal every value with the active key (the first of --encryption-keys), "+
				"plain values included", false),
		newDBCryptOpCommand(opts, dbcrypt.Decrypt,
			"Turn every sealed value back into plain text", true),
		newDBCryptOpCommand(opts, dbcrypt.Delete,
			"Remove every sealed value: provider keys, user secrets and Bedrock credentials", true),
	)
	return cmd
}

func newDBCryptOpCommand(
	opts Options, op dbcrypt.Operation, short string, dangerous bool,
) *cobra.Command {
	var flags serverFlags
	var confirm bool
	cmd := &cobra.Command{
		Use:   op.String(),
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dangerous && !confirm {
				return fmt.Errorf("%s changes every sealed value for good; run it again "+
					"with --confirm", op)
			}
			ctx := cmd.Context()
			database, logger, err := flags.openDatabase(cmd, opts)
			if err != nil {
				return err
			}
			defer database.Close(ctx)
			// The keys are read once the environment has filled the flags.
			cipher, err := server.NewCipher(flags.encryption)
			if err != nil {
				return err
			}
			if op != dbcrypt.Delete {
				if _, err := server.PrepareEncryption(ctx, database.Store, cipher, logger); err != nil {
					return err
				}
			}

			out := cmd.OutOrStdout()
			totals, err := dbcrypt.Maintain(ctx, db.New(database.Store.Pool), cipher, op,
				func(p dbcrypt.Progress) { printProgress(out, op, p) })
			for _, p := range totals {
				fmt.Fprintf(out, "%s total %s: %d rows scanned, %d changed\n",
					op, p.Table, p.Scanned, p.Changed)
			}
			return err
		},
	}
	flags.register(cmd)
	if dangerous {
		cmd.Flags().BoolVar(&confirm, "confirm", false, "confirm that "+op.String()+
			" may change every sealed value")
	}
	return cmd
}

func printProgress(w io.Writer, op dbcrypt.Operation, p dbcrypt.Progress) {
	fmt.Fprintf(w, "%s %s: %d rows scanned, %d changed\n", op, p.Table, p.Scanned, p.Changed)
}
