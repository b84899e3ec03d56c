package fhirpath

import (
	"errors"
	"unsafe"
)

// errInvalid is what the validating skipper returns; it carries no
// position because ValidObject only needs a yes or no.
var errInvalid = errors.New("fhirpath: invalid json")

// ValidObject reports whether Decode(data) would succeed and return a JSON
// object, without building any node. It applies exactly the decoder's
// rules (the same string, number and literal readers, nesting limit and
// trailing-data check), so a caller may skip a document it can prove
// irrelevant without hiding an error Decode would have reported. It does
// not retain data.
func (d *Decoder) ValidObject(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	d.src, d.pos, d.depth = unsafe.String(&data[0], len(data)), 0, 0
	defer func() { d.src = "" }()
	d.skipSpace()
	if d.pos >= len(d.src) || d.src[d.pos] != '{' {
		return false
	}
	if d.skipValue() != nil {
		return false
	}
	d.skipSpace()
	return d.pos == len(d.src)
}

// skipValue checks one JSON value like value does, without decoding it.
func (d *Decoder) skipValue() error {
	d.skipSpace()
	if d.pos >= len(d.src) {
		return errInvalid
	}
	var err error
	switch c := d.src[d.pos]; {
	case c == '{':
		err = d.skipObject()
	case c == '[':
		err = d.skipArray()
	case c == '"':
		_, err = d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		_, err = d.number()
	default:
		var n Node
		err = d.literal(&n)
	}
	return err
}

// skipObject mirrors object.
func (d *Decoder) skipObject() error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.src) || d.src[d.pos] != '"' {
			return errInvalid
		}
		if _, err := d.str(); err != nil {
			return err
		}
		d.skipSpace()
		if d.pos >= len(d.src) || d.src[d.pos] != ':' {
			return errInvalid
		}
		d.pos++
		if err := d.skipValue(); err != nil {
			return err
		}
		done, err := d.separator('}')
		if err != nil {
			return err
		}
		if done {
			d.depth--
			return nil
		}
	}
}

// skipArray mirrors array.
func (d *Decoder) skipArray() error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // [
	d.skipSpace()
	if d.pos < len(d.src) && d.src[d.pos] == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := d.skipValue(); err != nil {
			return err
		}
		done, err := d.separator(']')
		if err != nil {
			return err
		}
		if done {
			d.depth--
			return nil
		}
	}
}
