package cli

import (
	"github.com/spf13/cobra"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

var auditView = &view{
	fields: []string{
		"id", "time", "actor", "action", "resource_type", "resource_id", "diff",
	},
	defaults: []string{"time", "actor", "action", "resource_type", "resource_id"},
}

// auditObject is an audit entry as printed; its diff, JSON with secrets
// masked, is embedded as JSON.
func auditObject(e *aigatewayv1.AuditLog) object {
	return object{
		{"id", e.GetId()},
		{"time", timeOf(e.GetTime())},
		{"actor", e.GetActor()},
		{"action", e.GetAction()},
		{"resource_type", e.GetResourceType()},
		{"resource_id", e.GetResourceId()},
		{"diff", rawJSON(e.GetDiff())},
	}
}

func newAuditCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit log of configuration changes",
		Args:  cobra.NoArgs,
	}
	flags.register(cmd)

	var req aigatewayv1.ListAuditLogsRequest
	list := &cobra.Command{
		Use:   "list",
		Short: "List audit entries, newest first",
		Args:  cobra.NoArgs,
		RunE: flags.runE(opts, auditView, func(c *call, _ []string) error {
			resp, err := c.client.Audit.ListAuditLogs(c.ctx, &req)
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetEntries()))
			for _, e := range resp.GetEntries() {
				objs = append(objs, auditObject(e))
			}
			return c.out.list(objs)
		}),
	}
	fl := list.Flags()
	fl.Int32Var(&req.Limit, "limit", 0, "most entries to list, at most 1000 (default 100)")
	fl.StringVar(&req.BeforeId, "before-id", "",
		"continue a listing after the entry with this id (the last one printed)")
	fl.StringVar(&req.ResourceType, "resource-type", "",
		"only entries about this kind of resource: ai_provider, ai_provider_key, "+
			"user or api_token")

	cmd.AddCommand(list)
	return cmd
}
