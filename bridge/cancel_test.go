package bridge_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/bridge"
	"github.com/aigateway/aigateway/recorder"
)

// stall answers with the head of a stream, then waits for the gateway to
// give up on the call and closes canceled.
func stall(head string, canceled chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if head != "" {
			serve(http.StatusOK, "text/event-stream", []byte(head), 0)(w, r)
		}
		<-r.Context().Done()
		close(canceled)
	}
}

// waitClosed fails the test unless ch is closed within ten seconds.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()

	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal(what)
	}
}

// streamHead is the first three events of the Anthropic text stream:
// message_start, which carries the input usage, a block start and a ping.
func streamHead(t *testing.T) (string, []byte) {
	f := fixtureNamed(t, apiNamed("Messages"), "stream_text")
	return strings.Join(splitEvents(f.Response)[:3], ""), f.Request
}

// TestClientHangsUp checks that a client that goes away mid-stream cancels
// the upstream call, and that the interception is recorded as canceled with
// the usage seen so far.
func TestClientHangsUp(t *testing.T) {
	t.Parallel()

	g := setup(t)
	head, request := streamHead(t)
	canceled := make(chan struct{})
	g.upstream.handle(stall(head, canceled))

	resp := g.post("anthropic", "/v1/messages", string(request))
	require.Equal(t, head, string(readWithin(t, resp.Body, len(head))))
	require.NoError(t, resp.Body.Close())
	waitClosed(t, canceled, "the upstream call was not canceled")

	ic := g.interception(resp)
	require.Equal(t, recorder.StatusCanceled, ic.Status)
	require.Equal(t, recorder.ErrorTypeCanceled, ic.ErrorType)
	require.Equal(t, http.StatusOK, ic.UpstreamStatus)
	require.Len(t, ic.TokenUsages, 1)
	u := ic.TokenUsages[0]
	require.Equal(t, [4]int64{38, 1, 0, 0}, [4]int64{u.Input, u.Output, u.CacheRead, u.CacheWrite})
}

// TestIdleTimeout checks that a stream that goes quiet is ended with an
// error event after the events that came, and recorded as a timeout.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()

	g := setup(t, func(o *bridge.Options) { o.IdleTimeout = 200 * time.Millisecond })
	head, request := streamHead(t)
	canceled := make(chan struct{})
	g.upstream.handle(stall(head, canceled))

	resp := g.post("anthropic", "/v1/messages", string(request))
	body := string(readAll(t, resp))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(body, head), "client got:\n%s", body)
	tail := body[len(head):]
	require.True(t, strings.HasPrefix(tail, "event: error\ndata: "), "tail:\n%s", tail)
	require.Contains(t, tail, `"type":"api_error"`)
	require.Contains(t, tail, "went quiet")
	waitClosed(t, canceled, "the upstream call was not canceled")

	ic := g.interception(resp)
	require.Equal(t, recorder.StatusFailed, ic.Status)
	require.Equal(t, recorder.ErrorTypeTimeout, ic.ErrorType)
	require.Contains(t, ic.ErrorMessage, "went quiet")
	require.Len(t, ic.TokenUsages, 1)
	require.Equal(t, int64(38), ic.TokenUsages[0].Input)
}

// TestHeaderTimeout checks that a streaming request whose upstream sends no
// headers in time gets a 504 in the provider's shape, and that a blocking
// request is bounded by its own timeout; both are recorded as timeouts.
func TestHeaderTimeout(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		stream  bool
		options func(*bridge.Options)
	}{
		{"Stream", true, func(o *bridge.Options) { o.HeaderTimeout = 50 * time.Millisecond }},
		{"Blocking", false, func(o *bridge.Options) { o.BlockingTimeout = 50 * time.Millisecond }},
	} {
		for _, sh := range shapeCases {
			t.Run(tc.name+"/"+sh.name, func(t *testing.T) {
				t.Parallel()

				g := setup(t, tc.options)
				canceled := make(chan struct{})
				g.upstream.handle(stall("", canceled))

				body := validBody
				if tc.stream {
					body = strings.Replace(validBody, `{"model"`, `{"stream":true,"model"`, 1)
				}
				resp := g.post(sh.provider, sh.path, body)
				defer resp.Body.Close()
				requireGatewayErr(t, resp, sh.anthropic, gatewayErr{
					http.StatusGatewayTimeout, "api_error", "server_error", "upstream_error",
					`provider "` + sh.provider + `" did not answer in time`,
				})
				waitClosed(t, canceled, "the upstream call was not canceled")

				ic := g.interception(resp)
				require.Equal(t, recorder.StatusFailed, ic.Status)
				require.Equal(t, recorder.ErrorTypeTimeout, ic.ErrorType)
				require.Zero(t, ic.UpstreamStatus)
				require.Empty(t, ic.TokenUsages)
			})
		}
	}
}

