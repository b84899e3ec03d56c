package r4

import "bytes"

// subsettedTag is the meta.tag marking a resource as incomplete.
const subsettedTag = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED"}`

const subsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"

// writeTaggedMeta writes meta with the SUBSETTED tag appended to meta.tag
// unless it is already there.
func writeTaggedMeta(w *bytes.Buffer, meta *node) {
	if meta.kind != jObject {
		w.Write(compact(meta.raw))
		return
	}
	w.WriteByte('{')
	tagged := false
	for i := range meta.members {
		m := &meta.members[i]
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(appendKey(nil, m.key))
		if m.key != "tag" || m.val.kind != jArray {
			w.Write(compact(m.val.raw))
			continue
		}
		tagged = true
		w.WriteByte('[')
		for j := range m.val.items {
			w.Write(compact(m.val.items[j].raw))
			w.WriteByte(',')
		}
		if hasSubsetted(&m.val) {
			w.Truncate(w.Len() - 1)
		} else {
			w.WriteString(subsettedTag)
		}
		w.WriteByte(']')
	}
	if !tagged {
		if len(meta.members) > 0 {
			w.WriteByte(',')
		}
		w.WriteString(`"tag":[` + subsettedTag + `]`)
	}
	w.WriteByte('}')
}

func hasSubsetted(tags *node) bool {
	for i := range tags.items {
		c := &tags.items[i]
		if sys, code := c.get("system"), c.get("code"); sys != nil && code != nil &&
			sys.str == subsettedSystem && code.str == "SUBSETTED" {
			return true
		}
	}
	return false
}
