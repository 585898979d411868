package bridge_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/keyfailover"
)

// TestDumps checks that each interception writes its request and response
// under <dir>/<provider name>/, readable by the gateway's user only, with
// every credential masked.
func TestDumps(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		api, fixture, key string
		byok              bool
	}{
		{"Messages", "blocking_text", anthropicKey, false},
		{"ChatCompletions", "stream_text", openaiKey, false},
		{"Messages", "stream_thinking", "", true},
	} {
		name := tc.api + "/" + tc.fixture
		if tc.byok {
			name += "/BYOK"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			dir := t.TempDir()
			g := setup(t, func(o *bridge.Options) { o.DumpDir = dir })
			ac := apiNamed(tc.api)
			f := fixtureNamed(t, ac, tc.fixture)
			answer := replayed(f)
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				// An upstream that echoes the key it got in a header.
				w.Header().Set("X-Debug-Credential", r.Header.Get("X-Api-Key")+
					r.Header.Get("Authorization"))
				answer(w, r)
			})

			var resp *http.Response
			if tc.byok {
				bc := byokCases[0]
				resp = g.sendBYOK(bc, ac.path, string(f.Request))
			} else {
				resp = g.post(ac.provider, ac.path, string(f.Request), "X-Api-Key", g.token)
			}
			require.Equal(t, string(f.Client), string(readAll(t, resp)))
			id := g.interception(resp).ID.String()

			folder := filepath.Join(dir, ac.provider)
			entries, err := os.ReadDir(folder)
			require.NoError(t, err)
			require.Len(t, entries, 2)
			request := readDump(t, filepath.Join(folder, id+".request"))
			response := readDump(t, filepath.Join(folder, id+".response"))

			require.True(t, strings.HasPrefix(request, "POST /api/v2/ai-gateway/"+ac.provider+ac.path+"\n"))
			require.True(t, strings.HasSuffix(request, "\n\n"+string(f.Request)), request)
			require.True(t, strings.HasPrefix(response, "200 OK\n"), response)
			require.True(t, strings.HasSuffix(response, "\n\n"+string(f.Response)), response)

			// Credentials appear masked, and the key the upstream echoed not
			// at all.
			all := request + response
			require.NotContains(t, all, g.token)
			require.NotContains(t, all, clientAnthropicKey)
			if tc.key != "" {
				require.NotContains(t, all, tc.key)
			}
			if tc.byok {
				require.Contains(t, request, "X-Api-Key: "+keyfailover.Mask(clientAnthropicKey)+"\n")
				require.Contains(t, request, http.CanonicalHeaderKey(bridge.HeaderGovernanceToken)+": "+
					keyfailover.Mask(g.token)+"\n")
			} else {
				require.Contains(t, request, "X-Api-Key: "+keyfailover.Mask(g.token)+"\n")
				require.Contains(t, request, "Authorization: "+
					keyfailover.Mask("Bearer "+g.token)+"\n")
			}
		})
	}
}

// readDump reads a dump file and checks that only its owner may read it.
func readDump(t *testing.T, path string) string {
	t.Helper()

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
