// Package aigateway is an AI gateway: it sits between AI clients and upstream
// AI providers, holds the organisation's provider keys, fails over between
// them, and records every interception.
//
// # Glossary
//
//   - provider: one configured upstream, by name ("openai",
//     "anthropic-corp"), with a type, a base URL and a key pool.
//   - interception: one client request through the gateway, with everything
//     recorded about it. Bridged routes are intercepted and recorded;
//     passthrough routes are only proxied.
//   - centralized key: the organisation's provider key, held by the gateway.
//   - BYOK: the client brings its own provider key.
//   - initiator: the user on whose behalf a request runs.
//   - seed: the reconciliation, at boot, of the providers described by
//     environment variables with the ai_providers table.
//   - provider set: the immutable runtime snapshot of the providers that
//     are not deleted, built from Postgres and swapped atomically on reload
//     (package providers, the loader).
//   - key pool: a provider's keys in failover order, each valid, temporary
//     (cooling down) or permanent (out of rotation until a probe); a walker
//     tries them for one upstream call (package keyfailover).
//   - breaker: the circuit breaker of one provider, endpoint and model; only
//     overload answers (503, 529) trip it (package breaker).
//   - data plane: the HTTP routes under /api/v2/ai-gateway/ (package bridge);
//     the control plane: the protobuf services (package control) served over
//     gRPC and the in-memory DRPC pipe (package server).
//   - recorder: the bounded queue and batch writer that store interceptions
//     off the request path (package recorder).
//   - sealed value: a secret encrypted at rest, naming the digest of the key
//     that sealed it (package dbcrypt).
package aigateway
