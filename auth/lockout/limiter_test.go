package lockout

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)

// step is one call on a Limiter at t0+at.
type step struct {
	op         string // fail, ok, check, clear
	user, addr string
	at         time.Duration
	n          int // fail: how many failures (default 1)

	// check: the lock expected, "" for none: "user", "addr" or "both",
	// ending at t0+until.
	locked string
	until  time.Duration
	// clear: whether something was cleared.
	cleared bool
}

func TestLimiter(t *testing.T) {
	cfg := Config{MaxUserFailures: 3, MaxAddrFailures: 5, Window: 10 * time.Minute, Lockout: 15 * time.Minute}
	const m = time.Minute
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{name: "below the limit", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 2},
			{op: "check", user: "ana", addr: "10.0.0.1"},
		}},
		{name: "user locked at the limit", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 3, at: m},
			{op: "check", user: "ana", addr: "10.0.0.2", at: 2 * m, locked: "user", until: 16 * m},
			{op: "check", user: "bob", addr: "10.0.0.1", at: 2 * m},
			{op: "check", user: "ana", at: 16*m - time.Nanosecond, locked: "user", until: 16 * m},
			{op: "check", user: "ana", at: 16 * m},
		}},
		{name: "failures spread over addresses count for the user", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1"},
			{op: "fail", user: "ana", addr: "10.0.0.2"},
			{op: "fail", user: "ana", addr: "10.0.0.3"},
			{op: "check", user: "ana", locked: "user", until: 15 * m},
		}},
		{name: "success resets the user", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 2},
			{op: "ok", user: "ana", addr: "10.0.0.1"},
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 2},
			{op: "check", user: "ana", addr: "10.0.0.1"},
			{op: "fail", user: "ana", addr: "10.0.0.1"},
			{op: "check", user: "ana", addr: "10.0.0.2", locked: "user", until: 15 * m},
			{op: "check", user: "ana", addr: "10.0.0.1", locked: "both", until: 15 * m}, // its 5th failure
		}},
		{name: "success keeps the address count", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 2},
			{op: "ok", user: "ana", addr: "10.0.0.1"},
			{op: "fail", user: "bob", addr: "10.0.0.1", n: 2},
			{op: "fail", user: "cy", addr: "10.0.0.1"},
			{op: "check", user: "dee", addr: "10.0.0.1", locked: "addr", until: 15 * m},
		}},
		{name: "spray over users locks the address", steps: []step{
			{op: "fail", user: "u1", addr: "10.0.0.9"},
			{op: "fail", user: "u2", addr: "10.0.0.9"},
			{op: "fail", user: "", addr: "10.0.0.9"},
			{op: "fail", user: "u4", addr: "10.0.0.9"},
			{op: "check", user: "u5", addr: "10.0.0.9"},
			{op: "fail", user: "u5", addr: "10.0.0.9", at: m},
			{op: "check", user: "u6", addr: "10.0.0.9", at: m, locked: "addr", until: 16 * m},
			{op: "check", user: "u6", addr: "10.0.0.8", at: m},
		}},
		{name: "both locked: the later end", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 3},
			{op: "fail", user: "bob", addr: "10.0.0.1", n: 2, at: 5 * m},
			{op: "check", user: "ana", addr: "10.0.0.1", at: 6 * m, locked: "both", until: 20 * m},
		}},
		{name: "old failures forgotten", steps: []step{
			{op: "fail", user: "ana", n: 2},
			{op: "fail", user: "ana", at: 10*m + time.Second},
			{op: "check", user: "ana", at: 11 * m},
			{op: "fail", user: "ana", n: 2, at: 12 * m},
			{op: "check", user: "ana", at: 12 * m, locked: "user", until: 27 * m},
		}},
		{name: "failures within the window keep counting", steps: []step{
			{op: "fail", user: "ana"},
			{op: "fail", user: "ana", at: 9 * m},
			{op: "fail", user: "ana", at: 18 * m},
			{op: "check", user: "ana", at: 18 * m, locked: "user", until: 33 * m},
		}},
		{name: "failures while locked do not extend", steps: []step{
			{op: "fail", user: "ana", n: 3},
			{op: "fail", user: "ana", n: 10, at: 14 * m},
			{op: "check", user: "ana", at: 14 * m, locked: "user", until: 15 * m},
			{op: "check", user: "ana", at: 15 * m},
			{op: "fail", user: "ana", n: 2, at: 15 * m},
			{op: "check", user: "ana", at: 15 * m},
		}},
		{name: "repeated locks double up to a day", steps: []step{
			{op: "fail", user: "ana", n: 3},
			{op: "check", user: "ana", locked: "user", until: 15 * m},
			{op: "fail", user: "ana", n: 3, at: 15 * m},
			{op: "check", user: "ana", at: 15 * m, locked: "user", until: 45 * m},
			{op: "fail", user: "ana", n: 3, at: 45 * m},
			{op: "check", user: "ana", at: 45 * m, locked: "user", until: 105 * m},
			{op: "fail", user: "ana", n: 3, at: 105 * m},  // 2h
			{op: "fail", user: "ana", n: 3, at: 225 * m},  // 4h
			{op: "fail", user: "ana", n: 3, at: 465 * m},  // 8h
			{op: "fail", user: "ana", n: 3, at: 945 * m},  // 16h
			{op: "fail", user: "ana", n: 3, at: 1905 * m}, // 24h, not 32h
			{op: "check", user: "ana", at: 1905 * m, locked: "user", until: 1905*m + 24*time.Hour},
		}},
		{name: "a lock long past starts over", steps: []step{
			{op: "fail", user: "ana", n: 3},
			{op: "fail", user: "ana", n: 3, at: 15 * m},
			{op: "fail", user: "ana", n: 3, at: 45*m + 24*time.Hour + time.Second},
			{op: "check", user: "ana", at: 45*m + 24*time.Hour + time.Second, locked: "user", until: 60*m + 24*time.Hour + time.Second},
		}},
		{name: "clear a user", steps: []step{
			{op: "fail", user: "ana", addr: "10.0.0.1", n: 3},
			{op: "clear", user: "ana", cleared: true},
			{op: "check", user: "ana"},
			{op: "clear", user: "ana"},
			{op: "fail", user: "ana", n: 3, at: m}, // not doubled: forgotten
			{op: "check", user: "ana", at: m, locked: "user", until: 16 * m},
			{op: "fail", user: "bob", addr: "10.0.0.1", n: 2, at: m}, // the address kept its 3
			{op: "check", addr: "10.0.0.1", at: m, locked: "addr", until: 16 * m},
		}},
		{name: "clear an address", steps: []step{
			{op: "fail", addr: "2001:db8::1", n: 5},
			{op: "check", user: "ana", addr: "2001:db8::1", locked: "addr", until: 15 * m},
			{op: "clear", user: "2001:db8::1", cleared: true},
			{op: "check", user: "ana", addr: "2001:db8::1"},
		}},
		{name: "clear unknown", steps: []step{
			{op: "clear", user: "nobody"},
			{op: "clear", user: ""},
		}},
		{name: "empty names are not tracked", steps: []step{
			{op: "fail", n: 50},
			{op: "check"},
		}},
		{name: "defaults", cfg: Config{}, steps: []step{
			{op: "fail", user: "ana", n: 4},
			{op: "check", user: "ana"},
			{op: "fail", user: "ana", at: 14 * m},
			{op: "check", user: "ana", at: 14 * m, locked: "user", until: 29 * m},
			{op: "fail", addr: "10.0.0.1", n: 19},
			{op: "check", addr: "10.0.0.1"},
			{op: "fail", addr: "10.0.0.1"},
			{op: "check", addr: "10.0.0.1", locked: "addr", until: 15 * m},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			if tt.name == "defaults" {
				c = tt.cfg
			}
			l := New(c)
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				switch s.op {
				case "fail":
					for range max(s.n, 1) {
						l.Failed(s.user, s.addr, now)
					}
				case "ok":
					l.Succeeded(s.user, s.addr)
				case "clear":
					require.Equal(t, s.cleared, l.Clear(s.user), "step %d", i)
				case "check":
					checkLock(t, l.Check(s.user, s.addr, now), s, fmt.Sprintf("step %d", i))
				default:
					t.Fatalf("step %d: unknown op %q", i, s.op)
				}
			}
		})
	}
}

