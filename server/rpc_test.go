package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/dbtest"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/server"
)

// rpcEnv is a running server with a client per role and transport.
type rpcEnv struct {
	r       *running
	owner   *client.Client
	clients map[string]map[string]*client.Client // role -> transport -> client
	seq     atomic.Int64
}

var roles = map[string]aigatewayv1.Role{
	"owner":           aigatewayv1.Role_ROLE_OWNER,
	"auditor":         aigatewayv1.Role_ROLE_AUDITOR,
	"member":          aigatewayv1.Role_ROLE_MEMBER,
	"service_account": aigatewayv1.Role_ROLE_SERVICE_ACCOUNT,
}

func setupRPC(t *testing.T) *rpcEnv {
	t.Helper()

	ctx := t.Context()
	r := startServer(t, dbtest.NewURL(t), t.TempDir())
	token, err := os.ReadFile(filepath.Join(r.dir, server.AdminTokenFile))
	require.NoError(t, err)
	owner := dial(t, r, strings.TrimSpace(string(token)))

	e := &rpcEnv{r: r, owner: owner, clients: map[string]map[string]*client.Client{}}
	for name, role := range roles {
		username := "admin"
		if role != aigatewayv1.Role_ROLE_OWNER {
			username = "user-" + strings.ReplaceAll(name, "_", "-")
			_, err := owner.Users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
				Username: username, Role: role,
			})
			require.NoError(t, err)
		}
		tok, err := owner.Users.CreateToken(ctx, &aigatewayv1.CreateTokenRequest{Username: username})
		require.NoError(t, err)

		inproc, err := r.srv.InProcessClient(ctx, username)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inproc.Close() })
		e.clients[name] = map[string]*client.Client{
			"GRPC": dial(t, r, tok.GetSecret()),
			"DRPC": inproc,
		}
	}

	_, err = owner.Providers.CreateProvider(ctx, &aigatewayv1.CreateProviderRequest{
		Name: "base", Type: "openai",
	})
	require.NoError(t, err)
	return e
}

func dial(t *testing.T, r *running, token string) *client.Client {
	t.Helper()

	c, err := client.Dial(r.srv.GRPCAddr(), client.DialOptions{Token: token})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// name returns a name no other call used.
func (e *rpcEnv) name(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, e.seq.Add(1))
}

// ownInterception starts an interception for c's user, or, when c may not
// record, returns one of the owner's.
func (e *rpcEnv) ownInterception(ctx context.Context, t *testing.T, c *client.Client) string {
	resp, err := c.Interceptions.StartInterception(ctx, startRequest())
	if err == nil {
		return resp.GetId()
	}
	resp, err = e.owner.Interceptions.StartInterception(ctx, startRequest())
	require.NoError(t, err)
	return resp.GetId()
}

func startRequest() *aigatewayv1.StartInterceptionRequest {
	return &aigatewayv1.StartInterceptionRequest{
		ProviderName: "base", ProviderType: "openai", Model: "gpt-4.1", Client: "unknown",
		CredentialKind: "centralized", CredentialHint: "sk-a...wxyz",
	}
}

// rpcCase is one RPC and the roles that may call it.
type rpcCase struct {
	name    string
	allowed []string
	call    func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error
}

var everyone = []string{"owner", "auditor", "member", "service_account"}

