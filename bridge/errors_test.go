package bridge_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/gen/db"
	"github.com/aigateway/aigateway/providers"
	"github.com/aigateway/aigateway/recorder"
)

// shapeCase is a bridged route whose errors come in one provider's shape.
type shapeCase struct {
	name      string
	provider  string
	path      string
	anthropic bool
}

var shapeCases = []shapeCase{
	{name: "Anthropic", provider: "anthropic", path: "/v1/messages", anthropic: true},
	{name: "OpenAI", provider: "openai", path: "/v1/chat/completions"},
}

// prefixes are the two spellings of the data plane's routes.
var prefixes = []string{"/api/v2/ai-gateway/", "/api/v2/aibridge/"}

// validBody is a request that the gateway would send upstream.
const validBody = `{"model":"m-1","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`

// gatewayErr is an error the gateway answers itself, as a client sees it.
type gatewayErr struct {
	status        int
	anthropicType string
	openaiType    string
	openaiCode    string
	// message is a part of the message that the client must see; in a
	// table of cases, {provider} stands for the provider's name.
	message string
}

func notFound(msg string) gatewayErr {
	return gatewayErr{
		http.StatusNotFound, "not_found_error", "invalid_request_error", "not_found", msg,
	}
}

func unauthenticated() gatewayErr {
	return gatewayErr{
		http.StatusUnauthorized, "authentication_error", "invalid_request_error",
		"invalid_api_key", "gateway token",
	}
}

func unavailable(msg string) gatewayErr {
	return gatewayErr{
		http.StatusServiceUnavailable, "api_error", "server_error", "provider_unavailable", msg,
	}
}

// errorCase is one row of the error table: a request, and the gateway's
// answer to it in either shape.
type errorCase struct {
	name string
	opts func(*bridge.Options)
	// prepare changes the gateway before the requests; may be nil.
	prepare func(g *gateway)
	// request builds the request; url is the gateway URL of the route.
	request func(g *gateway, url string) *http.Request
	// provider and path replace those of the shape when set.
	provider, path string
	want           gatewayErr
	// recorded is set when the gateway records the refused request.
	recorded bool
}

