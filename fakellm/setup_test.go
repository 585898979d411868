package fakellm_test

import (
	"net/http/httptest"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"go.uber.org/goleak"

	"github.com/aigateway/aigateway/fakellm"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKey is the key the clients of setup present.
const testKey = "sk-fake-test-0001"

// fake is a fakellm server under test with SDK clients pointed at it.
type fake struct {
	srv       *fakellm.Server
	url       string
	openai    openai.Client
	anthropic anthropic.Client
}

// setup starts a fakellm server configured by opts, and clients that
// present testKey and never retry.
func setup(t *testing.T, opts fakellm.Options) *fake {
	t.Helper()
	srv := fakellm.New(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return &fake{
		srv: srv,
		url: hs.URL,
		openai: openai.NewClient(
			ooption.WithBaseURL(hs.URL+"/v1"),
			ooption.WithAPIKey(testKey),
			ooption.WithMaxRetries(0),
		),
		anthropic: anthropic.NewClient(
			aoption.WithBaseURL(hs.URL),
			aoption.WithAPIKey(testKey),
			aoption.WithMaxRetries(0),
		),
	}
}

// chatParams is a Chat Completions request, with a tool when tools is set.
func chatParams(tools bool) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model:    "gpt-4.1",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi")},
	}
	if tools {
		p.Tools = []openai.ChatCompletionToolUnionParam{
			openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
				Name:       "search",
				Parameters: openai.FunctionParameters{"type": "object"},
			}),
		}
	}
	return p
}

// messageParams is a Messages request, with a tool when tools is set.
func messageParams(tools bool) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 1024,
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("Hi")),
		},
	}
	if tools {
		p.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        "search",
			InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{}},
		}}}
	}
	return p
}
