package search

import (
	"html"
	"strings"
	"unicode"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// The full-text parameters _text and _content have no FHIRPath expression
// in R4's definitions; Extract gives each resource at most one value of
// each, normalized (see Normalize) and searched with a contains match:
//
//   - _text (DomainResource): the narrative, text.div with its XHTML tags
//     stripped and its character entities decoded (see narrativeText).
//   - _content (every resource): the resource's textual content, the
//     string and markdown elements people write and read. Without the
//     element types at hand, an element counts by its name (see
//     contentFields): display and text (Coding, CodeableConcept,
//     Annotation), HumanName and Address parts, names, titles,
//     descriptions, comments and the value[x] of strings and markdown.
//     Ids, codes, uris, dates, references and the narrative are left out.
//     Contained resources count as part of their container.
//
// Repeated strings count once; the strings are joined with a newline,
// which no search value can usefully span, and stored only normalized (the str column), not as written.
const (
	textParam    = "_text"
	contentParam = "_content"
)

// contentFields are the element names whose string values are _content.
var contentFields = map[string]bool{
	"text": true, "display": true, "family": true, "given": true, "prefix": true, "suffix": true,
	"line": true, "city": true, "district": true, "state": true, "country": true,
	"name": true, "title": true, "subtitle": true, "description": true, "comment": true, "summary": true,
	"alias": true, "label": true, "detail": true, "conclusion": true, "purpose": true, "usage": true,
	"instruction": true, "patientInstruction": true, "question": true,
	"valueString": true, "valueMarkdown": true, "answerString": true,
}

// addFullText appends the _text and _content values of a resource.
func addFullText(out *Values, root *fhirpath.Node, domain bool) {
	if domain {
		if div := root.Get("text").Get("div"); isString(div) {
			if t := strings.TrimSpace(narrativeText(div.Str)); t != "" {
				out.Strings = append(out.Strings, StringValue{Param: textParam, Norm: Normalize(t)})
			}
		}
	}
	var parts []string
	collectContent(root, "", &parts)
	parts = uniqueStrings(parts) // a display often repeats the concept's text
	if len(parts) > 0 {
		out.Strings = append(out.Strings, StringValue{Param: contentParam, Norm: Normalize(strings.Join(parts, "\n"))})
	}
}

// collectContent appends the strings of n under content field names.
func collectContent(n *fhirpath.Node, name string, parts *[]string) {
	switch n.Kind {
	case fhirpath.KindString:
		if contentFields[name] {
			if s := strings.TrimSpace(n.Str); s != "" {
				*parts = append(*parts, s)
			}
		}
	case fhirpath.KindArray:
		for _, it := range n.Items {
			collectContent(it, name, parts)
		}
	case fhirpath.KindObject:
		for _, f := range n.Fields {
			if f.Name == "text" && f.Value.Kind == fhirpath.KindObject && f.Value.Get("div") != nil {
				continue // the narrative is _text
			}
			collectContent(f.Value, f.Name, parts)
		}
	}
}

// narrativeText returns the text of an XHTML fragment: block elements
// and line breaks become spaces, other tags (b, span, a) and comments go,
// character entities are decoded and format characters (soft hyphens,
// zero-width spaces) dropped, so "pea&shy;<b>nut</b>" reads "peanut".
func narrativeText(div string) string {
	var b strings.Builder
	for len(div) > 0 {
		i := strings.IndexByte(div, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(div))
			break
		}
		b.WriteString(html.UnescapeString(div[:i]))
		div = div[i:]
		end := ">"
		if strings.HasPrefix(div, "<!--") {
			end = "-->"
		}
		j := strings.Index(div, end)
		if j < 0 {
			break
		}
		if blockTag(div[:j]) {
			b.WriteByte(' ')
		}
		div = div[j+len(end):]
	}
	text := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, b.String())
	return strings.Join(strings.Fields(text), " ")
}

// blockTag reports whether a tag ("<p class=x", "</td") separates words.
func blockTag(tag string) bool {
	name := strings.TrimLeft(tag, "</")
	if k := strings.IndexAny(name, " \t\n\r/"); k >= 0 {
		name = name[:k]
	}
	switch strings.ToLower(name) {
	case "div", "p", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "thead", "tbody",
		"h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "caption":
		return true
	}
	return false
}

// uniqueStrings drops the repeats from s, keeping the first of each.
func uniqueStrings(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
