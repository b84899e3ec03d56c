package ingest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// bundleTypes are the Bundle types whose entries are imported one by one.
// Documents and messages are rejected: their meaning depends on the Bundle
// as a whole (https://hl7.org/fhir/R4/bundle.html#bundle-unique).
var bundleTypes = map[string]bool{"transaction": true, "batch": true, "collection": true, "searchset": true}

// errNotBundle stops the first pass over a .json file holding a single
// resource of another type.
var errNotBundle = errors.New("ingest: not a Bundle")

// bundleIndex is what the first pass over a Bundle learns.
type bundleIndex struct {
	resourceType string
	bundleType   string
	typeLine     int
	startLine    int               // line of the Bundle's first byte
	refs         map[string]string // local fullUrl -> "Type/id"
	err          *walkError        // the problem that ended the pass, if any
}

// indexBundle makes the first pass: it reads resourceType and type and maps
// every "urn:uuid:"/"urn:oid:" fullUrl to "Type/id". With stopEarly, it
// returns errNotBundle as soon as resourceType is known not to be Bundle.
func indexBundle(src *source, base int, stopEarly bool) (*bundleIndex, error) {
	ix := &bundleIndex{refs: map[string]string{}, startLine: base + 1}
	es := newEntryScanner()
	w := newBundleWalker(src, base)
	w.member = func(key string, raw []byte, line int) error {
		switch key {
		case "resourceType":
			ix.resourceType = optString(raw)
			if stopEarly && ix.resourceType != "Bundle" {
				return errNotBundle
			}
		case "type":
			ix.bundleType, ix.typeLine = optString(raw), line
		}
		return nil
	}
	w.entry = func(i int, raw []byte, _ int) error {
		e, bad := es.inspect(raw, i)
		if bad == nil && isLocalURN(e.fullURL) {
			if _, dup := ix.refs[e.fullURL]; !dup {
				ix.refs[e.fullURL] = e.res.typ + "/" + e.res.id
			}
		}
		return nil
	}
	err := w.walk()
	if we := (*walkError)(nil); errors.As(err, &we) {
		ix.err = we
		return ix, nil
	}
	return ix, err
}

// checkType returns the rejection of a Bundle that cannot be unpacked, or
// nil.
func (ix *bundleIndex) checkType() *walkError {
	if bundleTypes[ix.bundleType] {
		return nil
	}
	if ix.err != nil {
		return ix.err
	}
	if ix.bundleType == "" {
		return &walkError{line: ix.startLine, reason: "Bundle has no type"}
	}
	return &walkError{line: ix.typeLine, reason: fmt.Sprintf("Bundle type %q is not supported for import (want %s)", ix.bundleType, supportedTypes())}
}

func supportedTypes() string {
	names := make([]string, 0, len(bundleTypes))
	for t := range bundleTypes {
		names = append(names, t)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// emitBundle makes the second pass: it emits every entry, with references
// rewritten through ix.refs, and then the problem that ended the read, if
// any. An entry repeating the fullUrl or the Type/id of an earlier entry
// of the same Bundle is rejected (see dupEntryReason).
func emitBundle(em *emitter, src *source, base int, ix *bundleIndex) error {
	es := newEntryScanner()
	ids := newIDSet()
	w := newBundleWalker(src, base)
	w.member = func(string, []byte, int) error { return nil }
	w.entry = func(i int, raw []byte, line int) error {
		e, bad := es.inspect(raw, i)
		if bad != nil {
			return em.reject(line, bad.reason)
		}
		if reason := dupEntryReason(ids, e, i); reason != "" {
			return em.reject(line, reason)
		}
		return em.record(line, e.res.typ, e.res.id, body(e.data, e.res, ix.refs, e.assigned))
	}
	err := w.walk()
	if we := (*walkError)(nil); errors.As(err, &we) {
		return em.reject(we.line, we.reason)
	}
	if err == nil && w.entries == 0 {
		// Not wrong, but the file or line yields nothing: say so.
		return em.reject(ix.startLine, "Bundle has no entries")
	}
	return err
}

// dupEntryReason checks entry i of a Bundle against the earlier entries
// recorded in ids, and records it unless it is a duplicate. It returns
// the rejection of a duplicate, or "". The first entry is kept: it is the
// one references to the fullUrl were mapped to (indexBundle). Entries are
// counted, not lines, since a Bundle on an NDJSON line has a single line.
func dupEntryReason(ids *idSet, e entry, i int) string {
	var url uint64
	if e.fullURL != "" {
		url = ids.hash("fullUrl", e.fullURL)
		if first, dup := ids.lookup(url); dup {
			return fmt.Sprintf("Bundle.entry[%d]: duplicate fullUrl %q in this Bundle (first at Bundle.entry[%d])", i, e.fullURL, first)
		}
	}
	first, dup := ids.add(ids.hash(e.res.typ, e.res.id), i)
	switch {
	case dup && e.hashed:
		return fmt.Sprintf("Bundle.entry[%d]: duplicate id %s/%s in this Bundle: the same resource without an id repeats Bundle.entry[%d] (harmless: its id derives from its content)", i, e.res.typ, e.res.id, first)
	case dup:
		return fmt.Sprintf("Bundle.entry[%d]: duplicate id %s/%s in this Bundle (first at Bundle.entry[%d])", i, e.res.typ, e.res.id, first)
	}
	if e.fullURL != "" {
		ids.add(url, i)
	}
	return ""
}

// unpackBundle reads a Bundle in two passes; open returns a fresh source
// over the same bytes for each pass. The first byte is on line base+1. ix
// is the result of the first pass if it was already made, else nil.
func unpackBundle(em *emitter, open func() (*source, string), base int, ix *bundleIndex) error {
	if ix == nil {
		src, reason := open()
		if reason != "" {
			return em.reject(0, reason)
		}
		var err error
		ix, err = indexBundle(src, base, false)
		_ = src.Close()
		if err != nil {
			return err
		}
	}
	if we := ix.checkType(); we != nil {
		return em.reject(we.line, we.reason)
	}
	src, reason := open()
	if reason != "" {
		return em.reject(0, reason)
	}
	defer src.Close()
	err := emitBundle(em, src, base, ix)
	em.stats.Bytes += src.in.n
	return err
}

// readBundleBytes unpacks a Bundle held in memory (an NDJSON line, or a
// whole small file), whose first byte is on line base+1.
func readBundleBytes(em *emitter, data []byte, base int) error {
	return unpackBundle(em, func() (*source, string) { return bytesSource(data), "" }, base, nil)
}
