// Package fakellm is a fake upstream provider: it serves OpenAI's Chat
// Completions (POST /v1/chat/completions) and Responses (POST /v1/responses)
// and Anthropic's Messages (POST /v1/messages) closely enough for the
// official SDKs, without a model behind them. Demos, tests, the scaletest
// and the benchmark run against it.
//
// An answer is blocking or streaming as the request's "stream" says. It
// echoes the request's model, carries usage with cache reads (and, for
// Anthropic, cache writes), and calls the request's first tool when the
// request offers tools. Chat Completions streams end with a usage chunk only
// when stream_options.include_usage asks for one, as OpenAI's do.
//
// Timing is set by Options and, per request, by headers: HeaderDelay before
// the first byte, HeaderChunks text chunks, HeaderChunkDelay between two
// chunks of a stream.
//
// The API key (Authorization: Bearer, or X-Api-Key) is checked against
// Options.Keys and counted; GET /stats answers the counts as JSON. A fault
// (see Fault) is played for every request of a key named in Options.Faults,
// or for one request that asks for it in HeaderFault.
//
// Answers are rendered from templates prepared at start, by appending the
// request's id, model and tool name; no JSON is marshalled per request, so
// that the fake costs little next to the gateway it measures.
package fakellm
