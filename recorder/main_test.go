package recorder_test

import (
	"testing"

	"github.com/aigateway/aigateway/dbtest"
)

// TestMain cannot hand the tests to goleak.VerifyTestMain as well: both it
// and dbtest.Main run m and exit. TestShutdownFlushesQueue checks for leaked
// goroutines instead, before any parallel test starts.
func TestMain(m *testing.M) {
	dbtest.Main(m)
}
