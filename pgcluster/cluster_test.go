package pgcluster_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/pgcluster"
)

func TestMissingBinariesNamePackage(t *testing.T) {
	t.Parallel()

	_, err := pgcluster.Start(t.Context(), pgcluster.Options{
		Dir:    t.TempDir(),
		BinDir: t.TempDir(),
	})
	require.ErrorIs(t, err, pgcluster.ErrBinariesMissing)
	require.Contains(t, err.Error(), "apt-get install postgresql")
}

func TestFindBinaries(t *testing.T) {
	t.Parallel()

	dir, err := pgcluster.FindBinaries()
	require.NoError(t, err, "the tests need the postgres server binaries")
	require.FileExists(t, dir+"/initdb")
	require.FileExists(t, dir+"/pg_ctl")
}
