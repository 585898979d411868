package scaletest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFinder splits a stream at every pair of points and checks that the
// final event is found wherever the cuts fall.
func TestFinder(t *testing.T) {
	t.Parallel()
	stream := []byte("data: {\"x\":1}\n\ndata: [DONE]\n\n")
	for i := 0; i <= len(stream); i++ {
		for j := i; j <= len(stream); j++ {
			f := finder{pattern: APIChat.terminal()}
			f.scan(stream[:i])
			f.scan(stream[i:j])
			f.scan(stream[j:])
			require.True(t, f.found, "cut at %d and %d", i, j)
		}
	}

	f := finder{pattern: APIChat.terminal()}
	f.scan([]byte("data: [DO"))
	f.scan([]byte("NE"))
	f.scan([]byte("x]"))
	require.False(t, f.found)
}