// TestGatewayErrors checks every error the gateway makes itself, in both
// error shapes and under both route spellings, and that none of these
// requests reaches the upstream.
func TestGatewayErrors(t *testing.T) {
	t.Parallel()

	cases := []errorCase{
		{name: "UnknownRoute", path: "/v1/nothing", want: notFound("/v1/nothing")},
		{name: "UnknownProvider", provider: "nope", want: notFound(`"nope"`)},
		{
			name: "MissingToken", want: unauthenticated(),
			request: func(g *gateway, url string) *http.Request {
				return g.request(url, validBody)
			},
		},
		{name: "MalformedToken", want: unauthenticated(), request: withToken("not-a-token")},
		{
			name: "UnknownToken", want: unauthenticated(),
			request: func(g *gateway, url string) *http.Request {
				tok, err := apitoken.New()
				require.NoError(g.t, err)
				return withToken(tok.String())(g, url)
			},
		},
		{
			name: "ExpiredToken", want: unauthenticated(),
			request: func(g *gateway, url string) *http.Request {
				return withToken(g.issueToken(time.Now().Add(-time.Minute), false))(g, url)
			},
		},
		{
			name: "RevokedToken", want: unauthenticated(),
			request: func(g *gateway, url string) *http.Request {
				return withToken(g.issueToken(time.Time{}, true))(g, url)
			},
		},
		{
			name: "BYOKDisabled",
			opts: func(o *bridge.Options) { o.DisallowBYOK = true },
			request: func(g *gateway, url string) *http.Request {
				req := g.request(url, validBody)
				req.Header.Set(bridge.HeaderGovernanceToken, g.token)
				req.Header.Set("Authorization", "Bearer sk-client-own-key-000000000000")
				return req
			},
			want: gatewayErr{
				http.StatusForbidden, "permission_error", "invalid_request_error",
				"byok_disabled", "--allow-byok (CODER_AI_GATEWAY_ALLOW_BYOK=true)",
			},
		},
		{
			name: "BodyTooLarge",
			request: func(g *gateway, url string) *http.Request {
				return g.authorized(url, strings.Repeat("x", 32<<20+1))
			},
			want: gatewayErr{
				http.StatusRequestEntityTooLarge, "request_too_large", "invalid_request_error",
				"request_too_large", "32 MiB",
			},
		},
		{
			name:    "InvalidJSON",
			request: func(g *gateway, url string) *http.Request { return g.authorized(url, `{"model":`) },
			want: gatewayErr{
				http.StatusBadRequest, "invalid_request_error", "invalid_request_error",
				"invalid_request", "",
			},
		},
		{
			name: "NoModel",
			request: func(g *gateway, url string) *http.Request {
				return g.authorized(url, `{"messages":[{"role":"user","content":"hi"}]}`)
			},
			want: gatewayErr{
				http.StatusBadRequest, "invalid_request_error", "invalid_request_error",
				"invalid_request", "model",
			},
		},
		{
			name: "GatewayDisabled",
			opts: func(o *bridge.Options) { o.Disabled = true },
			want: unavailable("CODER_AI_GATEWAY_ENABLED=false"),
		},
		{
			name: "ProviderDisabled",
			prepare: func(g *gateway) {
				g.swapProviders(func(p *providers.Provider) { p.Enabled = false })
			},
			want: unavailable(`provider "{provider}" is disabled`), recorded: true,
		},
		{
			name:    "NoKeys",
			prepare: func(g *gateway) { g.swapProviders(func(p *providers.Provider) { p.Keys = nil }) },
			want:    unavailable(`provider "{provider}" has no keys configured`), recorded: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runErrorCase(t, tc, shapeCases)
		})
	}

	t.Run("Bedrock", func(t *testing.T) {
		t.Parallel()
		runErrorCase(t, errorCase{
			prepare: func(g *gateway) {
				g.swapProviders(func(p *providers.Provider) {
					p.Bedrock = &providers.Bedrock{Region: "us-east-1", Model: "claude"}
				})
			},
			want: gatewayErr{
				http.StatusNotImplemented, "api_error", "server_error", "not_implemented",
				`Bedrock is not supported yet (provider "{provider}")`,
			},
			recorded: true,
		}, shapeCases[:1])
	})
}

// runErrorCase sends the case's request on each shape's route under both
// spellings and checks each answer, what was recorded, and that the
// upstream saw nothing.
func runErrorCase(t *testing.T, tc errorCase, shapes []shapeCase) {
	g := setup(t, func(o *bridge.Options) {
		if tc.opts != nil {
			tc.opts(o)
		}
	})
	if tc.prepare != nil {
		tc.prepare(g)
	}
	request := tc.request
	if request == nil {
		request = func(g *gateway, url string) *http.Request { return g.authorized(url, validBody) }
	}

	for _, sh := range shapes {
		provider, path := sh.provider, sh.path
		if tc.provider != "" {
			provider = tc.provider
		}
		if tc.path != "" {
			path = tc.path
		}
		for _, prefix := range prefixes {
			url := g.srv.URL + prefix + provider + path
			resp, err := http.DefaultClient.Do(request(g, url))
			require.NoError(t, err)
			defer resp.Body.Close()
			want := tc.want
			want.message = strings.ReplaceAll(want.message, "{provider}", provider)
			requireGatewayErr(t, resp, sh.anthropic, want)

			id := resp.Header.Get(bridge.HeaderInterceptionID)
			if !tc.recorded {
				require.Empty(t, id, "%s %s: nothing recorded", sh.name, prefix)
				continue
			}
			ic := g.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
			require.Contains(t, ic.ErrorMessage, want.message)
			require.Zero(t, ic.UpstreamStatus)
			require.Empty(t, ic.TokenUsages)
			require.Equal(t, "m-1", ic.Model)
		}
	}
	require.Empty(t, g.upstream.seen(), "nothing goes upstream")
}

