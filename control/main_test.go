package control_test

import (
	"testing"

	"github.com/aigateway/aigateway/dbtest"
)

// TestMain stops the private Postgres cluster, if the tests started one.
func TestMain(m *testing.M) {
	dbtest.Main(m)
}
