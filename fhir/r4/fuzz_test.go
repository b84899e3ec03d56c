package r4

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// toAny converts a parsed node to what encoding/json decodes with UseNumber.
func toAny(n *node) any {
	switch n.Kind {
	case jBool:
		return n.Str == "true"
	case jNumber:
		return json.Number(n.Raw)
	case jString:
		return n.Str
	case jArray:
		out := make([]any, len(n.Items))
		for i := range n.Items {
			out[i] = toAny(&n.Items[i])
		}
		return out
	case jObject:
		out := make(map[string]any, len(n.Members))
		for i := range n.Members {
			out[n.Members[i].Key] = toAny(&n.Members[i].Val)
		}
		return out
	}
	return nil
}

// fuzzSeeds adds the small shaping inputs and a few bad documents to the
// corpus. Large seeds are left out: the fuzzer minimizes every new
// interesting input, which takes long on multi-kilobyte documents.
func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"tagged-no-id", "primitive-ext"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "shape", name+".in.json")); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"resourceType":"Patient","name":[{"given":["a",null],"_given":[null,{"id":"x"}]}]}`,
		`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1e400}}}]}`,
		`{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"group","item":[{"linkId":"2","type":"string"}]}]}`,
		`{"resourceType":"Patient","contained":[{"resourceType":"Patient","contained":[]}],"_birthDate":{}}`,
		`{"resourceType":"Patient","meta":{"tag":"x"},"text":{"div":"\ud800"}}`,
		`[1,"\u00e9",true,null,{"a":-0.5E+3}]`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzValidate checks that Validate never panics, that its parser accepts
// exactly the UTF-8 documents encoding/json accepts, and that every issue
// is complete.
func FuzzValidate(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		issues := Validate(body)
		// encoding/json tolerates invalid UTF-8; FHIR JSON (RFC 8259) does not.
		n, err := parseJSON(body)
		if (err == nil) != (json.Valid(body) && utf8.Valid(body)) {
			t.Fatalf("parser disagrees with encoding/json on validity: %v", err)
		}
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var want any
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if got := toAny(&n); !reflect.DeepEqual(want, got) {
				t.Fatalf("parser decoded %#v, encoding/json %#v", got, want)
			}
		}
		for _, is := range issues {
			if is.Severity == "" || is.Code == "" || is.Diagnostics == "" {
				t.Fatalf("incomplete issue %+v", is)
			}
		}
	})
}

// FuzzSummarize checks that shaping never panics, returns valid JSON and
// is idempotent.
func FuzzSummarize(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		for _, mode := range []string{"true", "text", "data", "false"} {
			out, err := Summarize(body, mode)
			if err != nil {
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("_summary=%s produced invalid JSON %q", mode, out)
			}
			again, err := Summarize(out, mode)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("_summary=%s is not idempotent: %q then %q (%v)", mode, out, again, err)
			}
		}
		if out, err := Elements(body, []string{"name", "value"}); err == nil && !json.Valid(out) {
			t.Fatalf("_elements produced invalid JSON %q", out)
		}
	})
}
