package lockout

import (
	"sort"
	"sync"
	"time"
)

// Limiter counts failed logins per user and per client address and
// locks either when it has too many. It is safe for concurrent use.
type Limiter struct {
	cfg Config

	mu    sync.Mutex
	users *table
	addrs *table
}

// New returns a Limiter with cfg, its unset fields taking their defaults.
func New(cfg Config) *Limiter {
	cfg = cfg.withDefaults()
	return &Limiter{cfg: cfg, users: newTable(cfg.MaxEntries), addrs: newTable(cfg.MaxEntries)}
}

// Config returns the configuration in force, defaults filled in.
func (l *Limiter) Config() Config { return l.cfg }

// Check returns nil, or a *LockedError when user or addr is locked at
// now. Call it before checking credentials, and refuse the login without
// checking them when it fails, so that a locked account cannot be probed.
// An empty user or addr is not checked. addr is an IP address without a
// port.
func (l *Limiter) Check(user, addr string, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err *LockedError
	if e := l.lookup(l.users, user); e != nil && e.locked(now) {
		err = &LockedError{User: user, Until: e.until}
	}
	if e := l.lookup(l.addrs, addr); e != nil && e.locked(now) {
		if err == nil {
			err = &LockedError{}
		}
		err.Addr = addr
		if e.until.After(err.Until) {
			err.Until = e.until
		}
	}
	if err == nil {
		return nil
	}
	return err
}

// lookup returns the entry of key in t, nil for an empty key.
func (l *Limiter) lookup(t *table, key string) *entry {
	if key == "" {
		return nil
	}
	return t.get(key)
}

// Failed records a failed login of user from addr at now. user may be ""
// when unknown (the client never named one); addr is an IP address
// without a port, or "" when there is none (a Unix socket). A failure
// while locked, which Check should have prevented, counts nothing and
// does not lengthen the lock.
func (l *Limiter) Failed(user, addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if user != "" {
		l.fail(l.users, user, now, l.cfg.MaxUserFailures)
	}
	if addr != "" {
		l.fail(l.addrs, addr, now, l.cfg.MaxAddrFailures)
	}
}

// fail counts a failure of key in t and locks it at max failures.
func (l *Limiter) fail(t *table, key string, now time.Time, max int) {
	e := t.touch(key, now, l.cfg.Window)
	if e.locked(now) {
		return
	}
	if now.Sub(e.last) > l.cfg.Window {
		e.failures = 0
	}
	e.failures++
	e.last = now
	if e.failures < max {
		return
	}
	switch {
	case e.length == 0 || now.Sub(e.until) > MaxLockout:
		e.length = l.cfg.Lockout
	default:
		e.length = min(2*e.length, MaxLockout)
	}
	e.until = now.Add(e.length)
	e.lockedAt = e.failures
	e.failures = 0
}

// Succeeded records a successful login of user from addr: the user's
// consecutive failures start again from zero. The address's are kept,
// so that an attacker who knows one password cannot use it to keep
// guessing others from the same address. A lock in force stays (Check
// should have refused the login), and so does the memory of past locks.
func (l *Limiter) Succeeded(user, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.lookup(l.users, user); e != nil {
		e.failures = 0
	}
}

// Clear lifts the lock of a user or address, for an administrator, and
// forgets everything about it (failures and past locks). name is a user
// name or an IP address; a user name cannot be mistaken for an address
// (it starts with a letter and holds no ':'). It reports whether there
// was something to forget.
func (l *Limiter) Clear(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cleared := false
	for _, t := range []*table{l.users, l.addrs} {
		if e := l.lookup(t, name); e != nil {
			t.remove(e)
			cleared = true
		}
	}
	return cleared
}

// Lock is a user or address locked, for an administrator's list.
type Lock struct {
	User     string    `json:"user,omitempty"` // the user locked, or ""
	Addr     string    `json:"addr,omitempty"` // the address locked, or ""
	Until    time.Time `json:"until"`
	Failures int       `json:"failures"` // failures that led to the lock
}

// Locks returns the locks in force at now: users first, by name, then
// addresses. It also forgets idle entries, so calling it now and then
// keeps memory low after an attack.
func (l *Limiter) Locks(now time.Time) []Lock {
	l.mu.Lock()
	defer l.mu.Unlock()
	var users, addrs []Lock
	for _, t := range []*table{l.users, l.addrs} {
		for k, e := range t.m {
			switch {
			case e.locked(now) && t == l.users:
				users = append(users, Lock{User: k, Until: e.until, Failures: e.lockedAt})
			case e.locked(now):
				addrs = append(addrs, Lock{Addr: k, Until: e.until, Failures: e.lockedAt})
			case e.idle(now, l.cfg.Window):
				t.remove(e)
			}
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].User < users[j].User })
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Addr < addrs[j].Addr })
	return append(users, addrs...)
}

// Len returns the number of users and of addresses remembered, to watch
// memory.
func (l *Limiter) Len() (users, addrs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users.m), len(l.addrs.m)
}
