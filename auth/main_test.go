package auth_test

import (
	"testing"

	"github.com/aigateway/aigateway/dbtest"
)

func TestMain(m *testing.M) {
	dbtest.MainLeakChecked(m)
}