// checkLock compares Check's answer with what step s expects.
func checkLock(t *testing.T, err error, s step, where string) {
	t.Helper()
	if s.locked == "" {
		require.NoError(t, err, where)
		return
	}
	var le *LockedError
	require.True(t, errors.As(err, &le), "%s: %v", where, err)
	want := &LockedError{Until: t0.Add(s.until)}
	if s.locked == "user" || s.locked == "both" {
		want.User = s.user
	}
	if s.locked == "addr" || s.locked == "both" {
		want.Addr = s.addr
	}
	require.Equal(t, want, le, where)
}

func TestLockedErrorMessage(t *testing.T) {
	until := time.Date(2026, 11, 29, 3, 15, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		err  LockedError
		want string
	}{
		{LockedError{User: "ana", Until: until}, `lockout: user "ana" is locked after too many failed logins until 2026-11-29T02:15:00Z; an administrator can clear the lock`},
		{LockedError{Addr: "10.0.0.1", Until: until}, `lockout: address 10.0.0.1 is locked after too many failed logins until 2026-11-29T02:15:00Z; an administrator can clear the lock`},
		{LockedError{User: "ana", Addr: "::1", Until: until}, `lockout: user "ana" and address ::1 are locked after too many failed logins until 2026-11-29T02:15:00Z; an administrator can clear the lock`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.err.Error())
	}
}

