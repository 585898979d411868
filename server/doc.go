// Package server runs the gateway: it prepares Postgres (the built-in
// cluster when no URL is given), applies the migrations, creates the first
// owner, and serves HTTP (health, readiness and the data plane) and the
// protobuf services over gRPC and over an in-memory DRPC pipe.
package server
