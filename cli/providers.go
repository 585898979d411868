package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

// maxKeyBytes bounds what `providers keys add` reads from standard input.
const maxKeyBytes = 64 << 10

var providerView = &view{
	fields: []string{
		"id", "name", "type", "base_url", "enabled", "key_count", "bedrock_region",
		"created_at", "updated_at", "updated_by",
	},
	defaults: []string{"name", "type", "base_url", "enabled", "key_count", "updated_at"},
}

var providerKeyView = &view{
	fields:   []string{"id", "position", "hint", "created_at"},
	defaults: []string{"position", "id", "hint", "created_at"},
}

// providerObject is a provider as printed. updated_by is null for a
// change made by the gateway itself (the env seed).
func providerObject(p *aigatewayv1.Provider) object {
	return object{
		{"id", p.GetId()},
		{"name", p.GetName()},
		{"type", p.GetType()},
		{"base_url", p.GetBaseUrl()},
		{"enabled", p.GetEnabled()},
		{"key_count", p.GetKeyCount()},
		{"bedrock_region", optional(p.GetBedrockRegion())},
		{"created_at", timeOf(p.GetCreatedAt())},
		{"updated_at", timeOf(p.GetUpdatedAt())},
		{"updated_by", optional(p.GetUpdatedBy())},
	}
}

// providerKeyObject is a key of a pool as printed: its hint, never its
// value.
func providerKeyObject(k *aigatewayv1.ProviderKey) object {
	return object{
		{"id", k.GetId()},
		{"position", k.GetPosition()},
		{"hint", k.GetHint()},
		{"created_at", timeOf(k.GetCreatedAt())},
	}
}

func newProvidersCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "Manage the upstream providers and their keys",
		Args:  cobra.NoArgs,
	}
	flags.register(cmd)

	list := &cobra.Command{
		Use:   "list",
		Short: "List the providers",
		Args:  cobra.NoArgs,
		RunE: flags.runE(opts, providerView, func(c *call, _ []string) error {
			resp, err := c.client.Providers.ListProviders(c.ctx,
				&aigatewayv1.ListProvidersRequest{})
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetProviders()))
			for _, p := range resp.GetProviders() {
				objs = append(objs, providerObject(p))
			}
			return c.out.list(objs)
		}),
	}

	get := &cobra.Command{
		Use:   "get NAME",
		Short: "Show a provider",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, providerView, func(c *call, args []string) error {
			resp, err := c.client.Providers.GetProvider(c.ctx,
				&aigatewayv1.GetProviderRequest{Name: args[0]})
			if err != nil {
				return err
			}
			return c.out.one(providerObject(resp.GetProvider()))
		}),
	}

	cmd.AddCommand(list, get, newProviderCreateCommand(opts, &flags),
		newProviderUpdateCommand(opts, &flags), newProviderDeleteCommand(opts, &flags),
		newProviderKeysCommand(opts, &flags))
	return cmd
}

func newProviderCreateCommand(opts Options, flags *remoteFlags) *cobra.Command {
	var req aigatewayv1.CreateProviderRequest
	cmd := &cobra.Command{
		Use:     "create --name NAME --type TYPE [--base-url URL]",
		Short:   "Add a provider; add its keys with `providers keys add`",
		Args:    cobra.NoArgs,
		PreRunE: requireFlags("name", "type"),
		RunE: flags.runE(opts, providerView, func(c *call, _ []string) error {
			resp, err := c.client.Providers.CreateProvider(c.ctx, &req)
			if err != nil {
				return err
			}
			return c.out.one(providerObject(resp.GetProvider()))
		}),
	}
	cmd.Flags().StringVar(&req.Name, "name", "",
		"provider name: lowercase letters and digits, joined by single hyphens")
	cmd.Flags().StringVar(&req.Type, "type", "", "provider type: openai or anthropic")
	cmd.Flags().StringVar(&req.BaseUrl, "base-url", "",
		"upstream base URL (default: the type's public API root)")
	return cmd
}

