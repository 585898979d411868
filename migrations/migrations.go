// Package migrations holds the numbered SQL migrations of the gateway's
// Postgres schema, embedded so that the binary applies them at start.
//
// Each migration is a pair of files, NNNNNN_name.up.sql and
// NNNNNN_name.down.sql, in the layout of golang-migrate.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
