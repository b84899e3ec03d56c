package r4

import "bytes"

// subsettedTag is the meta.tag marking a resource as incomplete.
const subsettedTag = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED"}`

const subsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"

// writeTaggedMeta writes meta with the SUBSETTED tag appended to meta.tag
// unless it is already there.
func writeTaggedMeta(w *bytes.Buffer, meta *node) {
	if meta.Kind != jObject {
		w.Write(compact(meta.Raw))
		return
	}
	w.WriteByte('{')
	tagged := false
	for i := range meta.Members {
		m := &meta.Members[i]
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(appendKey(nil, m.Key))
		if m.Key != "tag" || m.Val.Kind != jArray {
			w.Write(compact(m.Val.Raw))
			continue
		}
		tagged = true
		w.WriteByte('[')
		for j := range m.Val.Items {
			w.Write(compact(m.Val.Items[j].Raw))
			w.WriteByte(',')
		}
		if hasSubsetted(&m.Val) {
			w.Truncate(w.Len() - 1)
		} else {
			w.WriteString(subsettedTag)
		}
		w.WriteByte(']')
	}
	if !tagged {
		if len(meta.Members) > 0 {
			w.WriteByte(',')
		}
		w.WriteString(`"tag":[` + subsettedTag + `]`)
	}
	w.WriteByte('}')
}

func hasSubsetted(tags *node) bool {
	for i := range tags.Items {
		c := &tags.Items[i]
		if sys, code := c.Get("system"), c.Get("code"); sys != nil && code != nil &&
			sys.Str == subsettedSystem && code.Str == "SUBSETTED" {
			return true
		}
	}
	return false
}
