package ingest

import (
	"fmt"
)

// walkError is a problem that ends the walk over a Bundle at a line.
type walkError struct {
	line   int
	reason string
}

func (e *walkError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// bundleWalker streams a top-level JSON object, handing over its members
// and the elements of its "entry" array one at a time, so a Bundle is never
// held in memory as a whole.
type bundleWalker struct {
	js  *jsonStream
	lt  *lineTracker
	src *source
	// member is called for each top-level member other than "entry".
	member func(key string, raw []byte, line int) error
	// entry is called for each element of "entry". raw is only valid
	// during the call.
	entry   func(i int, raw []byte, line int) error
	entries int // entries handed over so far
}

// newBundleWalker reads src, whose first byte is on line base+1.
func newBundleWalker(src *source, base int) *bundleWalker {
	lt := newLineTracker(src.in, base)
	return &bundleWalker{js: newJSONStream(lt), lt: lt, src: src}
}

// walk visits every member of the top-level object. It returns a
// *walkError for a problem in the data, or a callback's error.
func (w *bundleWalker) walk() error {
	c, ok := w.js.peek()
	if !ok {
		if f := w.src.failure(); f != "" {
			return &walkError{line: w.lt.lineReached(), reason: f}
		}
		return &walkError{line: 0, reason: "file is empty"}
	}
	if c != '{' {
		return &walkError{line: w.lineHere(), reason: "not a JSON object"}
	}
	if err := w.members(); err != nil {
		return err
	}
	if _, ok := w.js.peek(); ok {
		return &walkError{line: w.lineHere(), reason: "unexpected data after the end of the Bundle"}
	}
	if f := w.src.failure(); f != "" {
		return &walkError{line: w.lt.lineReached(), reason: f}
	}
	return nil
}

// members reads the top-level object, from '{' to '}'.
func (w *bundleWalker) members() error {
	w.js.pos++ // '{'
	c, ok := w.js.peek()
	if ok && c == '}' {
		w.js.pos++
		return nil
	}
	for {
		if c, ok = w.js.peek(); ok && c != '"' {
			return w.fail(w.js.errChar(c, "looking for beginning of object key string"))
		}
		key, serr := w.js.value()
		if serr != nil {
			return w.fail(serr)
		}
		name := unquote(key)
		if serr := w.js.consume(':', "after object key"); serr != nil {
			return w.fail(serr)
		}
		if err := w.memberValue(name); err != nil {
			return err
		}
		if done, err := w.next('}', "after object key:value pair"); done || err != nil {
			return err
		}
	}
}

// memberValue reads the value of the top-level member name.
func (w *bundleWalker) memberValue(name string) error {
	if name == "entry" {
		return w.walkEntries()
	}
	w.js.peek()
	line := w.lineHere()
	raw, serr := w.js.value()
	if serr != nil {
		return w.fail(serr)
	}
	return w.member(name, raw, line)
}

// next consumes the ',' before another element (done false) or the
// closing byte (done true).
func (w *bundleWalker) next(closing byte, context string) (done bool, err error) {
	c, ok := w.js.peek()
	switch {
	case !ok:
		return true, w.fail(w.js.errEOF())
	case c == ',':
		w.js.pos++
		return false, nil
	case c == closing:
		w.js.pos++
		return true, nil
	default:
		return true, w.fail(w.js.errChar(c, context))
	}
}

func (w *bundleWalker) walkEntries() error {
	c, ok := w.js.peek()
	if !ok {
		return w.fail(w.js.errEOF())
	}
	if c != '[' {
		return &walkError{line: w.lineHere(), reason: "Bundle.entry is not an array"}
	}
	w.js.pos++
	if c, ok := w.js.peek(); ok && c == ']' {
		w.js.pos++
		return nil
	}
	for {
		w.js.peek()
		line := w.lineHere()
		raw, serr := w.js.value()
		if serr != nil {
			return w.fail(serr)
		}
		i := w.entries
		w.entries++
		if err := w.entry(i, raw, line); err != nil {
			return err
		}
		if done, err := w.next(']', "after array element"); done || err != nil {
			return err
		}
	}
}

// lineHere returns the line of the stream's position.
func (w *bundleWalker) lineHere() int {
	return w.lt.lineAt(w.js.offset())
}

// fail turns a syntax error into a walkError. A read error (a gzip file cut
// short) takes precedence, since it explains the early end.
func (w *bundleWalker) fail(se *streamError) error {
	if f := w.src.failure(); f != "" {
		return &walkError{line: w.lt.lineReached(), reason: f}
	}
	off := se.off
	if se.eof && off > 0 {
		off-- // the line of the last byte, not of the byte after it
	}
	return &walkError{line: w.lt.lineAt(off), reason: "invalid JSON: " + se.msg}
}
