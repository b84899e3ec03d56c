package smart

import "strings"

// Permission is a set of SMART v2 permissions, one bit per letter of
// "cruds".
type Permission uint8

// The SMART v2 permissions, in the order their letters must appear.
const (
	PermCreate Permission = 1 << iota // c
	PermRead                          // r: read, vread, history
	PermUpdate                        // u
	PermDelete                        // d
	PermSearch                        // s
)

// permLetters pairs each permission with its letter, in canonical order.
var permLetters = []struct {
	p      Permission
	letter byte
}{{PermCreate, 'c'}, {PermRead, 'r'}, {PermUpdate, 'u'}, {PermDelete, 'd'}, {PermSearch, 's'}}

// The SMART v1 permission words and what they mean in v2.
const (
	v1Read  = PermRead | PermSearch
	v1Write = PermCreate | PermUpdate | PermDelete
	v1All   = v1Read | v1Write
)

// Has reports whether all of q are in p.
func (p Permission) Has(q Permission) bool { return q != 0 && p&q == q }

// String returns the v2 letters of p in canonical order, such as "rs".
func (p Permission) String() string {
	var b strings.Builder
	for _, l := range permLetters {
		if p&l.p != 0 {
			b.WriteByte(l.letter)
		}
	}
	return b.String()
}

// parsePermission reads a v2 letter string ("cruds" or an ordered subset)
// or a v1 word ("read", "write", "*"). v1 reports whether a v1 word was used.
func parsePermission(s string) (p Permission, v1 bool, ok bool) {
	switch s {
	case "read":
		return v1Read, true, true
	case "write":
		return v1Write, true, true
	case "*":
		return v1All, true, true
	}
	i := 0
	for _, l := range permLetters {
		if i < len(s) && s[i] == l.letter {
			p |= l.p
			i++
		}
	}
	if i != len(s) || p == 0 {
		return 0, false, false
	}
	return p, false, true
}
