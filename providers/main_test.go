package providers_test

import (
	"testing"

	"github.com/aigateway/aigateway/dbtest"
)

// TestMain runs the tests with the test Postgres. Goroutine leaks are
// checked by TestLoaderStopsItsGoroutines rather than here: dbtest.Main
// exits the process itself, leaving no point after the tests to check from.
func TestMain(m *testing.M) {
	dbtest.Main(m)
}
