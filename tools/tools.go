// Package tools pins the heavy code generators and linters (buf, sqlc,
// staticcheck, golangci-lint) in a module of their own, so that their
// dependencies never reach the gateway's go.mod.
package tools