func newProviderUpdateCommand(opts Options, flags *remoteFlags) *cobra.Command {
	var (
		baseURL string
		enabled bool
	)
	cmd := &cobra.Command{
		Use:   "update NAME [--base-url URL] [--enabled=false]",
		Short: "Change a provider's base URL or switch it off or on",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("base-url") && !cmd.Flags().Changed("enabled") {
				return errors.New("nothing to change: pass --base-url or --enabled")
			}
			return nil
		},
		RunE: flags.runE(opts, providerView, func(c *call, args []string) error {
			req := &aigatewayv1.UpdateProviderRequest{Name: args[0]}
			if c.flags.Changed("base-url") {
				req.BaseUrl = &baseURL
			}
			if c.flags.Changed("enabled") {
				req.Enabled = &enabled
			}
			resp, err := c.client.Providers.UpdateProvider(c.ctx, req)
			if err != nil {
				return err
			}
			return c.out.one(providerObject(resp.GetProvider()))
		}),
	}
	cmd.Flags().StringVar(&baseURL, "base-url", "", "new upstream base URL")
	cmd.Flags().BoolVar(&enabled, "enabled", true,
		"whether the provider serves requests; --enabled=false switches it off")
	return cmd
}

func newProviderDeleteCommand(opts Options, flags *remoteFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a provider; its name stays taken",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, nil, func(c *call, args []string) error {
			_, err := c.client.Providers.DeleteProvider(c.ctx,
				&aigatewayv1.DeleteProviderRequest{Name: args[0]})
			if err != nil {
				return err
			}
			return c.out.done(fmt.Sprintf("deleted provider %q", args[0]),
				object{{"name", args[0]}, {"deleted", true}})
		}),
	}
}

func newProviderKeysCommand(opts Options, flags *remoteFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage a provider's key pool",
		Args:  cobra.NoArgs,
	}

	list := &cobra.Command{
		Use:   "list PROVIDER",
		Short: "List a provider's keys in failover order, as masked hints",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, providerKeyView, func(c *call, args []string) error {
			resp, err := c.client.Providers.ListProviderKeys(c.ctx,
				&aigatewayv1.ListProviderKeysRequest{Provider: args[0]})
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetKeys()))
			for _, k := range resp.GetKeys() {
				objs = append(objs, providerKeyObject(k))
			}
			return c.out.list(objs)
		}),
	}

	add := &cobra.Command{
		Use:   "add PROVIDER",
		Short: "Append a key, read from standard input, to a provider's pool",
		Long: "Append a key to a provider's pool. The key is read from standard input, " +
			"so that it never sits in the shell's history, for example:\n\n" +
			"  aigateway providers keys add openai < key.txt",
		Args: cobra.ExactArgs(1),
		RunE: flags.runE(opts, providerKeyView, func(c *call, args []string) error {
			if isTerminal(c.stdin) {
				fmt.Fprintln(c.stderr, "aigateway: reading the key from standard input; "+
					"end it with Ctrl-D")
			}
			key, err := readKey(c.stdin)
			if err != nil {
				return err
			}
			resp, err := c.client.Providers.AddProviderKey(c.ctx,
				&aigatewayv1.AddProviderKeyRequest{Provider: args[0], Key: key})
			if err != nil {
				return err
			}
			return c.out.one(providerKeyObject(resp.GetKey()))
		}),
	}

	remove := &cobra.Command{
		Use:   "remove PROVIDER KEY_ID",
		Short: "Remove a key from a provider's pool",
		Args:  cobra.ExactArgs(2),
		RunE: flags.runE(opts, nil, func(c *call, args []string) error {
			_, err := c.client.Providers.RemoveProviderKey(c.ctx,
				&aigatewayv1.RemoveProviderKeyRequest{Provider: args[0], KeyId: args[1]})
			if err != nil {
				return err
			}
			return c.out.done(fmt.Sprintf("removed key %s from provider %q", args[1], args[0]),
				object{{"provider", args[0]}, {"key_id", args[1]}, {"removed", true}})
		}),
	}

	cmd.AddCommand(list, add, remove)
	return cmd
}

// isTerminal reports whether r is a terminal, where a person would type
// the key.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// readKey reads a key from r, trimmed of surrounding white space.
func readKey(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no key on standard input")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyBytes+1))
	if err != nil {
		return "", fmt.Errorf("read the key from standard input: %w", err)
	}
	if len(data) > maxKeyBytes {
		return "", fmt.Errorf("the key on standard input is longer than %d bytes", maxKeyBytes)
	}
	key := strings.TrimSpace(string(data))
	if key == "" {
		return "", errors.New("no key on standard input")
	}
	return key, nil
}
