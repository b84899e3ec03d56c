package normalize

// special marks the datatypes whose rules need several members at once.
type special uint8

// The special datatypes.
const (
	specialNone special = iota
	specialCoding
	specialQuantity // Quantity and its R4 specialisations Age, Count, Distance, Duration
	specialContactPoint
)

func specialOf(typeName string) special {
	switch typeName {
	case "Coding":
		return specialCoding
	case "Quantity", "Age", "Count", "Distance", "Duration":
		return specialQuantity
	case "ContactPoint":
		return specialContactPoint
	}
	return specialNone
}

// isField reports whether a member of a special datatype is read into
// fields rather than walked: system and code of Coding; system, code and
// unit of the Quantity types; system and value of ContactPoint.
func (sp special) isField(key []byte) bool {
	switch string(key) {
	case "system":
		return true
	case "code":
		return sp == specialCoding || sp == specialQuantity
	case "unit":
		return sp == specialQuantity
	case "value":
		return sp == specialContactPoint
	}
	return false
}

// field is one string member of a special datatype.
type field struct {
	set, dup   bool
	val        string
	start, end int
}

// fields holds the string members system, code, unit and value.
type fields struct {
	system, code, unit, value field
}

func (f *fields) read(w *walker, key []byte) error {
	v, start, end, err := w.str()
	if err != nil {
		return err
	}
	fl := f.field(key)
	*fl = field{set: true, dup: fl.set, val: v, start: start, end: end}
	return nil
}

// field returns the field named key, which isField accepts.
func (f *fields) field(key []byte) *field {
	switch string(key) {
	case "system":
		return &f.system
	case "code":
		return &f.code
	case "unit":
		return &f.unit
	}
	return &f.value
}

// special applies the rules of a Coding, Quantity or ContactPoint whose
// closing brace is at end. Objects with a repeated member, or with one of
// these members not a JSON string, are left alone.
func (w *walker) special(sp special, f *fields, end int) {
	if f.system.dup || f.code.dup || f.unit.dup || f.value.dup {
		return
	}
	switch sp {
	case specialCoding:
		cs := w.system(&f.system)
		w.code(&f.code, cs)
	case specialQuantity:
		w.quantity(f, end)
	case specialContactPoint:
		w.contactPoint(f)
	}
}

// system canonicalises a Coding or Quantity system and returns the known
// system it names, or nil.
func (w *walker) system(fl *field) *codeSystem {
	if !fl.set {
		return nil
	}
	to, cs := canonicalSystem(fl.val)
	to = w.fix("system", fl.val, RuleCodeSystem, to)
	w.replace(fl.start, fl.end, fl.val, to)
	fl.val = to
	return cs
}

// code trims a code and upper-cases it for systems with upper-case codes.
func (w *walker) code(fl *field, cs *codeSystem) {
	if !fl.set {
		return
	}
	to := w.fix("code", fl.val, RuleCodeSpace, collapseSpace(fl.val))
	to = w.fix("code", to, RuleCodeCase, upperCode(cs, to))
	w.replace(fl.start, fl.end, fl.val, to)
	fl.val = to
}

// quantity canonicalises the system, then sets the UCUM code (and the
// system when it is absent) for a unit the table knows, from the code or,
// when there is no code, from the unit text. The unit text and the value
// are never changed.
func (w *walker) quantity(f *fields, end int) {
	cs := w.system(&f.system)
	w.code(&f.code, cs)
	if f.system.set && f.system.val != ucumURI {
		return
	}
	var add []byte
	switch {
	case f.code.set:
		u := ucumCode(f.code.val)
		if u == "" {
			return
		}
		to := w.fix("code", f.code.val, RuleUCUM, u)
		w.replace(f.code.start, f.code.end, f.code.val, to)
	case f.unit.set:
		u := ucumCode(f.unit.val)
		if u == "" {
			return
		}
		w.changes = append(w.changes, Change{Path: w.pathString("code"), To: u, Rule: RuleUCUM})
		add = appendMember(add, "code", u)
	default:
		return
	}
	if !f.system.set {
		w.changes = append(w.changes, Change{Path: w.pathString("system"), To: ucumURI, Rule: RuleUCUM})
		add = appendMember(add, "system", ucumURI)
	}
	if add != nil {
		w.insert(end, add)
	}
}

// contactPoint fixes the system code, then the value by system.
func (w *walker) contactPoint(f *fields) {
	sys := f.system.val
	if f.system.set {
		to := w.fix("system", sys, RuleCodeSpace, collapseSpace(sys))
		to = w.fix("system", to, RuleRequiredCode, foldRequired(w.s.contactSystems, to))
		w.replace(f.system.start, f.system.end, sys, to)
		sys = to
	}
	if !f.value.set {
		return
	}
	to := f.value.val
	switch sys {
	case "phone", "fax", "sms":
		to = w.fix("value", to, RulePhone, canonicalPhone(w.opts, to))
	case "email":
		to = w.fix("value", to, RuleEmail, canonicalEmail(to))
	}
	w.replace(f.value.start, f.value.end, f.value.val, to)
}
