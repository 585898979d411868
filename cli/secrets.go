package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// maxSecretBytes bounds the value `secrets create` and `secrets update`
// read from standard input.
const maxSecretBytes = 64 << 10

// secretView lists a secret's printed fields; no command prints a value.
var secretView = &view{
	fields:   []string{"name", "created_at", "updated_at"},
	defaults: []string{"name", "created_at", "updated_at"},
}

// secretObject is a secret as printed: its name and times. The gateway
// never returns a value, so there is none to print.
func secretObject(s *aigatewayv1.Secret) object {
	return object{
		{"name", s.GetName()},
		{"created_at", timeOf(s.GetCreatedAt())},
		{"updated_at", timeOf(s.GetUpdatedAt())},
	}
}

func newSecretsCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Manage your own secrets, such as your provider keys for BYOK",
		Long: "Manage the secrets the gateway keeps for you. Every user manages their own " +
			"secrets and no one else's. A secret named byok:<provider name> holds your " +
			"key for that provider: a BYOK request that sends only the " +
			"X-Coder-AI-Governance-Token header uses it.",
		Args: cobra.NoArgs,
	}
	flags.register(cmd)

	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Store a secret, its value read from standard input",
		Long: "Store a secret. The value is read from standard input, so that it never " +
			"sits in the shell's history, and one trailing newline is dropped; for " +
			"example:\n\n  aigateway secrets create byok:anthropic < key.txt",
		Args: cobra.ExactArgs(1),
		RunE: flags.runE(opts, secretView, func(c *call, args []string) error {
			value, err := secretValue(c)
			if err != nil {
				return err
			}
			resp, err := c.client.Users.CreateSecret(c.ctx,
				&aigatewayv1.CreateSecretRequest{Name: args[0], Value: value})
			if err != nil {
				return err
			}
			return c.out.one(secretObject(resp.GetSecret()))
		}),
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List your secrets by name, never their values",
		Args:  cobra.NoArgs,
		RunE: flags.runE(opts, secretView, func(c *call, _ []string) error {
			resp, err := c.client.Users.ListSecrets(c.ctx, &aigatewayv1.ListSecretsRequest{})
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetSecrets()))
			for _, s := range resp.GetSecrets() {
				objs = append(objs, secretObject(s))
			}
			return c.out.list(objs)
		}),
	}

	update := &cobra.Command{
		Use:   "update NAME",
		Short: "Replace a secret's value, read from standard input",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, secretView, func(c *call, args []string) error {
			value, err := secretValue(c)
			if err != nil {
				return err
			}
			resp, err := c.client.Users.UpdateSecret(c.ctx,
				&aigatewayv1.UpdateSecretRequest{Name: args[0], Value: value})
			if err != nil {
				return err
			}
			return c.out.one(secretObject(resp.GetSecret()))
		}),
	}

	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a secret",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, nil, func(c *call, args []string) error {
			_, err := c.client.Users.DeleteSecret(c.ctx,
				&aigatewayv1.DeleteSecretRequest{Name: args[0]})
			if err != nil {
				return err
			}
			return c.out.done(fmt.Sprintf("deleted secret %q", args[0]),
				object{{"name", args[0]}, {"deleted", true}})
		}),
	}

	cmd.AddCommand(create, list, update, del)
	return cmd
}

// secretValue reads a secret's value from the command's standard input,
// telling a person at a terminal how to end it.
func secretValue(c *call) (string, error) {
	if isTerminal(c.stdin) {
		fmt.Fprintln(c.stderr, "aigateway: reading the value from standard input; "+
			"end it with Ctrl-D")
	}
	return readSecretValue(c.stdin)
}

// readSecretValue reads a value from r without its trailing newline. Other
// white space is kept: it may be part of the value.
func readSecretValue(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no value on standard input")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxSecretBytes+1))
	if err != nil {
		return "", fmt.Errorf("read the value from standard input: %w", err)
	}
	if len(data) > maxSecretBytes {
		return "", fmt.Errorf("the value on standard input is longer than %d bytes",
			maxSecretBytes)
	}
	value, cut := strings.CutSuffix(string(data), "\n")
	if cut {
		value = strings.TrimSuffix(value, "\r")
	}
	if value == "" {
		return "", errors.New("no value on standard input")
	}
	return value, nil
}
