package bench

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseProc(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"
	model, n, err := parseCPUInfo(strings.NewReader(cpuinfo))
	require.NoError(t, err)
	require.Equal(t, "Intel(R) Xeon(R) CPU @ 2.20GHz", model)
	require.Equal(t, 2, n)
	_, _, err = parseCPUInfo(strings.NewReader("flags: x\n"))
	require.Error(t, err)

	mb, err := parseMemTotal(strings.NewReader("MemTotal:        8145236 kB\nMemFree:  100 kB\n"))
	require.NoError(t, err)
	require.Equal(t, int64(7954), mb)
	_, err = parseMemTotal(strings.NewReader("MemFree: 1 kB\n"))
	require.Error(t, err)
}
