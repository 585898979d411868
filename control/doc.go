// Package control implements the gateway's protobuf services: providers,
// users and tokens, interceptions, audit and completions. Each service is
// written once, against the caller's identity in the context, and returns
// transport-neutral errors (*Error); the server registers the same values on
// gRPC and on the in-memory DRPC pipe and maps the errors at each edge.
//
// Authorization follows one table (see rbac.go): owners manage providers,
// users and tokens; owners and auditors read interceptions and the audit
// log; members and service accounts record interceptions for themselves but
// read none back.
package control
