package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

var interceptionView = &view{
	fields: []string{
		"id", "initiator_id", "initiator", "provider_name", "provider_type", "model",
		"client", "session_id", "credential_kind", "credential_hint", "started_at",
		"ended_at", "status", "error_type", "error_message", "input_tokens", "output_tokens",
		"cache_read_input_tokens", "cache_write_input_tokens", "prompt", "tool_calls",
	},
	defaults: []string{
		"id", "started_at", "initiator", "provider_name", "model", "client", "status",
		"input_tokens", "output_tokens",
	},
}

// The views of the detail lists of `interceptions get`, shown in table
// mode under the interception.
var (
	tokenUsageView = &view{
		fields: []string{
			"input_tokens", "output_tokens", "cache_read_input_tokens",
			"cache_write_input_tokens", "raw", "created_at",
		},
		defaults: []string{
			"created_at", "input_tokens", "output_tokens", "cache_read_input_tokens",
			"cache_write_input_tokens",
		},
	}
	promptView = &view{
		fields:   []string{"prompt", "created_at"},
		defaults: []string{"created_at", "prompt"},
	}
	toolUsageView = &view{
		fields:   []string{"tool", "tool_call_id", "input", "created_at"},
		defaults: []string{"created_at", "tool", "tool_call_id", "input"},
	}
	thoughtView = &view{
		fields:   []string{"content", "created_at"},
		defaults: []string{"created_at", "content"},
	}
)

// interceptionObject is an interception as printed. The protobuf message
// says "absent" with an empty string or an unset time; those become null.
func interceptionObject(i *aigatewayv1.Interception) object {
	calls := make([]object, 0, len(i.GetToolCalls()))
	for _, t := range i.GetToolCalls() {
		calls = append(calls, object{
			{"tool", t.GetTool()},
			{"tool_call_id", t.GetToolCallId()},
			{"input", t.GetInput()},
		})
	}
	return object{
		{"id", i.GetId()},
		{"initiator_id", i.GetInitiatorId()},
		{"initiator", i.GetInitiator()},
		{"provider_name", i.GetProviderName()},
		{"provider_type", i.GetProviderType()},
		{"model", i.GetModel()},
		{"client", i.GetClient()},
		{"session_id", optional(i.GetSessionId())},
		{"credential_kind", i.GetCredentialKind()},
		{"credential_hint", optional(i.GetCredentialHint())},
		{"started_at", timeOf(i.GetStartedAt())},
		{"ended_at", timeOf(i.GetEndedAt())},
		{"status", i.GetStatus()},
		{"error_type", optional(i.GetErrorType())},
		{"error_message", optional(i.GetErrorMessage())},
		{"input_tokens", i.GetInputTokens()},
		{"output_tokens", i.GetOutputTokens()},
		{"cache_read_input_tokens", i.GetCacheReadInputTokens()},
		{"cache_write_input_tokens", i.GetCacheWriteInputTokens()},
		{"prompt", optional(i.GetPrompt())},
		{"tool_calls", calls},
	}
}

// detail is one record list of `interceptions get`: a JSON array called
// name, or a table of view's default columns.
type detail struct {
	name string
	view *view
	objs []object
}

// interceptionDetails are the record lists of `interceptions get`, in the
// order they are printed.
func interceptionDetails(resp *aigatewayv1.GetInterceptionResponse) []detail {
	usages := make([]object, 0, len(resp.GetTokenUsages()))
	for _, u := range resp.GetTokenUsages() {
		usages = append(usages, object{
			{"input_tokens", u.GetInputTokens()},
			{"output_tokens", u.GetOutputTokens()},
			{"cache_read_input_tokens", u.GetCacheReadInputTokens()},
			{"cache_write_input_tokens", u.GetCacheWriteInputTokens()},
			{"raw", rawJSON(u.GetRaw())},
			{"created_at", timeOf(u.GetCreatedAt())},
		})
	}
	prompts := make([]object, 0, len(resp.GetPrompts()))
	for _, p := range resp.GetPrompts() {
		prompts = append(prompts, object{
			{"prompt", p.GetPrompt()},
			{"created_at", timeOf(p.GetCreatedAt())},
		})
	}
	tools := make([]object, 0, len(resp.GetToolUsages()))
	for _, t := range resp.GetToolUsages() {
		tools = append(tools, object{
			{"tool", t.GetTool()},
			{"tool_call_id", t.GetToolCallId()},
			{"input", t.GetInput()},
			{"created_at", timeOf(t.GetCreatedAt())},
		})
	}
	thoughts := make([]object, 0, len(resp.GetThoughts()))
	for _, t := range resp.GetThoughts() {
		thoughts = append(thoughts, object{
			{"content", t.GetContent()},
			{"created_at", timeOf(t.GetCreatedAt())},
		})
	}
	return []detail{
		{"token_usages", tokenUsageView, usages},
		{"prompts", promptView, prompts},
		{"tool_usages", toolUsageView, tools},
		{"thoughts", thoughtView, thoughts},
	}
}

