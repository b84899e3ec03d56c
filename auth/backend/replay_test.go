package backend

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReplayCache(t *testing.T) {
	c := newReplayCache(2)
	now := testNow
	later := now.Add(time.Minute)
	type step struct {
		client, jti         string
		until, at           time.Time
		wantFresh, wantFull bool
	}
	for i, s := range []step{
		{"a", "1", later, now, true, false},
		{"a", "1", later, now, false, false},                    // replay
		{"b", "1", later, now, true, false},                     // ids are per client
		{"a", "2", later, now, false, true},                     // full of live entries: refused
		{"a", "1", later, later, true, false},                   // the expired entries make room; a1 is new again
		{"a", "2", later.Add(time.Minute), later, true, false},  // room for one more
		{"a", "3", later.Add(time.Minute), later, true, false},  // a1 expired: it leaves
		{"a", "4", later.Add(time.Minute), later, false, true},  // a2 and a3 live: full
		{"a", "3", later.Add(time.Minute), later, false, false}, // replay, not full
	} {
		fresh, full := c.use(s.client, s.jti, s.until, s.at)
		require.Equal(t, s.wantFresh, fresh, "step %d", i)
		require.Equal(t, s.wantFull, full, "step %d", i)
	}
}