func TestLocks(t *testing.T) {
	l := New(Config{MaxUserFailures: 2, MaxAddrFailures: 3, Window: time.Minute, Lockout: 10 * time.Minute})
	l.Failed("zed", "10.0.0.2", t0)
	l.Failed("zed", "10.0.0.2", t0)
	l.Failed("amy", "10.0.0.2", t0.Add(time.Minute))
	l.Failed("amy", "10.0.0.1", t0.Add(time.Minute))
	l.Failed("bob", "10.0.0.3", t0.Add(time.Minute)) // one failure: no lock
	require.Equal(t, []Lock{
		{User: "amy", Until: t0.Add(11 * time.Minute), Failures: 2},
		{User: "zed", Until: t0.Add(10 * time.Minute), Failures: 2},
		{Addr: "10.0.0.2", Until: t0.Add(11 * time.Minute), Failures: 3},
	}, l.Locks(t0.Add(2*time.Minute)))
	require.Equal(t, []Lock{
		{User: "amy", Until: t0.Add(11 * time.Minute), Failures: 2},
		{Addr: "10.0.0.2", Until: t0.Add(11 * time.Minute), Failures: 3},
	}, l.Locks(t0.Add(10*time.Minute)))
	require.Empty(t, l.Locks(t0.Add(11*time.Minute)))

	// Entries are kept while a repeated lock would double, then forgotten.
	users, addrs := l.Len()
	require.Equal(t, 2, users, "amy and zed remember their lock; bob is forgotten")
	require.Equal(t, 1, addrs)
	require.Empty(t, l.Locks(t0.Add(11*time.Minute+MaxLockout+time.Second)))
	users, addrs = l.Len()
	require.Zero(t, users)
	require.Zero(t, addrs)
}

func TestBoundedMemory(t *testing.T) {
	tests := []struct {
		name      string
		locked    []string // users locked before the flood
		wantKept  []string // users still locked after it
		wantUsers int
	}{
		{name: "flood of new names", wantUsers: 100},
		{name: "locks survive a flood", locked: []string{"ana", "bob"}, wantKept: []string{"ana", "bob"}, wantUsers: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Config{MaxUserFailures: 2, MaxAddrFailures: 1 << 30, MaxEntries: 100})
			for _, u := range tt.locked {
				l.Failed(u, "", t0)
				l.Failed(u, "", t0)
			}
			for i := range 1000 {
				l.Failed(fmt.Sprintf("u%d", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), t0.Add(time.Second))
			}
			users, addrs := l.Len()
			require.Equal(t, tt.wantUsers, users)
			require.Equal(t, 100, addrs)
			for _, u := range tt.wantKept {
				require.Error(t, l.Check(u, "", t0.Add(time.Minute)), u)
			}
			// The most recent failures are the ones remembered.
			l.Failed("u999", "", t0.Add(time.Second))
			require.Error(t, l.Check("u999", "", t0.Add(2*time.Second)))
		})
	}
}

func TestSweepIdle(t *testing.T) {
	l := New(Config{Window: time.Minute, MaxEntries: 10})
	for i := range 10 {
		l.Failed(fmt.Sprintf("u%d", i), "", t0)
	}
	// Past the window, a new entry first forgets the idle ones.
	l.Failed("late", "", t0.Add(2*time.Minute))
	users, _ := l.Len()
	require.Equal(t, 1, users)
}

// TestConcurrent is for the race detector.
func TestConcurrent(t *testing.T) {
	l := New(Config{MaxUserFailures: 3, MaxAddrFailures: 7, MaxEntries: 50})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				user, addr := fmt.Sprintf("u%d", i%60), fmt.Sprintf("10.0.%d.%d", g, i%70)
				now := t0.Add(time.Duration(i) * time.Second)
				_ = l.Check(user, addr, now)
				l.Failed(user, addr, now)
				if i%13 == 0 {
					l.Succeeded(user, addr)
				}
				if i%97 == 0 {
					l.Clear(user)
					_ = l.Locks(now)
				}
			}
		}()
	}
	wg.Wait()
	users, addrs := l.Len()
	require.LessOrEqual(t, users, 50)
	require.LessOrEqual(t, addrs, 50)
}
