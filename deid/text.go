package deid

import (
	"encoding/base64"
	"html"
	"strings"
)

// removedDiv is the narrative written in place of a resource's narrative
// when free text is removed.
const removedDiv = `<div xmlns="http://www.w3.org/1999/xhtml"><p>Narrative removed for de-identification.</p></div>`

// dataAbsentReason is the standard extension saying why a value is
// missing; "masked" means withheld for privacy.
const dataAbsentReason = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

// narrative replaces Resource.text: by default with status "empty" and a
// fixed div; with RedactText, with the redacted text content of the div.
func (w *walker) narrative(n *node) bool {
	status, div := "empty", removedDiv
	if w.d.opts.RedactText {
		text := w.d.red.redact(xhtmlText(getString(n, "div")), w.names)
		div = `<div xmlns="http://www.w3.org/1999/xhtml"><p>` + html.EscapeString(text) + `</p></div>`
		switch s := getString(n, "status"); s {
		case "generated", "extensions", "additional":
			status = s
		default:
			status = "additional"
		}
	}
	n.Members = []member{
		{Key: "status", Val: node{Kind: jString, Str: status}},
		{Key: "div", Val: node{Kind: jString, Str: div}},
	}
	return true
}

// xhtmlText returns the text content of an XHTML fragment, one line per
// element boundary, with entities decoded. Attributes are dropped.
func xhtmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			break
		}
		b.WriteByte(' ')
		s = s[lt+gt+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// attachment removes the content (data, url, hash, size) and title of an
// attachment, keeping its type, language and year of creation. With
// RedactText a text/* attachment keeps its data, redacted. An attachment
// left empty becomes a data-absent-reason "masked" extension, so a
// required attachment (DocumentReference.content.attachment,
// Media.content) stays valid.
func (w *walker) attachment(n *node, in info) bool {
	if !w.object(n, in.path, in.typ) {
		mask(n)
	}
	return true
}

// mask replaces the members of a complex value by a data-absent-reason
// "masked" extension, which is valid for any datatype.
func mask(n *node) {
	n.Members = []member{{Key: "extension", Val: node{Kind: jArray, Items: []node{{Kind: jObject, Members: []member{
		{Key: "url", Val: node{Kind: jString, Str: dataAbsentReason}},
		{Key: "valueCode", Val: node{Kind: jString, Str: "masked"}},
	}}}}}}
}

// attachmentData redacts the base64 data of a text/* attachment when
// RedactText is set, and otherwise removes it.
func (w *walker) attachmentData(parent, n *node) bool {
	ct := getString(parent, "contentType")
	if !w.d.opts.RedactText || !strings.HasPrefix(ct, "text/") || n.Kind != jString {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(n.Str)
	if err != nil {
		return false
	}
	red := w.d.red.redact(string(raw), w.names)
	if strings.TrimSpace(red) == "" {
		return false
	}
	n.Str = base64.StdEncoding.EncodeToString([]byte(red))
	return true
}

// ownNames collects the name parts, street lines and cities written in a
// resource (and its container's), which the redactor removes from its
// free text even when they are not in its dictionary.
func ownNames(n *node, inherited []string) []string {
	out := append([]string(nil), inherited...)
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if depth > maxDepth {
			return
		}
		for i := range n.Members {
			m := &n.Members[i]
			switch m.Key {
			case "family", "given", "line", "city", "district":
				out = appendStrings(out, &m.Val)
			}
			walk(&m.Val, depth+1)
		}
		for i := range n.Items {
			walk(&n.Items[i], depth+1)
		}
	}
	walk(n, 0)
	return out
}

func appendStrings(out []string, n *node) []string {
	switch n.Kind {
	case jString:
		if len(n.Str) >= 2 {
			out = append(out, n.Str)
		}
	case jArray:
		for i := range n.Items {
			out = appendStrings(out, &n.Items[i])
		}
	}
	return out
}
