package fakellm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/fakellm"
)

// requireStatus checks that err is an SDK's API error with status, and
// returns the response's headers and the error's type.
func requireStatus(t *testing.T, err error, status int) (http.Header, string) {
	t.Helper()
	var oe *openai.Error
	if errors.As(err, &oe) {
		require.Equal(t, status, oe.StatusCode)
		return oe.Response.Header, oe.Type
	}
	var ae *anthropic.Error
	if errors.As(err, &ae) {
		require.Equal(t, status, ae.StatusCode)
		return ae.Response.Header, string(ae.Type())
	}
	t.Fatalf("want an API error with status %d, got %v", status, err)
	return nil, ""
}

func TestStatusFaults(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{RetryAfter: 1500 * time.Millisecond})

	tests := []struct {
		fault         fakellm.Fault
		status        int
		openAIType    string
		anthropicType string
	}{
		{fakellm.FaultRateLimit, 429, "requests", "rate_limit_error"},
		{fakellm.FaultUnauthorized, 401, "invalid_request_error", "authentication_error"},
		{fakellm.FaultForbidden, 403, "invalid_request_error", "permission_error"},
		{fakellm.FaultUnavailable, 503, "server_error", "api_error"},
		{fakellm.FaultOverloaded, 529, "server_error", "overloaded_error"},
		{fakellm.FaultStreamError, 500, "server_error", "api_error"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			t.Parallel()
			_, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false),
				ooption.WithHeader(fakellm.HeaderFault, string(tt.fault)))
			header, typ := requireStatus(t, err, tt.status)
			require.Equal(t, tt.openAIType, typ)
			if tt.status == 429 {
				require.Equal(t, "2", header.Get("Retry-After"))
			}

			_, err = f.anthropic.Messages.New(t.Context(), messageParams(false),
				aoption.WithHeader(fakellm.HeaderFault, string(tt.fault)))
			_, typ = requireStatus(t, err, tt.status)
			require.Equal(t, tt.anthropicType, typ)
		})
	}

	_, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false),
		ooption.WithHeader(fakellm.HeaderFault, "418"))
	requireStatus(t, err, 400)
}

// streamFault runs a streaming request of each API with a fault asked for
// in the header, each given up after timeout when it is not zero, and
// returns, by API, the text chunks received and the error the SDK reported.
// Responses streams report the error event as an event: its error is the
// event's message.
func streamFault(
	t *testing.T, f *fake, fault fakellm.Fault, timeout time.Duration,
) map[string]result {
	out := make(map[string]result)
	newCtx := func() context.Context {
		if timeout == 0 {
			return t.Context()
		}
		ctx, cancel := context.WithTimeout(t.Context(), timeout)
		t.Cleanup(cancel)
		return ctx
	}

	ctx := newCtx()
	stream := f.openai.Chat.Completions.NewStreaming(ctx, chatParams(false),
		ooption.WithHeader(fakellm.HeaderFault, string(fault)))
	var r result
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 && c.Choices[0].Delta.Content != "" {
			r.chunks++
		}
	}
	r.err = stream.Err()
	out["chat"] = r

	ctx = newCtx()
	rs := f.openai.Responses.NewStreaming(ctx, responsesParams(false),
		ooption.WithHeader(fakellm.HeaderFault, string(fault)))
	r = result{}
	for rs.Next() {
		switch ev := rs.Current(); ev.Type {
		case "response.output_text.delta":
			r.chunks++
		case "error":
			r.err = errors.New(ev.AsError().Message)
		}
	}
	if r.err == nil {
		r.err = rs.Err()
	}
	out["responses"] = r

	ctx = newCtx()
	ms := f.anthropic.Messages.NewStreaming(ctx, messageParams(false),
		aoption.WithHeader(fakellm.HeaderFault, string(fault)))
	r = result{}
	for ms.Next() {
		if ms.Current().Type == "content_block_delta" {
			r.chunks++
		}
	}
	r.err = ms.Err()
	out["messages"] = r
	return out
}

type result struct {
	chunks int
	err    error
}

func TestStreamFaults(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{Chunks: 4})

	t.Run("stream-error", func(t *testing.T) {
		t.Parallel()
		for name, r := range streamFault(t, f, fakellm.FaultStreamError, 0) {
			require.Equal(t, 2, r.chunks, name)
			require.Error(t, r.err, name)
			msg := strings.ToLower(r.err.Error())
			require.True(t, strings.Contains(msg, "error") || strings.Contains(msg, "overloaded"),
				"%s: %v", name, r.err)
		}
	})
	t.Run("cut", func(t *testing.T) {
		t.Parallel()
		for name, r := range streamFault(t, f, fakellm.FaultCut, 0) {
			require.Equal(t, 2, r.chunks, name)
			require.Error(t, r.err, name)
		}
		_, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false),
			ooption.WithHeader(fakellm.HeaderFault, "cut"))
		require.Error(t, err)
	})
	t.Run("stall", func(t *testing.T) {
		t.Parallel()
		for name, r := range streamFault(t, f, fakellm.FaultStall, 200*time.Millisecond) {
			require.Equal(t, 2, r.chunks, name)
			require.ErrorIs(t, r.err, context.DeadlineExceeded, name)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err := f.anthropic.Messages.New(ctx, messageParams(false),
			aoption.WithHeader(fakellm.HeaderFault, "stall"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestKeys checks the key list, the faults by key and the counts.
func TestKeys(t *testing.T) {
	t.Parallel()
	f := setup(t, fakellm.Options{
		Keys:   []string{testKey},
		Faults: map[string]fakellm.Fault{"sk-fake-overloaded": fakellm.FaultOverloaded},
	})

	_, err := f.openai.Chat.Completions.New(t.Context(), chatParams(false))
	require.NoError(t, err)
	_, err = f.anthropic.Messages.New(t.Context(), messageParams(false))
	require.NoError(t, err)

	_, err = f.openai.Chat.Completions.New(t.Context(), chatParams(false),
		ooption.WithAPIKey("sk-wrong"))
	requireStatus(t, err, 401)

	_, err = f.anthropic.Messages.New(t.Context(), messageParams(false),
		aoption.WithAPIKey("sk-fake-overloaded"))
	requireStatus(t, err, 529)

	resp, err := http.Get(f.url + "/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var stats fakellm.Stats
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stats))
	require.Equal(t, fakellm.Stats{
		Requests: 4,
		Keys: map[string]fakellm.KeyStats{
			testKey:              {Requests: 2},
			"(unknown)":          {Requests: 1, Rejected: 1},
			"sk-fake-overloaded": {Requests: 1, Faults: 1},
		},
	}, stats)
	require.Equal(t, stats, f.srv.Stats())
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"429", "401", "403", "503", "529", "stream-error", "cut", "stall"} {
		f, err := fakellm.ParseFault(name)
		require.NoError(t, err)
		require.Equal(t, name, string(f))
	}
	_, err := fakellm.ParseFault("500")
	require.ErrorContains(t, err, "unknown fault")
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"127.0.0.1:8090": true,
		"127.0.0.2:0":    true,
		"[::1]:8090":     true,
		"localhost:8090": true,
		":8090":          false,
		"0.0.0.0:8090":   false,
		"10.0.0.1:8090":  false,
		"example.com:80": false,
		"127.0.0.1":      false,
	}
	for addr, want := range tests {
		require.Equal(t, want, fakellm.IsLoopback(addr), addr)
	}
}
