// Package scaletest plays many AI clients at once against a gateway, or any
// server that speaks the providers' APIs, and measures it.
//
// The load is open loop: requests start at a fixed rate whatever the server
// does, as independent agents would send them, rather than waiting for
// earlier answers as a closed loop would, which hides a slow server behind a
// lower rate. Requests that would pass a cap on those in flight are not sent
// and count as overruns. The report gives latency and time-to-first-byte
// percentiles over the measured period, the rate achieved, and the errors by
// kind; a streaming answer counts as complete only when it ends with the
// API's final event.
package scaletest
