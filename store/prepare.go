package store

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// prepared is an Input validated and reduced to its canonical content:
//
//	{"resourceType":T,"id":I[,"meta":{<metaRest>}][,<rest>]}
//
// where metaRest is meta without versionId and lastUpdated and rest is every
// other top-level member in input order. Unchanged detection compares the
// SHA-256 of these bytes.
type prepared struct {
	typ, id  string
	rk       []byte // resource key
	metaRest []byte // slice of canon
	rest     []byte // slice of canon
	hash     [32]byte
	idents   []identifier // the top-level identifier element's values

	// Set by Put's plan: the committed head of rk (if exists), the version
	// this input becomes (0 if unchanged) and its encoded version value.
	cur     head
	exists  bool
	version int64
	val     []byte
}

// compactPool recycles the buffers prepare compacts bodies into.
var compactPool = sync.Pool{New: func() any { return new([]byte) }}

// prepare validates in and computes its canonical form and hash.
func prepare(in Input) (prepared, error) {
	if err := validKey(in.Type, in.ID); err != nil {
		return prepared{}, err
	}
	buf := compactPool.Get().(*[]byte)
	defer compactPool.Put(buf)
	obj, err := compactJSON((*buf)[:0], in.Body)
	if err != nil {
		return prepared{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	*buf = obj
	top, err := splitTop(obj, in.Type, in.ID)
	if err != nil {
		return prepared{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := prepared{typ: in.Type, id: in.ID, rk: resKey(in.Type, in.ID)}
	canon := make([]byte, 0, len(in.Type)+len(in.ID)+len(top.meta)+top.restLen+40)
	canon = append(canon, `{"resourceType":"`...)
	canon = append(canon, in.Type...)
	canon = append(canon, `","id":"`...)
	canon = append(canon, in.ID...)
	canon = append(canon, '"')
	if canon, p.metaRest, err = appendMetaRest(canon, top.meta); err != nil {
		return prepared{}, fmt.Errorf("%w: meta: %v", ErrInvalid, err)
	}
	start := len(canon)
	for _, m := range top.rest {
		canon = append(canon, ',')
		canon = append(canon, m...)
	}
	if len(canon) > start {
		p.rest = canon[start+1:]
	}
	canon = append(canon, '}')
	p.hash = sha256.Sum256(canon)
	p.idents = parseIdentifiers(top.ident)
	return p, nil
}

// topLevel is a resource's top-level members, sorted out by splitTop.
type topLevel struct {
	meta    []byte   // the meta object, or nil
	ident   []byte   // the identifier array, or nil
	rest    [][]byte // the other members but resourceType and id, in order
	restLen int      // their total length plus one comma each
}

// splitTop checks the resourceType and id members of the compact JSON
// object obj and separates meta from the other members.
func splitTop(obj []byte, typ, id string) (topLevel, error) {
	top := topLevel{rest: make([][]byte, 0, 32)}
	hasType := false
	err := eachMember(obj, func(key, val, member []byte) error {
		switch {
		case keyIs(key, "resourceType"):
			if s, ok := stringValue(val); !ok || s != typ {
				return fmt.Errorf("resourceType %s does not match type %q", val, typ)
			}
			hasType = true
		case keyIs(key, "id"):
			if s, ok := stringValue(val); !ok || s != id {
				return fmt.Errorf("id %s does not match id %q", val, id)
			}
		case keyIs(key, "meta"):
			if len(val) == 0 || val[0] != '{' {
				return errors.New("meta is not an object")
			}
			top.meta = val
		default:
			if keyIs(key, "identifier") {
				top.ident = val
			}
			top.restLen += len(member) + 1
			top.rest = append(top.rest, member)
		}
		return nil
	})
	if err == nil && !hasType {
		err = errors.New("resourceType is missing")
	}
	return top, err
}

// appendMetaRest appends ,"meta":{...} holding the members of meta other
// than versionId and lastUpdated (nothing if there are none), and returns
// the slice of dst holding those members.
func appendMetaRest(dst, meta []byte) ([]byte, []byte, error) {
	if meta == nil {
		return dst, nil, nil
	}
	start := len(dst)
	dst = append(dst, `,"meta":{`...)
	inner := len(dst)
	err := eachMember(meta, func(key, _, member []byte) error {
		if keyIs(key, "versionId") || keyIs(key, "lastUpdated") {
			return nil
		}
		if len(dst) > inner {
			dst = append(dst, ',')
		}
		dst = append(dst, member...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(dst) == inner {
		return dst[:start], nil, nil
	}
	rest := dst[inner:len(dst):len(dst)]
	return append(dst, '}'), rest, nil
}

// appendBody appends the stored body of version: the canonical content
// with meta.versionId and meta.lastUpdated (pre-formatted) set first in meta.
func (p *prepared) appendBody(dst []byte, version int64, lastUpdated []byte) []byte {
	dst = append(dst, `{"resourceType":"`...)
	dst = append(dst, p.typ...)
	dst = append(dst, `","id":"`...)
	dst = append(dst, p.id...)
	dst = append(dst, `","meta":{"versionId":"`...)
	dst = strconv.AppendInt(dst, version, 10)
	dst = append(dst, `","lastUpdated":"`...)
	dst = append(dst, lastUpdated...)
	dst = append(dst, '"')
	if len(p.metaRest) > 0 {
		dst = append(dst, ',')
		dst = append(dst, p.metaRest...)
	}
	dst = append(dst, '}')
	if len(p.rest) > 0 {
		dst = append(dst, ',')
		dst = append(dst, p.rest...)
	}
	return append(dst, '}')
}

// lastUpdatedLayout formats meta.lastUpdated of UTC times.
const lastUpdatedLayout = "2006-01-02T15:04:05.000Z"
