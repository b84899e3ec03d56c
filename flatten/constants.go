package flatten

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
)

// jsonForm is the JSON form a constant's value must have.
type jsonForm uint8

const (
	formString jsonForm = iota
	formBool
	formNumber
	formInteger     // a whole number
	formPositive    // a whole number > 0
	formUnsigned    // a whole number >= 0
	formInteger64   // a whole number, or a string of one (as FHIR R5 writes it)
	formUnsupported // not a type a constant may have
)

// constantTypes are the value[x] types the specification allows for a
// constant, with the JSON form of each.
var constantTypes = map[string]jsonForm{
	"Base64Binary": formString, "Boolean": formBool, "Canonical": formString, "Code": formString,
	"Date": formString, "DateTime": formString, "Decimal": formNumber, "Id": formString,
	"Instant": formString, "Integer": formInteger, "Integer64": formInteger64, "Oid": formString,
	"String": formString, "PositiveInt": formPositive, "Time": formString,
	"UnsignedInt": formUnsigned, "Uri": formString, "Url": formString, "Uuid": formString,
}

// compileConstants decodes the view's constants into FHIRPath values. A
// constant keeps its FHIR type (date, integer, ...) for ofType and
// boundaries.
func (v *View) compileConstants() (map[string]fhirpath.Collection, error) {
	out := make(map[string]fhirpath.Collection, len(v.def.Constant))
	for i, c := range v.def.Constant {
		ptr := pointer("/constant", i)
		_, dup := out[c.Name]
		switch {
		case c.problem != "":
			return nil, v.errorAt(ptr, "constant %q: %s", c.Name, c.problem)
		case !identRE.MatchString(c.Name):
			return nil, v.errorAt(pointer(ptr, "name"), "constant %q: name is not a valid identifier", c.Name)
		case c.Type == "":
			return nil, v.errorAt(ptr, "constant %q: value[x] is required", c.Name)
		case dup:
			return nil, v.errorAt(pointer(ptr, "name"), "constant %q: defined twice", c.Name)
		}
		vptr := pointer(ptr, "value"+c.Type)
		if err := checkConstantValue(c.Type, c.Value); err != nil {
			return nil, v.errorAt(vptr, "constant %q: %w", c.Name, err)
		}
		var d fhirpath.Decoder // one per constant: its nodes must outlive the call
		n, err := d.Decode(c.Value)
		if err != nil {
			return nil, v.errorAt(vptr, "constant %q: %w", c.Name, err)
		}
		out[c.Name] = fhirpath.Typed(n, lowerFirst(c.Type))
	}
	return out, nil
}

// checkConstantValue checks that value has the JSON form of the value[x]
// type typ (the suffix after "value").
func checkConstantValue(typ string, value json.RawMessage) error {
	form, ok := constantTypes[typ]
	if !ok {
		form = formUnsupported
	}
	d := json.NewDecoder(bytes.NewReader(value))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return fmt.Errorf("value%s: %w", typ, err)
	}
	if form == formInteger64 {
		if s, isString := x.(string); isString {
			x = json.Number(s)
		}
	}
	good := false
	switch form {
	case formUnsupported:
		return fmt.Errorf("value%s: a constant may not have type %s (only FHIR primitive types)", typ, typ)
	case formString:
		_, good = x.(string)
	case formBool:
		_, good = x.(bool)
	case formNumber:
		_, good = x.(json.Number)
	default:
		good = wholeNumber(x, form)
	}
	if !good {
		return fmt.Errorf("value%s: %s is not a valid %s", typ, value, lowerFirst(typ))
	}
	return nil
}

// wholeNumber reports whether x is an integer in the range of form.
func wholeNumber(x any, form jsonForm) bool {
	n, ok := x.(json.Number)
	if !ok {
		return false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	switch {
	case err != nil:
		return false
	case form == formPositive:
		return i > 0
	case form == formUnsigned:
		return i >= 0
	case form == formInteger:
		return i >= -1<<31 && i < 1<<31
	}
	return true
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