// TestBlockingTimeoutInBody checks that a blocking answer whose body stalls
// after its headers is ended by the blocking timeout too, and answered and
// recorded as a timeout.
func TestBlockingTimeoutInBody(t *testing.T) {
	t.Parallel()

	g := setup(t, func(o *bridge.Options) { o.BlockingTimeout = 100 * time.Millisecond })
	canceled := make(chan struct{})
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"id":"msg_01`))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
		close(canceled)
	})

	resp := g.post("anthropic", "/v1/messages", validBody)
	defer resp.Body.Close()
	requireGatewayErr(t, resp, true, gatewayErr{
		http.StatusGatewayTimeout, "api_error", "server_error", "upstream_error",
		`provider "anthropic" did not answer in time`,
	})
	waitClosed(t, canceled, "the upstream call was not canceled")

	ic := g.interception(resp)
	require.Equal(t, recorder.StatusFailed, ic.Status)
	require.Equal(t, recorder.ErrorTypeTimeout, ic.ErrorType)
	require.Equal(t, http.StatusOK, ic.UpstreamStatus)
}

// TestClientLeavesAfterEnd checks that a client that hangs up as soon as it
// has the terminal event, as the OpenAI clients do at [DONE], leaves a
// completed interception, even though the upstream had not closed yet.
func TestClientLeavesAfterEnd(t *testing.T) {
	t.Parallel()

	g := setup(t)
	f := fixtureNamed(t, apiNamed("ChatCompletions"), "stream_text")
	canceled := make(chan struct{})
	g.upstream.handle(stall(string(f.Response), canceled))

	resp := g.post("openai", "/v1/chat/completions", string(f.Request))
	require.Equal(t, string(f.Client), string(readWithin(t, resp.Body, len(f.Client))))
	require.NoError(t, resp.Body.Close())
	waitClosed(t, canceled, "the upstream call was not canceled")

	ic := g.interception(resp)
	require.Equal(t, recorder.StatusCompleted, ic.Status, ic.ErrorMessage)
	require.Empty(t, ic.ErrorType)
	requireRecorded(t, f.Want.Record, ic)
}

// TestClientLeavesAfterError checks that a client that hangs up on reading
// the provider's error event, as the OpenAI clients do, leaves the
// interception failed with that error, not canceled.
func TestClientLeavesAfterError(t *testing.T) {
	t.Parallel()

	g := setup(t)
	f := fixtureNamed(t, apiNamed("ChatCompletions"), "stream_error")
	canceled := make(chan struct{})
	g.upstream.handle(stall(string(f.Response), canceled))

	resp := g.post("openai", "/v1/chat/completions", string(f.Request))
	require.Equal(t, string(f.Response), string(readWithin(t, resp.Body, len(f.Response))))
	require.NoError(t, resp.Body.Close())
	waitClosed(t, canceled, "the upstream call was not canceled")

	ic := g.interception(resp)
	require.Equal(t, recorder.StatusFailed, ic.Status)
	require.Equal(t, recorder.ErrorTypeServerError, ic.ErrorType)
	require.Equal(t, f.Want.Record.ErrorMessage, ic.ErrorMessage)
}

// TestClientLeavesBeforeHeaders checks that a client that gives up before
// the upstream answered cancels the upstream call and is recorded as
// canceled, not as an upstream failure.
func TestClientLeavesBeforeHeaders(t *testing.T) {
	t.Parallel()

	recorded := make(chan *recorder.Interception, 1)
	g := setup(t, func(o *bridge.Options) {
		o.Recorder = &capture{next: o.Recorder, ch: recorded}
	})
	arrived, canceled := make(chan struct{}), make(chan struct{})
	g.upstream.handle(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
		close(canceled)
	})

	ctx, cancel := context.WithCancel(t.Context())
	req := g.authorized(g.url("anthropic", "/v1/messages"), validBody).WithContext(ctx)
	go func() {
		<-arrived
		cancel()
	}()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	require.ErrorIs(t, err, context.Canceled)
	waitClosed(t, canceled, "the upstream call was not canceled")

	var ic *recorder.Interception
	select {
	case ic = <-recorded:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing recorded")
	}
	require.Equal(t, recorder.StatusCanceled, ic.Status, ic.ErrorMessage)
	require.Equal(t, recorder.ErrorTypeCanceled, ic.ErrorType)
	require.Zero(t, ic.UpstreamStatus)
}

// capture hands each interception to ch as well as to the next recorder.
type capture struct {
	next bridge.Recorder
	ch   chan<- *recorder.Interception
}

func (c *capture) Record(ic *recorder.Interception) {
	c.ch <- ic
	c.next.Record(ic)
}
