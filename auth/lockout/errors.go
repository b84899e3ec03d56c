package lockout

import (
	"fmt"
	"time"
)

// LockedError is the refusal of a login because its user or its client
// address is locked. User is set when the user is locked, Addr when the
// address is; Until is when the later of the two locks ends.
//
// Telling a client that a user is locked reveals that someone has been
// guessing its password, not whether the user exists: unknown user names
// are locked too.
type LockedError struct {
	User  string
	Addr  string
	Until time.Time
}

// Error says what is locked, until when, and that an administrator can
// lift the lock.
func (e *LockedError) Error() string {
	var what string
	switch {
	case e.User != "" && e.Addr != "":
		what = fmt.Sprintf("user %q and address %s are", e.User, e.Addr)
	case e.User != "":
		what = fmt.Sprintf("user %q is", e.User)
	default:
		what = fmt.Sprintf("address %s is", e.Addr)
	}
	return fmt.Sprintf("lockout: %s locked after too many failed logins until %s; an administrator can clear the lock",
		what, e.Until.UTC().Format(time.RFC3339))
}
