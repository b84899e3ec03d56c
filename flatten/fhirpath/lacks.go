package fhirpath

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// StringSets is a fixed list of sets of "plain" strings (no '"', no '\\',
// no control character) for [StringSets.Lacks], the byte-level prefilter
// of flatten: one pass over a raw document tells whether some set has no
// member among the document's JSON string values, without decoding it.
type StringSets struct {
	strs           []string
	setOf          []int // index of the set of each string
	nsets          int
	minLen, maxLen int // bounds of len(strs[i]), to skip most strings at once
}

// NewStringSets compiles sets; it returns nil when there are no sets,
// more than 64, or an empty one.
func NewStringSets(sets [][]string) *StringSets {
	if len(sets) == 0 || len(sets) > 64 {
		return nil
	}
	m := &StringSets{nsets: len(sets), minLen: int(^uint(0) >> 1)}
	for i, set := range sets {
		if len(set) == 0 {
			return nil
		}
		for _, s := range set {
			m.strs = append(m.strs, s)
			m.setOf = append(m.setOf, i)
			m.minLen, m.maxLen = min(m.minLen, len(s)), max(m.maxLen, len(s))
		}
	}
	return m
}

// Lacks reports whether data, all of it, is a JSON document that
// [Decoder.Decode] accepts and decodes to an object, holds no backslash,
// and has, for at
// least one set, no JSON string (member value or array item; names are
// not looked at) equal to a member of the set. When it returns false
// nothing is known: the document may be invalid, have escapes, or hold a
// member of every set.
//
// Without backslashes every JSON string is its raw bytes between two
// quotes, which the decoder accepts unless they hold a control character
// (findQuote fails on one), so the strings can be compared as they are. Structure,
// numbers, literals and the nesting limit follow the decoder's rules
// (decoder.go); FuzzStringSetsLacks compares the two.
func (m *StringSets) Lacks(data []byte) bool {
	if bytes.IndexByte(data, '\\') >= 0 {
		return false
	}
	all := uint64(1)<<m.nsets - 1
	found, ok := m.scan(data, all)
	return ok && found != all
}

// scan validates data (free of escapes) and
// returns the sets found among its string values; it stops early, with
// ok false, once every set is found.
func (m *StringSets) scan(s []byte, all uint64) (found uint64, ok bool) {
	var arrays [(maxDepth + 64) / 64]uint64 // bit d: the container at depth d is an array
	depth := 0
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return 0, false
	}
	for {
		// A value starts at i (after optional spaces).
		i = skipWS(s, i)
		if i >= len(s) {
			return 0, false
		}
		switch c := s[i]; {
		case c == '"':
			j := findQuote(s, i+1)
			if j < 0 {
				return 0, false
			}
			if n := j - i - 1; n >= m.minLen && n <= m.maxLen {
				if found |= m.match(s[i+1 : j]); found == all {
					return found, false
				}
			}
			i = j + 1
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return 0, false
			}
			close := byte('}')
			if c == '[' {
				close = ']'
				arrays[depth/64] |= 1 << (depth % 64)
			} else {
				arrays[depth/64] &^= 1 << (depth % 64)
			}
			i = skipWS(s, i+1)
			if i < len(s) && s[i] == close {
				i++
				depth--
				break
			}
			if c == '[' {
				continue // the first item is a value
			}
			if i = m.name(s, i); i < 0 {
				return 0, false
			}
			continue
		case c == '-' || (c >= '0' && c <= '9'):
			if i = scanNumber(s, i); i < 0 {
				return 0, false
			}
		default:
			if i = scanLiteral(s, i); i < 0 {
				return 0, false
			}
		}
		// After a value: close containers, or move to the next member.
		for {
			if depth == 0 {
				return found, skipWS(s, i) == len(s)
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return 0, false
			}
			array := arrays[depth/64]&(1<<(depth%64)) != 0
			if s[i] == ',' {
				i++
				if !array {
					if i = m.name(s, i); i < 0 {
						return 0, false
					}
				}
				break
			}
			if (array && s[i] == ']') || (!array && s[i] == '}') {
				i++
				depth--
				continue
			}
			return 0, false
		}
	}
}

// name reads `"name" :` at i (after optional spaces) and returns the
// index after the colon, or -1.
func (m *StringSets) name(s []byte, i int) int {
	i = skipWS(s, i)
	if i >= len(s) || s[i] != '"' {
		return -1
	}
	j := findQuote(s, i+1)
	if j < 0 {
		return -1
	}
	i = skipWS(s, j+1)
	if i >= len(s) || s[i] != ':' {
		return -1
	}
	return i + 1
}

// match returns the bits of the sets that have str as a member.
func (m *StringSets) match(str []byte) uint64 {
	var bits uint64
	for k, w := range m.strs {
		if len(w) == len(str) && string(str) == w {
			bits |= 1 << m.setOf[k]
		}
	}
	return bits
}

func skipWS(s []byte, i int) int {
	for i < len(s) && s[i] <= ' ' && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// scanNumber mirrors Decoder.number: it returns the index after the
// number at i, or -1.
func scanNumber(s []byte, i int) int {
	if s[i] == '-' {
		i++
	}
	first := i
	i = scanDigits(s, i)
	if n := i - first; n == 0 || (n > 1 && s[first] == '0') {
		return -1
	}
	if i < len(s) && s[i] == '.' {
		j := scanDigits(s, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := scanDigits(s, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func scanDigits(s []byte, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// scanLiteral mirrors Decoder.literal.
func scanLiteral(s []byte, i int) int {
	rest := s[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")), bytes.HasPrefix(rest, []byte("null")):
		return i + 4
	case bytes.HasPrefix(rest, []byte("false")):
		return i + 5
	}
	return -1
}

// findQuote returns the index of the first '"' at or after i, or -1 when
// there is none or a control character comes first. JSON strings are
// mostly short, where a word at a time beats a call to bytes.IndexByte:
// y = x ^ 0x22…22 has a zero byte where x has a quote, (y - 0x01…01) &
// ^y & 0x80…80 marks the first zero byte of y exactly (bits above it may
// be spurious), and (x - 0x20…20) & ^x & 0x80…80 likewise marks the first
// byte below 0x20. The lowest mark of either kind is therefore exact.
func findQuote(s []byte, i int) int {
	const ones, quotes, ctl, hi = 0x0101010101010101, 0x2222222222222222, 0x2020202020202020, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		y := x ^ quotes
		q := (y - ones) &^ y & hi
		c := (x - ctl) &^ x & hi
		if q|c != 0 {
			if c != 0 && bits.TrailingZeros64(c) <= bits.TrailingZeros64(q) {
				return -1
			}
			return i + bits.TrailingZeros64(q)/8
		}
	}
	for ; i < len(s); i++ {
		switch {
		case s[i] == '"':
			return i
		case s[i] < 0x20:
			return -1
		}
	}
	return -1
}