// timeFlag is a flag that takes an RFC 3339 time.
type timeFlag struct {
	t *timestamppb.Timestamp
}

func (f *timeFlag) String() string {
	if f.t == nil {
		return ""
	}
	return f.t.AsTime().Format(time.RFC3339Nano)
}

func (f *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	f.t = timestamppb.New(t)
	return nil
}

func (f *timeFlag) Type() string { return "time" }

func newInterceptionsCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "interceptions",
		Short: "Read the recorded interceptions",
		Args:  cobra.NoArgs,
	}
	flags.register(cmd)
	cmd.AddCommand(newInterceptionsListCommand(opts, &flags),
		newInterceptionsGetCommand(opts, &flags))
	return cmd
}

func newInterceptionsListCommand(opts Options, flags *remoteFlags) *cobra.Command {
	var (
		req                         aigatewayv1.ListInterceptionsRequest
		startedAfter, startedBefore timeFlag
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List ended interceptions, newest first",
		Long: "List ended interceptions, newest first, one page at a time. When more " +
			"follow, standard error names the --after-id that continues the listing.",
		Args: cobra.NoArgs,
		RunE: flags.runE(opts, interceptionView, func(c *call, _ []string) error {
			req.StartedAfter, req.StartedBefore = startedAfter.t, startedBefore.t
			resp, err := c.client.Interceptions.ListInterceptions(c.ctx, &req)
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetInterceptions()))
			for _, i := range resp.GetInterceptions() {
				objs = append(objs, interceptionObject(i))
			}
			if err := c.out.list(objs); err != nil {
				return err
			}
			if next := resp.GetNextAfterId(); next != "" {
				fmt.Fprintf(c.stderr,
					"more interceptions follow: continue with --after-id %s\n", next)
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&req.Initiator, "initiator", "", "only those of this user (a username)")
	fl.StringVar(&req.Provider, "provider", "", "only those of this provider (a name)")
	fl.StringVar(&req.Model, "model", "", "only those of this model")
	fl.StringVar(&req.Client, "client", "", "only those of this client, e.g. claude-code")
	fl.Var(&startedAfter, "started-after", "only those started at or after this RFC 3339 time")
	fl.Var(&startedBefore, "started-before", "only those started before this RFC 3339 time")
	fl.Int32Var(&req.Limit, "limit", 0, "most interceptions to list, at most 1000 (default 100)")
	fl.StringVar(&req.AfterId, "after-id", "",
		"continue a listing after the interception with this id")
	return cmd
}

func newInterceptionsGetCommand(opts Options, flags *remoteFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get ID",
		Short: "Show an interception with all its records",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, interceptionView, func(c *call, args []string) error {
			resp, err := c.client.Interceptions.GetInterception(c.ctx,
				&aigatewayv1.GetInterceptionRequest{Id: args[0]})
			if err != nil {
				return err
			}
			obj := interceptionObject(resp.GetInterception())
			details := interceptionDetails(resp)
			if c.out.json {
				for _, d := range details {
					obj = append(obj, field{d.name, d.objs})
				}
				return c.out.one(obj)
			}

			if err := c.out.one(obj); err != nil {
				return err
			}
			for _, d := range details {
				if err := c.out.section(tableTitle(d.name), d.view, d.objs); err != nil {
					return err
				}
			}
			return nil
		}),
	}
}
