package deid

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/stretchr/testify/require"
)

// identifying holds every identifying value of the source data.
type identifying struct {
	exact map[string]string // value -> what it is: identifier values, phones, lines, ZIPs, ids
	words map[string]string // lower-case name parts and cities, matched as whole words
	dates map[string]bool   // full dates YYYY-MM-DD
	vocab map[string]bool   // terminology strings (Coding.display, CodeableConcept.text)
}

var fullDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// collect walks a decoded source resource for identifying values.
func (id *identifying) collect(v any, key, parent string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			id.collect(c, k, key)
		}
	case []any:
		for _, c := range x {
			id.collect(c, key, parent)
		}
	case string:
		for _, d := range fullDate.FindAllString(x, -1) {
			id.dates[d] = true
		}
		switch {
		case key == "given" || key == "family":
			if len(x) >= 3 {
				id.words[strings.ToLower(x)] = "name part"
			}
		case key == "city":
			id.words[strings.ToLower(x)] = "city"
		case key == "line":
			id.exact[x] = "address line"
		case key == "postalCode":
			id.exact[x] = "ZIP"
		case key == "id":
			id.exact[x] = "id"
		case key == "value" && (parent == "identifier" || parent == "telecom"):
			id.exact[x] = parent + " value"
		case key == "display" || key == "text":
			id.vocab[x] = true
		}
	}
}

func collectIdentifying(t *testing.T, src []sourceResource) *identifying {
	id := &identifying{exact: map[string]string{}, words: map[string]string{}, dates: map[string]bool{}, vocab: map[string]bool{}}
	for _, r := range src {
		var v any
		require.NoError(t, json.Unmarshal(r.body, &v))
		id.collect(v, "", "")
	}
	require.NotEmpty(t, id.words)
	require.NotEmpty(t, id.dates)
	return id
}

// scanText returns the texts an output exposes: every string value, with
// base64 attachment data decoded. Terminology strings identical to a
// source Coding.display or CodeableConcept.text (the race display
// "White", say) are left out of the name scan only, as vocabulary.
func scanText(t *testing.T, out []byte) []string {
	var v any
	require.NoError(t, json.Unmarshal(out, &v))
	var texts []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(c, k)
			}
		case []any:
			for _, c := range x {
				walk(c, key)
			}
		case string:
			texts = append(texts, x)
			if key == "data" {
				raw, err := base64.StdEncoding.DecodeString(x)
				require.NoError(t, err)
				texts = append(texts, string(raw))
			}
		}
	}
	walk(v, "")
	return texts
}

// wordRe finds words; tokens with digits, or of a pseudonym's length,
// are pseudonyms and codes, not words (a base32 pseudonym may contain
// "lisa" between two digits).
var wordRe = regexp.MustCompile(`[A-Za-z0-9']+`)

func isWord(w string) bool {
	return len(w) != 26 && !strings.ContainsAny(w, "0123456789")
}

// leaks returns the identifying values of ids found in outs (at most a
// few, for the message).
func leaks(t *testing.T, ids *identifying, outs [][]byte) []string {
	var found []string
	var blob, prose strings.Builder
	words := map[string]bool{}
	for _, out := range outs {
		for _, s := range scanText(t, out) {
			blob.WriteString(s)
			blob.WriteByte('\n')
			if ids.vocab[s] {
				continue
			}
			prose.WriteString(strings.ToLower(s))
			prose.WriteByte('\n')
			for _, w := range wordRe.FindAllString(s, -1) {
				if isWord(w) {
					words[strings.ToLower(w)] = true
				}
			}
		}
		blob.Write(out)
		blob.WriteByte('\n')
	}
	all := blob.String()
	for _, d := range fullDate.FindAllString(all, -1) {
		if ids.dates[d] {
			found = append(found, "full date "+d)
			break
		}
	}
	for w, what := range ids.words {
		if words[w] || (strings.Contains(w, " ") && regexp.MustCompile(`\b`+regexp.QuoteMeta(w)+`\b`).MatchString(prose.String())) {
			found = append(found, what+" "+w)
		}
	}
	tokens := map[string]bool{}
	for _, tok := range regexp.MustCompile(`[A-Za-z0-9\-]+`).FindAllString(all, -1) {
		tokens[tok] = true
	}
	for v, what := range ids.exact {
		if (what == "id" && tokens[v]) || (what != "id" && strings.Contains(all, v)) {
			found = append(found, what+" "+v)
		}
	}
	return found
}

// TestProofNoIdentifierSurvives is the proof: no identifying
// value of the source (name part, city, identifier value, phone number,
// address line, ZIP, resource id, full date) appears in any de-identified
// output, in either free-text mode, while the same scan finds them in the
// source.
func TestProofNoIdentifierSurvives(t *testing.T) {
	src := corpus(t)
	ids := collectIdentifying(t, src)
	raw := make([][]byte, len(src))
	for i, r := range src {
		raw[i] = r.body
	}
	require.Greater(t, len(leaks(t, ids, raw)), 1000, "the scan must find the identifiers of the source")
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"mode=remove", Options{}},
		{"mode=redact", Options{RedactText: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outs := deidentifyAll(t, newTest(t, tc.opts), src)
			require.Empty(t, leaks(t, ids, outs))
		})
	}
}

// TestProofOutputValid checks every output with the R4 validator.
func TestProofOutputValid(t *testing.T) {
	src := corpus(t)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"mode=remove", Options{}},
		{"mode=redact", Options{RedactText: true}},
		{"mode=shift", Options{ShiftDates: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outs := deidentifyAll(t, newTest(t, tc.opts), src)
			for i, out := range outs {
				require.Empty(t, r4.Validate(src[i].body), "source %s", src[i].body)
				require.Empty(t, r4.Validate(out), "output %s", out)
			}
		})
	}
}
