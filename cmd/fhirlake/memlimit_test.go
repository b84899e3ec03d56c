package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQueryMemoryLimit(t *testing.T) {
	total, err := totalMemory()
	require.NoError(t, err)
	require.Greater(t, total, int64(1<<20))
	half, err := queryMemoryLimit("")
	require.NoError(t, err)
	mb, err := strconv.ParseInt(strings.TrimSuffix(half, "MB"), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, float64(total>>20)/2, float64(mb), 1)
	quarter, err := queryMemoryLimit("25%")
	require.NoError(t, err)
	require.NotEqual(t, half, quarter)
	got, err := queryMemoryLimit("3GB")
	require.NoError(t, err)
	require.Equal(t, "3GB", got)
	for _, bad := range []string{"0%", "101%", "x%"} {
		_, err := queryMemoryLimit(bad)
		require.Error(t, err, bad)
	}
}
