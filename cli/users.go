package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
)

var userView = &view{
	fields:   []string{"id", "username", "role", "created_at"},
	defaults: []string{"username", "role", "id", "created_at"},
}

var tokenView = &view{
	fields: []string{
		"id", "user_id", "username", "created_at", "last_used_at", "expires_at", "revoked",
	},
	defaults: []string{"id", "username", "created_at", "last_used_at", "expires_at", "revoked"},
}

// roleNames are the names of the roles on the command line and in output.
var roleNames = map[aigatewayv1.Role]string{
	aigatewayv1.Role_ROLE_OWNER:           "owner",
	aigatewayv1.Role_ROLE_AUDITOR:         "auditor",
	aigatewayv1.Role_ROLE_MEMBER:          "member",
	aigatewayv1.Role_ROLE_SERVICE_ACCOUNT: "service_account",
}

// parseRole reads a role name; service-account is accepted for
// service_account.
func parseRole(s string) (aigatewayv1.Role, error) {
	name := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	for role, n := range roleNames {
		if n == name {
			return role, nil
		}
	}
	return 0, fmt.Errorf("--role %q: want owner, auditor, member or service_account", s)
}

func userObject(u *aigatewayv1.User) object {
	role, ok := roleNames[u.GetRole()]
	if !ok {
		role = strings.ToLower(u.GetRole().String())
	}
	return object{
		{"id", u.GetId()},
		{"username", u.GetUsername()},
		{"role", role},
		{"created_at", timeOf(u.GetCreatedAt())},
	}
}

// tokenObject is a token as printed, without its secret, which is shown
// once, when it is made.
func tokenObject(t *aigatewayv1.Token) object {
	return object{
		{"id", t.GetId()},
		{"user_id", t.GetUserId()},
		{"username", t.GetUsername()},
		{"created_at", timeOf(t.GetCreatedAt())},
		{"last_used_at", timeOf(t.GetLastUsedAt())},
		{"expires_at", timeOf(t.GetExpiresAt())},
		{"revoked", t.GetRevoked()},
	}
}

func newUsersCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Manage the gateway's users",
		Args:  cobra.NoArgs,
	}
	flags.register(cmd)

	var (
		roleName string
		role     aigatewayv1.Role
	)
	create := &cobra.Command{
		Use:   "create NAME --role ROLE",
		Short: "Add a user",
		Args:  cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := requireFlags("role")(cmd, args); err != nil {
				return err
			}
			var err error
			role, err = parseRole(roleName)
			return err
		},
		RunE: flags.runE(opts, userView, func(c *call, args []string) error {
			resp, err := c.client.Users.CreateUser(c.ctx,
				&aigatewayv1.CreateUserRequest{Username: args[0], Role: role})
			if err != nil {
				return err
			}
			return c.out.one(userObject(resp.GetUser()))
		}),
	}
	create.Flags().StringVar(&roleName, "role", "",
		"the user's role: owner, auditor, member or service_account")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the users",
		Args:  cobra.NoArgs,
		RunE: flags.runE(opts, userView, func(c *call, _ []string) error {
			resp, err := c.client.Users.ListUsers(c.ctx, &aigatewayv1.ListUsersRequest{})
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetUsers()))
			for _, u := range resp.GetUsers() {
				objs = append(objs, userObject(u))
			}
			return c.out.list(objs)
		}),
	}

	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a user; the user's tokens stop working",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, nil, func(c *call, args []string) error {
			_, err := c.client.Users.DeleteUser(c.ctx,
				&aigatewayv1.DeleteUserRequest{Username: args[0]})
			if err != nil {
				return err
			}
			return c.out.done(fmt.Sprintf("deleted user %q", args[0]),
				object{{"username", args[0]}, {"deleted", true}})
		}),
	}

	cmd.AddCommand(create, list, del)
	return cmd
}

func newTokensCommand(opts Options) *cobra.Command {
	var flags remoteFlags
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "Manage gateway tokens",
		Args:  cobra.NoArgs,
	}
	flags.register(cmd)

	var createUser string
	create := &cobra.Command{
		Use:   "create [--user NAME]",
		Short: "Issue a token and print it, once",
		Long: "Issue a token for a user (default: yourself) and print it. The gateway " +
			"keeps only its hash: store it now, it is not shown again.",
		Args: cobra.NoArgs,
		RunE: flags.runE(opts, nil, func(c *call, _ []string) error {
			resp, err := c.client.Users.CreateToken(c.ctx,
				&aigatewayv1.CreateTokenRequest{Username: createUser})
			if err != nil {
				return err
			}
			secret := resp.GetSecret()
			if secret == "" {
				return errors.New("the gateway returned no token")
			}
			return c.out.done(secret, object{{"token", secret}})
		}),
	}
	create.Flags().StringVar(&createUser, "user", "",
		"the token's user (default: the caller); owners may name anyone")

	var (
		listUser string
		listAll  bool
	)
	list := &cobra.Command{
		Use:   "list [--user NAME | --all]",
		Short: "List tokens, newest first, without their secrets",
		Args:  cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if listAll && listUser != "" {
				return errors.New("--user and --all exclude each other")
			}
			return nil
		},
		RunE: flags.runE(opts, tokenView, func(c *call, _ []string) error {
			resp, err := c.client.Users.ListTokens(c.ctx,
				&aigatewayv1.ListTokensRequest{Username: listUser, All: listAll})
			if err != nil {
				return err
			}
			objs := make([]object, 0, len(resp.GetTokens()))
			for _, t := range resp.GetTokens() {
				objs = append(objs, tokenObject(t))
			}
			return c.out.list(objs)
		}),
	}
	list.Flags().StringVar(&listUser, "user", "",
		"list this user's tokens (default: the caller's); owners may name anyone")
	list.Flags().BoolVar(&listAll, "all", false, "list every user's tokens (owners only)")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token by id",
		Args:  cobra.ExactArgs(1),
		RunE: flags.runE(opts, nil, func(c *call, args []string) error {
			_, err := c.client.Users.RevokeToken(c.ctx,
				&aigatewayv1.RevokeTokenRequest{Id: args[0]})
			if err != nil {
				return err
			}
			return c.out.done("revoked token "+args[0],
				object{{"id", args[0]}, {"revoked", true}})
		}),
	}

	cmd.AddCommand(create, list, revoke)
	return cmd
}
