package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// walker reads one resource guided by the element table and collects the
// edits and changes the rules ask for.
type walker struct {
	scanner
	opts    *Options
	s       *schema
	path    []seg
	edits   []edit
	changes []Change
}

// seg is one step of the path: a member name and, for array items, the
// index (-1 otherwise).
type seg struct {
	key []byte
	idx int
}

// resource reads the top-level resource and checks nothing follows it.
func (w *walker) resource() error {
	if w.peek() != '{' {
		return fmt.Errorf("%w: expected a JSON object", ErrInvalid)
	}
	rt, err := w.resourceType()
	if err != nil {
		return err
	}
	t := w.s.resource(rt)
	if t == nil {
		return fmt.Errorf("%w: unknown resource type %q", ErrInvalid, rt)
	}
	w.path = append(make([]seg, 0, 16), seg{key: []byte(rt), idx: -1})
	if err := w.object(t, 0); err != nil {
		return err
	}
	if w.peek() != 0 {
		return w.errorf("unexpected data after the resource")
	}
	return nil
}

// errFound stops resourceType's scan early.
var errFound = errors.New("found")

// resourceType finds the resourceType string of the object at pos without
// moving pos; "" when there is none.
func (w *walker) resourceType() (string, error) {
	start := w.pos
	rt := ""
	err := w.members(func(key []byte) error {
		if string(key) == "resourceType" && w.peek() == '"' {
			v, _, _, err := w.str()
			if err == nil {
				rt, err = v, errFound
			}
			return err
		}
		return w.skip(1)
	})
	w.pos = start
	if err == errFound {
		err = nil
	}
	return rt, err
}

// value reads the value of property p at the current path.
func (w *walker) value(p prop, depth int) error {
	if depth > maxDepth {
		return w.errorf("nesting deeper than %d", maxDepth)
	}
	switch w.peek() {
	case '[':
		last := len(w.path) - 1
		return w.items(func(i int) error {
			w.path[last].idx = i
			return w.value(p, depth+1)
		})
	case '{':
		switch p.kind {
		case kindObject:
			return w.object(p.typ, depth)
		case kindResource:
			return w.contained(depth)
		}
	case '"':
		if p.kind >= kindDate {
			return w.primitive(p)
		}
	}
	return w.skip(depth)
}

// contained reads an inline resource, typed by its own resourceType.
func (w *walker) contained(depth int) error {
	rt, err := w.resourceType()
	if err != nil {
		return err
	}
	t := w.s.resource(rt)
	if t == nil {
		return w.skip(depth)
	}
	return w.object(t, depth)
}

// object reads an object of type t, handing Coding, the Quantity types and
// ContactPoint to their rules once all their members are known.
func (w *walker) object(t *typeInfo, depth int) error {
	sp := specialOf(t.name)
	var f fields
	err := w.members(func(key []byte) error {
		if sp.isField(key) {
			if w.peek() == '"' {
				return f.read(w, key)
			}
			f.field(key).dup = true // not a string: leave the object alone
		}
		if len(key) > 1 && key[0] == '_' {
			return w.child(key[1:], prop{kind: kindObject, typ: w.s.element}, depth)
		}
		p, ok := t.props[string(key)]
		if !ok {
			return w.skip(depth + 1)
		}
		return w.child(key, p, depth)
	})
	if err != nil || sp == specialNone {
		return err
	}
	w.special(sp, &f, w.pos-1)
	return nil
}

// child reads a member's value with its name pushed on the path.
func (w *walker) child(key []byte, p prop, depth int) error {
	w.path = append(w.path, seg{key: key, idx: -1})
	err := w.value(p, depth+1)
	w.path = w.path[:len(w.path)-1]
	return err
}

// primitive applies the rules of a date, dateTime, instant or code value.
func (w *walker) primitive(p prop) error {
	raw, start, end, err := w.strBytes()
	if err != nil || p.kind != kindCode && canonicalShape(raw) {
		return err
	}
	v := string(raw)
	to := v
	switch p.kind {
	case kindCode:
		to = w.fix("", to, RuleCodeSpace, collapseSpace(to))
		if p.codes != nil {
			to = w.fix("", to, RuleRequiredCode, foldRequired(p.codes, to))
		}
	default:
		c, _ := canonicalDate(to, p.kind)
		to = w.fix("", to, RuleDate, c)
	}
	w.replace(start, end, v, to)
	return nil
}

// fix records a change by rule from v to to (when they differ and to is
// not empty) of the current value, or of its member child when child is
// not "", and returns the value now in force.
func (w *walker) fix(child, v string, rule Rule, to string) string {
	if to == v || to == "" {
		return v
	}
	w.changes = append(w.changes, Change{Path: w.pathString(child), From: v, To: to, Rule: rule})
	return to
}

// replace queues rewriting the string at [start, end) when it changed.
func (w *walker) replace(start, end int, from, to string) {
	if to != from {
		w.edits = append(w.edits, edit{start: start, end: end, text: quote(to)})
	}
}

// pathString renders the current path, plus member child when not "".
func (w *walker) pathString(child string) string {
	var b strings.Builder
	for i, sg := range w.path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.Write(sg.key)
		if sg.idx >= 0 {
			b.WriteString("[" + strconv.Itoa(sg.idx) + "]")
		}
	}
	if child != "" {
		b.WriteString("." + child)
	}
	return b.String()
}
