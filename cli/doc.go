// Package cli is the aigateway command line: the server and its
// maintenance commands, and the commands that manage a running gateway over
// gRPC (providers, users, tokens, secrets, interceptions, audit). It writes
// to injected writers and reads an injected environment, so that tests can
// run it in process and read what it printed.
package cli