func rpcCases() []rpcCase {
	readers := []string{"owner", "auditor"}
	recorders := []string{"owner", "member", "service_account"}
	owner := []string{"owner"}
	return []rpcCase{
		{
			"Health/Check", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Health.Check(ctx, &aigatewayv1.CheckRequest{})
				return err
			},
		},
		{
			"Providers/List", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Providers.ListProviders(ctx, &aigatewayv1.ListProvidersRequest{})
				return err
			},
		},
		{
			"Providers/Get", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Providers.GetProvider(ctx, &aigatewayv1.GetProviderRequest{Name: "base"})
				return err
			},
		},
		{
			"Providers/Create", owner,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Providers.CreateProvider(ctx, &aigatewayv1.CreateProviderRequest{
					Name: e.name("p"), Type: "anthropic",
				})
				return err
			},
		},
		{
			"Providers/Update", owner,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				enabled := true
				_, err := c.Providers.UpdateProvider(ctx, &aigatewayv1.UpdateProviderRequest{
					Name: "base", Enabled: &enabled,
				})
				return err
			},
		},
		{
			"Providers/Delete", owner,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				name := e.name("gone")
				_, err := e.owner.Providers.CreateProvider(ctx, &aigatewayv1.CreateProviderRequest{
					Name: name, Type: "openai",
				})
				require.NoError(t, err)
				_, err = c.Providers.DeleteProvider(ctx, &aigatewayv1.DeleteProviderRequest{Name: name})
				return err
			},
		},
		{
			"Providers/AddKey", owner,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Providers.AddProviderKey(ctx, &aigatewayv1.AddProviderKeyRequest{
					Provider: "base", Key: e.name("sk-added-key"),
				})
				return err
			},
		},
		{
			"Providers/RemoveKey", owner,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				k, err := e.owner.Providers.AddProviderKey(ctx, &aigatewayv1.AddProviderKeyRequest{
					Provider: "base", Key: e.name("sk-removed-key"),
				})
				require.NoError(t, err)
				_, err = c.Providers.RemoveProviderKey(ctx, &aigatewayv1.RemoveProviderKeyRequest{
					Provider: "base", KeyId: k.GetKey().GetId(),
				})
				if err != nil {
					// Leave room in the pool for the next case.
					_, rerr := e.owner.Providers.RemoveProviderKey(ctx,
						&aigatewayv1.RemoveProviderKeyRequest{Provider: "base", KeyId: k.GetKey().GetId()})
					require.NoError(t, rerr)
				}
				return err
			},
		},
		{
			"Providers/ListKeys", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Providers.ListProviderKeys(ctx,
					&aigatewayv1.ListProviderKeysRequest{Provider: "base"})
				return err
			},
		},
		{
			"Providers/Health", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Providers.GetProviderHealth(ctx,
					&aigatewayv1.GetProviderHealthRequest{Provider: "base"})
				return err
			},
		},
		{
			"Users/Create", owner,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
					Username: e.name("u"), Role: aigatewayv1.Role_ROLE_MEMBER,
				})
				return err
			},
		},
		{
			"Users/List", owner,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Users.ListUsers(ctx, &aigatewayv1.ListUsersRequest{})
				return err
			},
		},
		{
			"Users/Delete", owner,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				name := e.name("doomed")
				_, err := e.owner.Users.CreateUser(ctx, &aigatewayv1.CreateUserRequest{
					Username: name, Role: aigatewayv1.Role_ROLE_MEMBER,
				})
				require.NoError(t, err)
				_, err = c.Users.DeleteUser(ctx, &aigatewayv1.DeleteUserRequest{Username: name})
				return err
			},
		},
		{
			"Tokens/CreateOwn", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Users.CreateToken(ctx, &aigatewayv1.CreateTokenRequest{})
				return err
			},
		},
		{
			"Tokens/ListOwn", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Users.ListTokens(ctx, &aigatewayv1.ListTokensRequest{})
				return err
			},
		},
		{
			"Tokens/RevokeOwn", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				tok, err := c.Users.CreateToken(ctx, &aigatewayv1.CreateTokenRequest{})
				if err != nil {
					return err
				}
				_, err = c.Users.RevokeToken(ctx, &aigatewayv1.RevokeTokenRequest{Id: tok.GetToken().GetId()})
				return err
			},
		},
		{
			"Secrets/CreateOwn", everyone,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
					Name: e.name("byok:s"), Value: "sk-secret-value",
				})
				return err
			},
		},
		{
			"Secrets/ListOwn", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Users.ListSecrets(ctx, &aigatewayv1.ListSecretsRequest{})
				return err
			},
		},
		{
			"Secrets/UpdateOwn", everyone,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				name := e.name("updated")
				_, err := c.Users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
					Name: name, Value: "v1",
				})
				if err != nil {
					return err
				}
				_, err = c.Users.UpdateSecret(ctx, &aigatewayv1.UpdateSecretRequest{
					Name: name, Value: "v2",
				})
				return err
			},
		},
		{
			"Secrets/DeleteOwn", everyone,
			func(ctx context.Context, _ *testing.T, e *rpcEnv, c *client.Client) error {
				name := e.name("deleted")
				_, err := c.Users.CreateSecret(ctx, &aigatewayv1.CreateSecretRequest{
					Name: name, Value: "v1",
				})
				if err != nil {
					return err
				}
				_, err = c.Users.DeleteSecret(ctx, &aigatewayv1.DeleteSecretRequest{Name: name})
				return err
			},
		},
		{
			"Interceptions/Start", recorders,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.StartInterception(ctx, startRequest())
				return err
			},
		},
		{
			"Interceptions/End", recorders,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.EndInterception(ctx, &aigatewayv1.EndInterceptionRequest{
					Id: e.ownInterception(ctx, t, c), Status: "completed",
				})
				return err
			},
		},
		{
			"Interceptions/RecordTokenUsage", recorders,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.RecordTokenUsage(ctx, &aigatewayv1.RecordTokenUsageRequest{
					InterceptionId: e.ownInterception(ctx, t, c),
					Usage:          &aigatewayv1.TokenUsage{InputTokens: 3, OutputTokens: 4},
				})
				return err
			},
		},
		{
			"Interceptions/RecordPrompt", recorders,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.RecordPrompt(ctx, &aigatewayv1.RecordPromptRequest{
					InterceptionId: e.ownInterception(ctx, t, c), Prompt: "hello",
				})
				return err
			},
		},
		{
			"Interceptions/RecordToolUsage", recorders,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.RecordToolUsage(ctx, &aigatewayv1.RecordToolUsageRequest{
					InterceptionId: e.ownInterception(ctx, t, c),
					ToolUsage:      &aigatewayv1.ToolUsage{Tool: "read", ToolCallId: "c1", Input: "{}"},
				})
				return err
			},
		},
		{
			"Interceptions/RecordThought", recorders,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.RecordThought(ctx, &aigatewayv1.RecordThoughtRequest{
					InterceptionId: e.ownInterception(ctx, t, c), Content: "thinking",
				})
				return err
			},
		},
		{
			"Interceptions/List", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Interceptions.ListInterceptions(ctx, &aigatewayv1.ListInterceptionsRequest{})
				return err
			},
		},
		{
			"Interceptions/Get", readers,
			func(ctx context.Context, t *testing.T, e *rpcEnv, c *client.Client) error {
				resp, err := e.owner.Interceptions.StartInterception(ctx, startRequest())
				require.NoError(t, err)
				_, err = c.Interceptions.GetInterception(ctx,
					&aigatewayv1.GetInterceptionRequest{Id: resp.GetId()})
				return err
			},
		},
		{
			"Audit/List", readers,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				_, err := c.Audit.ListAuditLogs(ctx, &aigatewayv1.ListAuditLogsRequest{})
				return err
			},
		},
		{
			"Completions/Complete", everyone,
			func(ctx context.Context, _ *testing.T, _ *rpcEnv, c *client.Client) error {
				stream, err := c.Completions.Complete(ctx, &aigatewayv1.CompleteRequest{
					Provider: "base", Api: aigatewayv1.Api_API_OPENAI_CHAT_COMPLETIONS,
					Body: []byte(`{"model":"gpt-4.1","messages":[]}`),
				})
				if err != nil {
					return err
				}
				for {
					if _, err := stream.Recv(); err != nil {
						if errors.Is(err, io.EOF) {
							return nil
						}
						return err
					}
				}
			},
		},
	}
}

