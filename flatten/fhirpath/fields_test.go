package fhirpath

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRootFields(t *testing.T) {
	for _, tt := range []struct {
		expr   string
		want   []string
		wantOK bool
	}{
		{"id", []string{"id"}, true},
		{"name.first().family", []string{"name"}, true},
		{"subject.getReferenceKey(Patient)", []string{"subject"}, true},
		{"value.ofType(Quantity).value", []string{"value"}, true},
		{"code.coding.where(system = %sys and code = 'a').exists()", []string{"code"}, true},
		{"component.where(code.coding.exists(code = 'x')).value", []string{"component"}, true},
		{"iif(active, name, alias)", nil, false}, // a call on the focus
		{"a[b] | -c.d", []string{"a", "b", "c"}, true},
		{"(x as string) = %rowIndex.toString()", []string{"x"}, true},
		{"telecom.extension('http://x').value", []string{"telecom"}, true},
		{"name.given.join(sep)", []string{"name", "sep"}, true},
		// Forms that may yield the resource itself.
		{"$this.id", nil, false},
		{"Patient.name", nil, false},
		{"%resource.id", nil, false},
		{"name.where(%resource.id = 'x')", []string{"name"}, false},
		{"getResourceKey()", nil, false},
		{"where(active).name", nil, false},
		{"extension('http://x')", nil, false},
		{"$index", nil, false},
		{"value.as(Quantity).unit", []string{"value"}, true},
		{"value.is(FHIR.Quantity)", []string{"value"}, true},
		{"subject.where(resolve() is Patient)", []string{"subject"}, false}, // reads contained
	} {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			require.NoError(t, err)
			got, ok := RootFields(e)
			require.Equal(t, tt.wantOK, ok)
			if ok {
				require.Equal(t, tt.want, got)
			}
		})
	}
}

func TestFieldMatches(t *testing.T) {
	for _, tt := range []struct {
		name, want string
		match      bool
	}{
		{"value", "value", true},
		{"valueQuantity", "value", true},
		{"_value", "value", true},
		{"_valueDateTime", "value", true},
		{"values", "value", false},
		{"valu", "value", false},
		{"__value", "value", false},
		{"id", "id", true},
		{"identifier", "id", false},
	} {
		require.Equal(t, tt.match, FieldMatches(tt.name, tt.want), "%s vs %s", tt.name, tt.want)
	}
}

// fieldsReference is what DecodeBorrowedFields must return: a full decode
// with the rejected top-level members removed.
func fieldsReference(data []byte, keep func(string) bool) (string, error) {
	var d Decoder
	n, err := d.Decode(data)
	if err != nil || n.Kind != KindObject {
		if err != nil {
			return "", err
		}
		return n.String(), nil
	}
	var kept []Field
	for _, f := range n.Fields {
		if keep(f.Name) {
			kept = append(kept, f)
		}
	}
	n.Fields = kept
	return n.String(), nil
}

// FuzzDecodeBorrowedFields compares the projected decoder with a full
// decode followed by dropping members: same tree, same error text.
func FuzzDecodeBorrowedFields(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Patient","id":"a","name":[{"family":"x"}],"telecom":[{"value":"1"}],"_id":{"extension":[]}}`,
		`{"a":[1,{"b":"\u00e9"}],"id":"x","id":"y"}`, `[]`, `{}`, `{"a":1,}`, `{"b":tru}`, `{"id":"x"} x`, evalResource,
	} {
		f.Add([]byte(s))
	}
	keep := func(name string) bool {
		return FieldMatches(name, "id") || FieldMatches(name, "name") || name == "resourceType"
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 10<<10 {
			return
		}
		want, wantErr := fieldsReference(data, keep)
		var d Decoder
		n, err := d.DecodeBorrowedFields(data, keep)
		if wantErr != nil || err != nil {
			if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
				t.Fatalf("DecodeBorrowedFields(%q): error %v, want %v", data, err, wantErr)
			}
			return
		}
		if got := n.String(); got != want {
			t.Fatalf("DecodeBorrowedFields(%q) = %s, want %s", data, got, want)
		}
	})
}

func TestDecodeBorrowedFieldsDropsMembers(t *testing.T) {
	var d Decoder
	in := `{"resourceType":"Patient","identifier":[{"value":"x"}],"id":"a","telecom":[1,2],"_id":{"x":1}}`
	n, err := d.DecodeBorrowedFields([]byte(in), func(name string) bool { return FieldMatches(name, "id") || name == "resourceType" })
	require.NoError(t, err)
	require.Equal(t, `{"resourceType":"Patient","id":"a","_id":{"x":1}}`, n.String())
	require.False(t, strings.Contains(n.String(), "telecom"))
}
