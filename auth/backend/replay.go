package backend

import (
	"sync"
	"time"
)

// replayCache remembers the ids (jti) of accepted assertions until they
// expire, so that none is accepted twice. It holds at most max entries:
// when full it drops the expired ones, and if none has expired it refuses
// new assertions rather than forget a live one.
type replayCache struct {
	mu   sync.Mutex
	max  int
	seen map[replayKey]time.Time // until when the assertion could be accepted
}

// replayKey names an assertion: ids are unique per client only.
type replayKey struct{ client, jti string }

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, seen: make(map[replayKey]time.Time)}
}

// use records the assertion jti of client, acceptable until until, and
// reports whether it was new. full reports a refusal because the cache
// holds max live entries.
func (c *replayCache) use(client, jti string, until, now time.Time) (fresh, full bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := replayKey{client, jti}
	if t, ok := c.seen[k]; ok && now.Before(t) {
		return false, false
	}
	if len(c.seen) >= c.max {
		for k, t := range c.seen {
			if !now.Before(t) {
				delete(c.seen, k)
			}
		}
		if len(c.seen) >= c.max {
			return false, true
		}
	}
	c.seen[k] = until
	return true, false
}
