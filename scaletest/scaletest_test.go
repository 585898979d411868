package scaletest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aigateway/aigateway/fakellm"
	"github.com/aigateway/aigateway/scaletest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startFake starts fakellm with a short delay before the first byte.
func startFake(t *testing.T) *httptest.Server {
	t.Helper()
	srv := fakellm.New(fakellm.Options{
		Keys: []string{"sk-smoke"}, Delay: 20 * time.Millisecond,
		Chunks: 5, ChunkDelay: 2 * time.Millisecond,
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return hs
}

// TestSmoke runs a second of load of each API, blocking and streaming,
// straight at fakellm, and checks that every request succeeded and that
// the percentiles are sane.
func TestSmoke(t *testing.T) {
	t.Parallel()
	hs := startFake(t)

	for _, api := range []scaletest.API{
		scaletest.APIChat, scaletest.APIResponses, scaletest.APIMessages,
	} {
		for _, stream := range []bool{false, true} {
			name := string(api) + map[bool]string{false: "/blocking", true: "/streaming"}[stream]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var progress bytes.Buffer
				rep, err := scaletest.Run(t.Context(), scaletest.Options{
					URL: hs.URL, Token: "sk-smoke", API: api, Stream: stream, Tools: true,
					Rate: 40, Duration: time.Second, Warmup: 200 * time.Millisecond,
					Progress: &progress,
				})
				require.NoError(t, err)
				require.Empty(t, rep.Errors)
				require.InDelta(t, 40, rep.Sent, 2)
				require.Equal(t, rep.Sent, rep.OK)
				require.Positive(t, rep.WarmupSent)

				lat, fb := rep.Latency, rep.FirstByte
				require.GreaterOrEqual(t, fb.P50, 20.0, "first byte after the delay")
				require.LessOrEqual(t, fb.P50, lat.P50)
				require.LessOrEqual(t, lat.P50, lat.P90)
				require.LessOrEqual(t, lat.P90, lat.P99)
				require.LessOrEqual(t, lat.P99, lat.P999)
				require.LessOrEqual(t, lat.P999, lat.Max)
				if stream {
					require.GreaterOrEqual(t, lat.P50, 20.0+4*2, "chunk gaps")
				}
				require.Contains(t, progress.String(), "measure")

				_, err = json.Marshal(rep)
				require.NoError(t, err)
			})
		}
	}
}

// TestErrorKinds checks that failures are counted by kind.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	hs := startFake(t)

	tests := []struct {
		name   string
		stream bool
		fault  string
		token  string
		kind   string
	}{
		{"rate limited", false, "429", "sk-smoke", "http_429"},
		{"wrong key", true, "", "sk-wrong", "http_401"},
		{"stream error", true, "stream-error", "sk-smoke", scaletest.KindIncomplete},
		{"cut", true, "cut", "sk-smoke", scaletest.KindRead},
		{"cut blocking", false, "cut", "sk-smoke", scaletest.KindRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.fault != "" {
				h.Set(fakellm.HeaderFault, tt.fault)
			}
			rep, err := scaletest.Run(t.Context(), scaletest.Options{
				URL: hs.URL, Token: tt.token, Stream: tt.stream, Header: h,
				Rate: 20, Duration: 250 * time.Millisecond,
			})
			require.NoError(t, err)
			require.Zero(t, rep.OK)
			require.Equal(t, map[string]int64{tt.kind: rep.Sent}, rep.Errors)
		})
	}

	t.Run("overrun", func(t *testing.T) {
		t.Parallel()
		h := http.Header{fakellm.HeaderDelay: {"400ms"}}
		rep, err := scaletest.Run(t.Context(), scaletest.Options{
			URL: hs.URL, Token: "sk-smoke", Header: h, MaxInFlight: 1,
			Rate: 20, Duration: 250 * time.Millisecond,
		})
		require.NoError(t, err)
		require.EqualValues(t, 1, rep.Sent)
		require.EqualValues(t, 1, rep.OK)
		require.Positive(t, rep.Errors[scaletest.KindOverrun])
	})
}

func TestOptionsChecked(t *testing.T) {
	t.Parallel()
	for _, opts := range []scaletest.Options{
		{Rate: 1, Duration: time.Second},
		{URL: "127.0.0.1:1", Rate: 1, Duration: time.Second},
		{URL: "http://127.0.0.1:1", Duration: time.Second},
		{URL: "http://127.0.0.1:1", Rate: 1},
		{URL: "http://127.0.0.1:1", Rate: 1, Duration: time.Second, API: "grpc"},
	} {
		_, err := scaletest.Run(t.Context(), opts)
		require.Error(t, err)
	}
}
