package deid

import "strings"

// walker de-identifies one resource tree in place. It is used by one
// goroutine for one call.
type walker struct {
	d        *Deidentifier
	shift    int      // day offset of the current resource's patient (ShiftDates)
	names    []string // name parts of the current resource, for the redactor
	keepText bool     // inside a coded demographic extension (race, ethnicity)
}

// resource de-identifies a resource object (top level, contained or in a
// Bundle) and reports whether anything is left of it.
func (w *walker) resource(n *node, inherited int) bool {
	rt := getString(n, "resourceType")
	if n.Kind != jObject || !isResourceType(rt) {
		return false
	}
	saved, savedNames := w.shift, w.names
	defer func() { w.shift, w.names = saved, savedNames }()
	w.shift = inherited
	if w.d.opts.ShiftDates {
		if p, ok := patientOf(n, rt); ok {
			w.shift = w.d.keys.offset(p, w.d.opts.MaxShiftDays)
		} else if inherited == 0 {
			w.shift = w.d.keys.offset("", w.d.opts.MaxShiftDays)
		}
	}
	if w.d.opts.RedactText {
		w.names = ownNames(n, savedNames)
	}
	return w.object(n, rt, rt)
}

// patientOf returns the id of the patient a resource is about: its own
// id for a Patient, else the id of its subject, patient or beneficiary
// reference to a Patient.
func patientOf(n *node, rt string) (string, bool) {
	if rt == "Patient" {
		id := getString(n, "id")
		return id, id != ""
	}
	for _, key := range []string{"subject", "patient", "beneficiary"} {
		ref := n.Get(key)
		if ref == nil || ref.Kind != jObject {
			continue
		}
		s := getString(ref, "reference")
		if i := strings.Index(s, "Patient/"); i >= 0 && (i == 0 || s[i-1] == '/') {
			id := s[i+len("Patient/"):]
			if j := strings.IndexByte(id, '/'); j >= 0 {
				id = id[:j]
			}
			return id, id != ""
		}
	}
	return "", false
}

// object de-identifies the members of an object of FHIR type typ whose
// members resolve under base, removing those the rules drop, and reports
// whether any member is left.
func (w *walker) object(n *node, base, typ string) bool {
	var changed []string // primitives removed or shortened: their _x goes too
	kept := n.Members[:0]
	for i := range n.Members {
		m := &n.Members[i]
		if m.Key == "resourceType" && base == typ && isResourceType(typ) {
			kept = append(kept, *m)
			continue
		}
		if len(m.Key) > 1 && m.Key[0] == '_' && contains(changed, m.Key[1:]) {
			continue
		}
		in := w.d.types.member(base, m.Key)
		before := len(m.Val.Items)
		if in.drop || dropMember(typ, base, m.Key) || !w.member(n, m, in, typ) {
			changed = append(changed, m.Key)
			continue
		}
		if len(m.Val.Items) != before {
			changed = append(changed, m.Key)
		}
		kept = append(kept, *m)
	}
	n.Members = kept
	if len(changed) > 0 {
		n.Members = dropExtensionsOf(n.Members, changed)
	}
	return len(n.Members) > 0
}

// dropExtensionsOf removes the _x members (primitive extensions) of the
// primitives x listed in changed, for an _x that came before its x.
func dropExtensionsOf(ms []member, changed []string) []member {
	kept := ms[:0]
	for _, m := range ms {
		if len(m.Key) > 1 && m.Key[0] == '_' && contains(changed, m.Key[1:]) {
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// member de-identifies one member's value (a single value or an array)
// and reports whether it is kept.
func (w *walker) member(parent *node, m *member, in info, parentType string) bool {
	if m.Val.Kind != jArray {
		return w.value(parent, &m.Val, m.Key, in, parentType)
	}
	kept := m.Val.Items[:0]
	for i := range m.Val.Items {
		it := &m.Val.Items[i]
		if it.Kind == jNull {
			kept = append(kept, *it) // aligned with a _x array
			continue
		}
		if w.value(parent, it, m.Key, in, parentType) {
			kept = append(kept, *it)
		}
	}
	m.Val.Items = kept
	return keepArray(m)
}

// keepArray reports whether an array has any value left that is not
// null; nulls only pad primitive arrays aligned with their _x array.
func keepArray(m *member) bool {
	for i := range m.Val.Items {
		if m.Val.Items[i].Kind != jNull {
			return true
		}
	}
	return false
}

// dropMember lists elements removed whatever their value, by the type
// (or backbone path) of the object holding them.
func dropMember(typ, base, key string) bool {
	switch {
	case typ == "Meta" && key == "source", // the system the data came from (a URL)
		base == "Bundle" && key == "link", // search links carry the query (names, identifiers)
		base == "Bundle.entry.request" && (key == "ifNoneExist" || key == "ifMatch" || key == "ifNoneMatch"),
		base == "AuditEvent.agent.network" && key == "address", // IP addresses and host names
		base == "Location" && (key == "position" || key == "alias"),
		base == "Organization" && key == "alias",
		base == "FamilyMemberHistory" && key == "name", // a relative's name
		base == "Device" && (key == "deviceName" || key == "url"),
		base == "Device.udiCarrier" && key == "carrierAIDC":
		return true
	}
	return false
}
