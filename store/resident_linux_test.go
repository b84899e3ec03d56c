package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// rssFile reads the file-backed part of this process's resident set.
func rssFile(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// TestReleaseMappedPages checks that the pages a full scan maps in leave
// the resident set on release, and that the store reads the same after.
func TestReleaseMappedPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const n, batch = 20000, 2000
	for i := 0; i < n; i += batch {
		var in []Input
		for j := i; j < i+batch; j++ {
			// Random text compresses badly, so the file is large.
			note := make([]byte, 1500)
			for k := range note {
				note[k] = byte('a' + rng.IntN(26))
			}
			in = append(in, Input{Type: "Basic", ID: fmt.Sprintf("b%05d", j),
				Body: []byte(fmt.Sprintf(`{"resourceType":"Basic","id":"b%05d","code":{"text":%q}}`, j, note))})
		}
		_, err := s.Put(ctx, in)
		require.NoError(t, err)
	}
	st, err := os.Stat(s.path)
	require.NoError(t, err)
	require.Greater(t, st.Size(), int64(20<<20), "the store file must be large enough to measure")

	s.release()
	before := rssFile(t)
	count := func() int {
		seen := 0
		require.NoError(t, s.Scan(ctx, "Basic", func(r Resource) error {
			seen++
			return nil
		}))
		return seen
	}
	require.Equal(t, n, count())
	scanned := rssFile(t)
	require.Greater(t, scanned-before, st.Size()/2, "a full scan maps the file in")
	s.release()
	released := rssFile(t)
	require.Less(t, released-before, st.Size()/8, "release drops the mapped pages (before %d, scanned %d, released %d)", before, scanned, released)
	require.Equal(t, n, count(), "the store reads the same after a release")
	r, err := s.Read(ctx, "Basic", "b00042")
	require.NoError(t, err)
	require.Contains(t, string(r.Body), `"id":"b00042"`)
}