// requireGatewayErr checks an answer of the gateway: status, and a body in
// the expected shape.
func requireGatewayErr(t *testing.T, resp *http.Response, anthropic bool, want gatewayErr) {
	t.Helper()

	body := readAll(t, resp)
	require.Equal(t, want.status, resp.StatusCode, "%s", body)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))

	var got struct {
		Type  *string `json:"type"`
		Error struct {
			Type    string          `json:"type"`
			Message string          `json:"message"`
			Code    *string         `json:"code"`
			Param   json.RawMessage `json:"param"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &got), "%s", body)
	require.Contains(t, got.Error.Message, want.message)
	if anthropic {
		require.NotNil(t, got.Type, "outer type: %s", body)
		require.Equal(t, "error", *got.Type)
		require.Equal(t, want.anthropicType, got.Error.Type)
		require.Nil(t, got.Error.Code)
		return
	}
	require.Nil(t, got.Type, "no outer type: %s", body)
	require.Equal(t, want.openaiType, got.Error.Type)
	require.NotNil(t, got.Error.Code)
	require.Equal(t, want.openaiCode, *got.Error.Code)
	require.Equal(t, "null", string(got.Error.Param))
}

// TestErrorShapeByPath checks the shape of an error on a path that names no
// provider: the Messages API is Anthropic-shaped, anything else OpenAI.
func TestErrorShapeByPath(t *testing.T) {
	t.Parallel()

	g := setup(t)
	for _, tc := range []struct {
		path      string
		anthropic bool
	}{
		{"/api/v2/ai-gateway/nope/v1/messages/count_tokens", true},
		{"/api/v2/aibridge/nope/v1/messages", true},
		{"/api/v2/ai-gateway/nope/v1/responses", false},
		{"/api/v2/ai-gateway/", false},
		{"/api/v2/elsewhere/v1/messages", false},
	} {
		resp, err := http.DefaultClient.Do(g.authorized(g.srv.URL+tc.path, validBody))
		require.NoError(t, err)
		defer resp.Body.Close()
		requireGatewayErr(t, resp, tc.anthropic, notFound(""))
	}
	require.Empty(t, g.upstream.seen())
}

// request builds a POST of body to url without credentials.
func (g *gateway) request(url, body string) *http.Request {
	g.t.Helper()

	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(g.t, err)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// authorized builds a POST of body to url with the gateway token.
func (g *gateway) authorized(url, body string) *http.Request {
	req := g.request(url, body)
	req.Header.Set("Authorization", "Bearer "+g.token)
	return req
}

// withToken builds a valid request that presents token.
func withToken(token string) func(g *gateway, url string) *http.Request {
	return func(g *gateway, url string) *http.Request {
		req := g.request(url, validBody)
		req.Header.Set("Authorization", "Bearer "+token)
		return req
	}
}

// issueToken adds a token of the test's user that expires at expires (never
// when zero), revoked if asked, and returns it.
func (g *gateway) issueToken(expires time.Time, revoked bool) string {
	g.t.Helper()

	ctx := g.t.Context()
	tok, err := apitoken.New()
	require.NoError(g.t, err)
	_, err = g.st.Queries.InsertAPIToken(ctx, db.InsertAPITokenParams{
		ID: tok.ID, UserID: g.userID, HashedSecret: tok.Hash(),
		ExpiresAt: pgtype.Timestamptz{Time: expires, Valid: !expires.IsZero()},
	})
	require.NoError(g.t, err)
	if revoked {
		n, err := g.st.Queries.RevokeAPIToken(ctx, tok.ID)
		require.NoError(g.t, err)
		require.Equal(g.t, int64(1), n)
	}
	return tok.String()
}

// swapProviders replaces the provider set with copies of its providers
// changed by change.
func (g *gateway) swapProviders(change func(p *providers.Provider)) {
	old := g.set.Current()
	var next []*providers.Provider
	for _, name := range []string{"openai", "anthropic"} {
		p, ok := old.Get(name)
		require.True(g.t, ok)
		cp := *p
		cp.ID = uuid.New()
		change(&cp)
		next = append(next, &cp)
	}
	g.set.set.Store(providers.NewSet(next...))
}
