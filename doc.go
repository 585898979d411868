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
//   - provider set: the immutable runtime snapshot of enabled providers,
//     built from Postgres and swapped atomically on reload.
package aigateway
