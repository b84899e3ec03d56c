package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
)

// Genesis is the prev of the first record of every log: 64 zeros.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// The chain algorithms, stored in each record's alg member.
const (
	AlgSHA256     = "sha256"      // plain chain: hash = SHA-256(body)
	AlgHMACSHA256 = "hmac-sha256" // keyed chain: hash = HMAC-SHA-256(key, body)
)

// hashSuffixLen is the length of `,"hash":"<64 hex>"}` at the end of a line.
const hashSuffixLen = len(`,"hash":"`) + 64 + len(`"}`)

// Record is one stored line: an [Event] with its place in the chain.
type Record struct {
	// Seq is the record's sequence number, 1 for the first record.
	Seq uint64 `json:"seq"`
	// Prev is the hash of the record before (Genesis for the first).
	Prev string `json:"prev"`
	// Alg is the chain algorithm, AlgSHA256 or AlgHMACSHA256.
	Alg string `json:"alg"`
	Event
	// Hash is the hex SHA-256 (or HMAC-SHA-256) of the record's body: the
	// line up to the hash member, closed with "}".
	Hash string `json:"hash"`
}

// chain computes record hashes; it is not safe for concurrent use.
type chain struct {
	alg string
	mac hash.Hash // nil for the plain chain
}

func newChain(key []byte) *chain {
	if key == nil {
		return &chain{alg: AlgSHA256}
	}
	return &chain{alg: AlgHMACSHA256, mac: hmac.New(sha256.New, key)}
}

// sum returns the hex hash of body.
func (c *chain) sum(body []byte) string {
	var sum [sha256.Size]byte
	if c.mac == nil {
		sum = sha256.Sum256(body)
	} else {
		c.mac.Reset()
		c.mac.Write(body)
		c.mac.Sum(sum[:0])
	}
	return hex.EncodeToString(sum[:])
}

// encodeEvent returns the canonical JSON of ev: what encoding/json
// produces for the Event struct, whose member order is fixed by the
// struct.
func encodeEvent(ev Event) ([]byte, error) {
	return appendEvent(make([]byte, 0, 512), ev)
}

// appendPrefix appends the chain members that open every record.
func appendPrefix(dst []byte, seq uint64, prev, alg string) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"prev":"`...)
	dst = append(dst, prev...)
	dst = append(dst, `","alg":"`...)
	dst = append(dst, alg...)
	return append(dst, `",`...)
}

// appendLine appends the line of the record (seq, prev, ev) to dst, with
// its newline, and returns it with the record's hash. ev is the JSON
// object from encodeEvent.
func (c *chain) appendLine(dst []byte, seq uint64, prev string, ev []byte) ([]byte, string) {
	start := len(dst)
	dst = appendPrefix(dst, seq, prev, c.alg)
	dst = append(dst, ev[1:]...) // the body: prefix + event members + "}"
	h := c.sum(dst[start:])
	dst = dst[:len(dst)-1]
	dst = append(dst, `,"hash":"`...)
	dst = append(dst, h...)
	return append(dst, "\"}\n"...), h
}

// errFormat marks a line that is not a well-formed record.
var errFormat = errors.New("not a well-formed record")

// parseLine decodes one line (without its newline) and returns the record
// and the body its hash covers.
func parseLine(line []byte) (Record, []byte, error) {
	var r Record
	n := len(line) - hashSuffixLen
	if n < 2 || !bytes.HasPrefix(line[n:], []byte(`,"hash":"`)) || !bytes.HasSuffix(line, []byte(`"}`)) {
		return r, nil, fmt.Errorf("%w: it does not end with the hash member", errFormat)
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return r, nil, fmt.Errorf("%w: %v", errFormat, err)
	}
	if r.Hash != string(line[n+len(`,"hash":"`):len(line)-2]) {
		return r, nil, fmt.Errorf("%w: the hash member is not the last", errFormat)
	}
	prefix := appendPrefix(nil, r.Seq, r.Prev, r.Alg)
	if !bytes.HasPrefix(line, prefix) {
		return r, nil, fmt.Errorf("%w: it does not start with seq, prev and alg", errFormat)
	}
	body := make([]byte, n+1)
	copy(body, line[:n])
	body[n] = '}'
	return r, body, nil
}
