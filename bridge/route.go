package bridge

import (
	"net/http"
	"strings"

	"github.com/aigateway/aigateway/providers"
)

// Route prefixes; the second is the older spelling of the same routes.
const (
	routePrefix       = "/api/v2/ai-gateway/"
	legacyRoutePrefix = "/api/v2/aibridge/"
)

// target is what the request path names: the provider and the path after
// the provider's name, which starts with /v1/.
type target struct {
	provider string
	path     string
}

// parsePath splits a gateway path into provider name and API path. ok is
// false when the path is not under a route prefix.
func parsePath(p string) (target, bool) {
	var rest string
	switch {
	case strings.HasPrefix(p, routePrefix):
		rest = p[len(routePrefix):]
	case strings.HasPrefix(p, legacyRoutePrefix):
		rest = p[len(legacyRoutePrefix):]
	default:
		return target{}, false
	}

	name, apiPath, _ := strings.Cut(rest, "/")
	return target{provider: name, path: "/" + apiPath}, true
}

// routeKind says how the gateway serves a route.
type routeKind int

const (
	routeUnknown routeKind = iota
	routeBridged
	routePassthrough
)

// classify finds the route of method and path for a provider type, and the
// API that serves a bridged route.
func classify(typ providers.Type, method, path string) (routeKind, *api) {
	switch typ {
	case providers.TypeAnthropic:
		switch {
		case path == "/v1/messages" && method == http.MethodPost:
			return routeBridged, &anthropicMessages
		case path == "/v1/messages/count_tokens", isUnder(path, "/v1/models"):
			return routePassthrough, nil
		}
	case providers.TypeOpenAI:
		switch {
		case path == "/v1/chat/completions" && method == http.MethodPost:
			return routeBridged, &openaiChat
		case path == "/v1/responses" && method == http.MethodPost:
			return routeBridged, &openaiResponses
		case isUnder(path, "/v1/models"), strings.HasPrefix(path, "/v1/responses/"),
			isUnder(path, "/v1/conversations"):
			return routePassthrough, nil
		}
	}
	return routeUnknown, nil
}

// isUnder reports whether path is root or a path below it.
func isUnder(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// upstreamPath is the path to append to the provider's base URL. The SDK
// base URL of an OpenAI client ends in /v1, as the provider's base URL
// does, so the /v1 is dropped for OpenAI; Anthropic base URLs stop at the
// host.
func upstreamPath(typ providers.Type, path string) string {
	if typ == providers.TypeOpenAI {
		return strings.TrimPrefix(path, "/v1")
	}
	return path
}
