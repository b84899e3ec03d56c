package flatten

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ViewError is an invalid ViewDefinition, or a view that fails on a
// resource, with the place in the ViewDefinition at fault. ParseView,
// Compile and Evaluate return it; find it with errors.As:
//
//	var ve *flatten.ViewError
//	if errors.As(err, &ve) {
//		fmt.Println(ve.Pointer, ve.Reason)
//	}
type ViewError struct {
	// View is the view's name (its name, else the snake_case resource
	// type); "" when the definition is too broken to tell.
	View string
	// Pointer is an RFC 6901 JSON pointer into the ViewDefinition, such
	// as /select/0/column/2/path; "" means the view as a whole.
	Pointer string
	// Reason says what is wrong, for people.
	Reason string
	// Err is the underlying error, if any (such as a
	// *fhirpath.SyntaxError); Unwrap returns it.
	Err error
}

// Error reads `flatten: view "obs": /select/0/column/2/path: reason`.
func (e *ViewError) Error() string {
	var b strings.Builder
	b.WriteString("flatten: view ")
	b.WriteString(strconv.Quote(e.View))
	b.WriteString(": ")
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ViewError) Unwrap() error { return e.Err }

// viewErrorf builds a ViewError whose Reason is formatted as by
// fmt.Errorf; Err is the error a %w verb wraps, if any.
func viewErrorf(view, ptr, format string, args ...any) *ViewError {
	err := fmt.Errorf(format, args...)
	return &ViewError{View: view, Pointer: ptr, Reason: err.Error(), Err: errors.Unwrap(err)}
}

// errorf returns a ViewError about the view as a whole.
func (v *View) errorf(format string, args ...any) error {
	return viewErrorf(v.Name(), "", format, args...)
}

// errorAt returns a ViewError about the part of the view at ptr.
func (v *View) errorAt(ptr, format string, args ...any) error {
	return viewErrorf(v.Name(), ptr, format, args...)
}

// pointerEscaper escapes a JSON pointer reference token.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer appends reference tokens to a JSON pointer, escaping ~ and /
// as RFC 6901 requires.
func pointer(base string, tokens ...any) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range tokens {
		b.WriteByte('/')
		switch t := t.(type) {
		case int:
			b.WriteString(strconv.Itoa(t))
		case string:
			b.WriteString(pointerEscaper.Replace(t))
		default:
			fmt.Fprint(&b, t)
		}
	}
	return b.String()
}

// jsonError turns an error of json.Unmarshal on data into a ViewError
// that points at the member at fault.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineColumn(data, se.Offset)
		return &ViewError{Pointer: locate(data, se.Offset), Err: err,
			Reason: fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, se)}
	case errors.As(err, &te):
		return &ViewError{Pointer: locate(data, te.Offset), Err: err,
			Reason: fmt.Sprintf("expected %s, found a JSON %s", jsonKind(te.Type), te.Value)}
	}
	return &ViewError{Reason: err.Error(), Err: err}
}

// jsonKind names the JSON form of a Go type.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// lineColumn converts a byte offset of data into a 1-based line and
// column.
func lineColumn(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// frame is an open JSON array or object while locate walks a document.
type frame struct {
	base    string // pointer of the container
	array   bool
	index   int    // next element of an array
	key     string // current member of an object
	haveKey bool   // key is read and its value is next
}

// next is the pointer of the value read next in f.
func (f *frame) next() string {
	switch {
	case f.array:
		return pointer(f.base, f.index)
	case f.haveKey:
		return pointer(f.base, f.key)
	}
	return f.base
}

// done records that a value of f has been read.
func (f *frame) done() {
	if f.array {
		f.index++
	}
	f.haveKey = false
}

// locate returns the JSON pointer of the innermost value of data that
// ends at or after byte offset off, which is where json.Unmarshal reports
// a type error. When data is not valid JSON before off, it returns the
// pointer of the place the syntax error was found in.
func locate(data []byte, off int64) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	stack := []*frame{{}}
	for {
		top := stack[len(stack)-1]
		here := top.next()
		tok, err := dec.Token()
		if err != nil {
			return here
		}
		reached := dec.InputOffset() >= off
		d, isDelim := tok.(json.Delim)
		switch {
		case isDelim && (d == '}' || d == ']'):
			if reached || len(stack) == 1 {
				return top.base
			}
			stack = stack[:len(stack)-1]
			stack[len(stack)-1].done()
		case !top.array && !top.haveKey && len(stack) > 1:
			top.key, top.haveKey = fmt.Sprint(tok), true
			if reached {
				return top.next()
			}
		case reached:
			return here
		case isDelim:
			stack = append(stack, &frame{base: here, array: d == '['})
		default:
			top.done()
		}
	}
}
