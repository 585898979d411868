package bridge_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/aigateway/aigateway/keyfailover"
	"github.com/aigateway/aigateway/recorder"
)

// TestIncludeUsage checks the one change the gateway makes to a stream: a
// chat client that did not ask for usage gets the request sent with
// include_usage, and does not get the usage-only chunk that brings.
func TestIncludeUsage(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		options string // the client's stream_options; "" for none
		dropped bool
	}{
		{name: "Absent", dropped: true},
		{name: "Null", options: `null`, dropped: true},
		{name: "False", options: `{"include_usage":false}`, dropped: true},
		{name: "Asked", options: `{"include_usage":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, apiNamed("ChatCompletions"), "stream_text")
			g.answerWith(f)
			body := `{"model":"gpt-4.1","stream":true,` +
				`"messages":[{"role":"user","content":"And of Italy?"}]}`
			if tc.options != "" {
				body = `{"model":"gpt-4.1","stream":true,"stream_options":` + tc.options +
					`,"messages":[{"role":"user","content":"And of Italy?"}]}`
			}

			resp := g.post("openai", "/v1/chat/completions", body)
			defer resp.Body.Close()
			got := string(readAll(t, resp))
			if tc.dropped {
				require.Equal(t, string(f.Client), got)
				require.Less(t, len(f.Client), len(f.Response), "the fixture drops a chunk")
			} else {
				require.Equal(t, string(f.Response), got)
			}

			seen := g.upstream.seen()
			require.Len(t, seen, 1)
			require.True(t, gjson.GetBytes(seen[0].Body, "stream_options.include_usage").Bool())
			require.Equal(t, "And of Italy?", gjson.GetBytes(seen[0].Body, "messages.0.content").Str)
			if !tc.dropped {
				require.Equal(t, body, string(seen[0].Body), "sent unchanged")
			}

			ic := g.interception(resp)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
			requireRecorded(t, f.Want.Record, ic)
		})
	}
}

// TestGzipUpstream checks that a body the upstream compressed reaches the
// client plain, without a Content-Encoding, and is parsed all the same.
func TestGzipUpstream(t *testing.T) {
	t.Parallel()

	for _, name := range []string{"blocking_text", "stream_text"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			f := fixtureNamed(t, apiNamed("Messages"), name)
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if f.Streaming {
					w.Header().Set("Content-Type", "text/event-stream")
				}
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				_, _ = zw.Write(f.Response)
				_ = zw.Close()
			})

			// A client that would see a compressed body as it came.
			tr := &http.Transport{DisableCompression: true}
			t.Cleanup(tr.CloseIdleConnections)
			req := g.authorized(g.url("anthropic", "/v1/messages"), string(f.Request))
			resp, err := (&http.Client{Transport: tr}).Do(req)
			require.NoError(t, err)
			require.Equal(t, string(f.Client), string(readAll(t, resp)))
			require.Empty(t, resp.Header.Get("Content-Encoding"))
			require.Equal(t, "gzip", g.upstream.seen()[0].Header.Get("Accept-Encoding"))

			ic := g.interception(resp)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
			requireRecorded(t, f.Want.Record, ic)
		})
	}
}

// TestStreamKeepAliveAndSplit checks that comment and keep-alive lines
// reach the client unchanged and in place, with a stream the upstream sends
// one byte at a time.
func TestStreamKeepAliveAndSplit(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct{ api, fixture string }{
		{"Messages", "stream_text"},
		{"ChatCompletions", "stream_client_usage"},
		{"Responses", "stream_text"},
	} {
		t.Run(tc.api, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(tc.api)
			f := fixtureNamed(t, ac, tc.fixture)
			require.Equal(t, f.Response, f.Client, "the client gets every event")
			stream := []byte(": OPENROUTER PROCESSING\n\n" +
				strings.Join(splitEvents(f.Response), ": keep-alive\n\n"))
			g.upstream.handle(serve(http.StatusOK, "text/event-stream", stream, 1))

			resp := g.post(ac.provider, ac.path, string(f.Request))
			defer resp.Body.Close()
			require.Equal(t, string(stream), string(readAll(t, resp)))

			ic := g.interception(resp)
			require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
			requireRecorded(t, f.Want.Record, ic)
		})
	}
}

// TestStreamFlushesEachEvent checks that an event reaches the client as
// soon as it is complete, before the upstream sends the next.
func TestStreamFlushesEachEvent(t *testing.T) {
	t.Parallel()

	g := setup(t)
	f := fixtureNamed(t, apiNamed("Messages"), "stream_text")
	first := []byte(splitEvents(f.Response)[0])
	clientGot := make(chan struct{})
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		serve(http.StatusOK, "text/event-stream", first, 1)(w, r)
		select {
		case <-clientGot:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write(f.Response[len(first):])
	})

	resp := g.post("anthropic", "/v1/messages", string(f.Request))
	defer resp.Body.Close()
	require.Equal(t, string(first), string(readWithin(t, resp.Body, len(first))))
	close(clientGot)
	require.Equal(t, string(f.Response[len(first):]), string(readAll(t, resp)))
	require.Equal(t, recorder.StatusCompleted, g.interception(resp).Status)
}

// TestUpstreamErrorBeforeStream checks that an error the upstream answers a
// streaming request with keeps its status and body.
func TestUpstreamErrorBeforeStream(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		api       string
		status    int
		body      string
		errorType recorder.ErrorType
		message   string
	}{
		{
			"Messages", 529,
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			recorder.ErrorTypeOverloaded, "Overloaded",
		},
		{
			"ChatCompletions", http.StatusInternalServerError,
			`{"error":{"message":"The server had an error.","type":"server_error",` +
				`"param":null,"code":null}}`,
			recorder.ErrorTypeServerError, "The server had an error.",
		},
		{
			"Responses", http.StatusBadRequest, openaiContextError,
			recorder.ErrorTypeBadRequest, "This model's maximum context length is 128000 tokens.",
		},
	} {
		t.Run(tc.api, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(tc.api)
			g.upstream.handle(serve(tc.status, "application/json", []byte(tc.body), 0))

			resp := g.post(ac.provider, ac.path, string(fixtureNamed(t, ac, "stream_text").Request))
			require.Equal(t, tc.body, string(readAll(t, resp)))
			require.Equal(t, tc.status, resp.StatusCode)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))

			ic := g.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, tc.errorType, ic.ErrorType)
			require.Equal(t, tc.message, ic.ErrorMessage)
			require.Equal(t, tc.status, ic.UpstreamStatus)
			require.Empty(t, ic.TokenUsages)
		})
	}
}

// TestKeyEchoMasked checks that a provider key the upstream echoes, in an
// error body, a header or a stream, reaches the client only masked.
func TestKeyEchoMasked(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, api, key, contentType, body string
		status                            int
	}{
		{
			"Messages", "Messages", anthropicKey, "application/json",
			`{"type":"error","error":{"type":"invalid_request_error",` +
				`"message":"key ` + anthropicKey + ` may not use this model"}}`,
			http.StatusBadRequest,
		},
		{
			"ChatCompletions", "ChatCompletions", openaiKey, "application/json",
			`{"error":{"message":"key ` + openaiKey + ` may not use this model",` +
				`"type":"invalid_request_error","param":null,"code":null}}`,
			http.StatusBadRequest,
		},
		{
			"MessagesStream", "Messages", anthropicKey, "text/event-stream",
			"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"," +
				"\"message\":\"key " + anthropicKey + " may not use this model\"}}\n\n",
			http.StatusOK,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			g := setup(t)
			ac := apiNamed(tc.api)
			g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Debug-Credential", "Bearer "+tc.key)
				serve(tc.status, tc.contentType, []byte(tc.body), 5)(w, r)
			})

			resp := g.post(ac.provider, ac.path, string(fixtureNamed(t, ac, "stream_text").Request))
			body := string(readAll(t, resp))
			require.Equal(t, tc.status, resp.StatusCode)
			require.NotContains(t, body, tc.key)
			require.NotContains(t, headerText(resp.Header), tc.key)
			masked := "key " + keyfailover.Mask(tc.key) + " may not use this model"
			require.Contains(t, body, masked)
			require.Equal(t, "Bearer "+keyfailover.Mask(tc.key), resp.Header.Get("X-Debug-Credential"))

			ic := g.interception(resp)
			require.Equal(t, recorder.StatusFailed, ic.Status)
			require.Equal(t, masked, ic.ErrorMessage)
		})
	}
}

// splitEvents splits a stream after each blank line.
func splitEvents(stream []byte) []string {
	events := strings.SplitAfter(string(stream), "\n\n")
	if events[len(events)-1] == "" {
		events = events[:len(events)-1]
	}
	return events
}

// readWithin reads n bytes of r, failing the test when they do not come
// within ten seconds.
func readWithin(t *testing.T, r io.Reader, n int) []byte {
	t.Helper()

	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, n)
		k, _ := io.ReadFull(r, b)
		got <- b[:k]
	}()
	select {
	case b := <-got:
		return b
	case <-time.After(10 * time.Second):
		t.Fatalf("%d bytes did not arrive", n)
		return nil
	}
}