// TestRoleMatrix calls every RPC as every role over both transports: an
// allowed call succeeds, any other is denied, with the same code on both.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()

	e := setupRPC(t)
	for _, rc := range rpcCases() {
		for role := range roles {
			for transport, c := range e.clients[role] {
				t.Run(rc.name+"/"+role+"/"+transport, func(t *testing.T) {
					err := rc.call(t.Context(), t, e, c)
					if slices.Contains(rc.allowed, role) {
						require.NoError(t, err)
						return
					}
					require.Equal(t, codes.PermissionDenied, status.Code(err), "error: %v", err)
				})
			}
		}
	}
}

// TestUnauthenticated checks that gRPC callers without a valid token get
// Unauthenticated from every service but health.
func TestUnauthenticated(t *testing.T) {
	t.Parallel()

	e := setupRPC(t)
	for token, name := range map[string]string{"": "NoToken", "abcdefghij-bogus": "BadToken"} {
		c := dial(t, e.r, token)
		for _, rc := range rpcCases() {
			if rc.name == "Health/Check" {
				continue
			}
			t.Run(name+"/"+rc.name, func(t *testing.T) {
				err := rc.call(t.Context(), t, e, c)
				require.Equal(t, codes.Unauthenticated, status.Code(err), "error: %v", err)
			})
		}
	}
}
