package scaletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxInFlight = 1000
	DefaultTimeout     = 60 * time.Second
	DefaultPromptBytes = 1024
)

// API is the shape of the requests: which provider API they call.
type API string

// The APIs a scaletest can call.
const (
	// APIChat is OpenAI Chat Completions, POST /v1/chat/completions.
	APIChat API = "chat"
	// APIResponses is OpenAI Responses, POST /v1/responses.
	APIResponses API = "responses"
	// APIMessages is Anthropic Messages, POST /v1/messages.
	APIMessages API = "messages"
)

// ParseAPI reads an API by name: chat (or openai), responses, or messages
// (or anthropic).
func ParseAPI(s string) (API, error) {
	switch s {
	case "chat", "openai":
		return APIChat, nil
	case "responses":
		return APIResponses, nil
	case "messages", "anthropic":
		return APIMessages, nil
	}
	return "", fmt.Errorf("unknown API %q: want chat (openai), responses or messages "+
		"(anthropic)", s)
}

// Path is the API's path, which Run appends to Options.URL.
func (a API) Path() string {
	switch a {
	case APIResponses:
		return "/v1/responses"
	case APIMessages:
		return "/v1/messages"
	}
	return "/v1/chat/completions"
}

// terminal is what the last event of a complete stream of the API holds.
func (a API) terminal() []byte {
	switch a {
	case APIResponses:
		return []byte("event: response.completed")
	case APIMessages:
		return []byte("event: message_stop")
	}
	return []byte("data: [DONE]")
}

// defaultModel is the model a request names when Options.Model is empty.
func (a API) defaultModel() string {
	if a == APIMessages {
		return "claude-sonnet-4-5"
	}
	return "gpt-4.1"
}

// Options configures a Run.
type Options struct {
	// URL is where the API lives; API.Path() is appended to it. For a
	// gateway: http://host:port/api/v2/ai-gateway/<provider name>. For a
	// provider, or fakellm: http://host:port. Required.
	URL string
	// Token is sent as Authorization: Bearer for the OpenAI APIs and as
	// X-Api-Key for Anthropic's. Default: none.
	Token string
	// API is the shape of the requests. Default APIChat.
	API API
	// Stream asks for streaming answers.
	Stream bool
	// Tools offers the model one tool.
	Tools bool
	// Model is the model asked for. Default: gpt-4.1, or claude-sonnet-4-5
	// for APIMessages.
	Model string
	// PromptBytes is the length of the system prompt each request carries.
	// Default DefaultPromptBytes (1 KiB).
	PromptBytes int
	// Header holds further request headers. Default: none.
	Header http.Header
	// Rate is the number of requests started each second, whether or not
	// earlier ones have finished. Required.
	Rate float64
	// Duration is how long requests are started and measured. Required.
	Duration time.Duration
	// Warmup is how long requests are started, at Rate, before the
	// measured Duration; they are sent but not measured. Default 0.
	Warmup time.Duration
	// MaxInFlight caps the requests in flight. A request due while the cap
	// is reached is not sent, and counts as an error of kind "overrun".
	// Default DefaultMaxInFlight (1000).
	MaxInFlight int
	// Timeout bounds one request. Default DefaultTimeout (60 s).
	Timeout time.Duration
	// Progress receives a line every second while the test runs. Default:
	// none.
	Progress io.Writer
	// OnMeasure, when set, is called as the measured Duration starts.
	OnMeasure func()
	// Client sends the requests. Default: a client that keeps
	// MaxInFlight connections alive.
	Client *http.Client
}

// withDefaults checks o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.URL == "" {
		return o, errors.New("no URL given")
	}
	if !strings.HasPrefix(o.URL, "http://") && !strings.HasPrefix(o.URL, "https://") {
		return o, fmt.Errorf("URL %q must start with http:// or https://", o.URL)
	}
	if o.Rate <= 0 {
		return o, errors.New("the rate must be above zero")
	}
	if o.Duration <= 0 {
		return o, errors.New("the duration must be above zero")
	}
	if o.Warmup < 0 {
		return o, errors.New("the warm-up must not be negative")
	}
	if o.API == "" {
		o.API = APIChat
	}
	if _, err := ParseAPI(string(o.API)); err != nil {
		return o, err
	}
	if o.Model == "" {
		o.Model = o.API.defaultModel()
	}
	if o.PromptBytes <= 0 {
		o.PromptBytes = DefaultPromptBytes
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o, nil
}

// newClient returns a client that keeps up to conns connections alive, and
// never uses a proxy from the environment.
func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// header returns the request headers.
func (o Options) header() http.Header {
	h := make(http.Header, len(o.Header)+3)
	for k, vs := range o.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "aigateway-scaletest")
	if o.Token != "" {
		if o.API == APIMessages {
			h.Set("X-Api-Key", o.Token)
			h.Set("Anthropic-Version", "2023-06-01")
		} else {
			h.Set("Authorization", "Bearer "+o.Token)
		}
	}
	return h
}

// body renders the request body every request sends: a system prompt of
// PromptBytes, one user message, and a tool when Tools is set.
func (o Options) body() ([]byte, error) {
	system := strings.Repeat("You are a careful coding agent. ", o.PromptBytes/32+1)
	system = system[:o.PromptBytes]
	user := "Summarise the change in one paragraph."
	schema := map[string]any{
		"type":       "object",
		"properties": map[string]any{"query": map[string]any{"type": "string"}},
		"required":   []string{"query"},
	}

	var req map[string]any
	switch o.API {
	case APIResponses:
		req = map[string]any{
			"model": o.Model, "instructions": system,
			"input": []any{map[string]any{"role": "user", "content": user}},
		}
		if o.Tools {
			req["tools"] = []any{map[string]any{
				"type": "function", "name": "search",
				"description": "Search the code.", "parameters": schema,
			}}
		}
	case APIMessages:
		req = map[string]any{
			"model": o.Model, "max_tokens": 1024, "system": system,
			"messages": []any{map[string]any{"role": "user", "content": user}},
		}
		if o.Tools {
			req["tools"] = []any{map[string]any{
				"name":        "search",
				"description": "Search the code.", "input_schema": schema,
			}}
		}
	default:
		req = map[string]any{"model": o.Model, "messages": []any{
			map[string]any{"role": "system", "content": system},
			map[string]any{"role": "user", "content": user},
		}}
		if o.Stream {
			req["stream_options"] = map[string]any{"include_usage": true}
		}
		if o.Tools {
			req["tools"] = []any{map[string]any{"type": "function", "function": map[string]any{
				"name": "search", "description": "Search the code.", "parameters": schema,
			}}}
		}
	}
	req["stream"] = o.Stream
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("render the request body: %w", err)
	}
	return b, nil
}
