// Package pgcluster runs a private Postgres cluster from the locally
// installed server binaries: the built-in Postgres that the gateway starts
// when it is given no Postgres URL, and the throwaway cluster that tests
// start when no other Postgres answers.
//
// The cluster trusts its connections, so it listens on no TCP port: it
// answers on a Unix socket in a folder that only the user it runs as (and
// root) may enter.
//
// Postgres refuses to run as root. When the calling process is root, the
// cluster's binaries run as the postgres system user, and the cluster's
// folder is handed to that user; the folder must then lie where that user
// can reach it (not under /root, nor under a private temporary folder).
package pgcluster
