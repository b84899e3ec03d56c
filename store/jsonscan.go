package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/fhirlake/fhirlake/internal/jsonscan"
)

// This file walks the members of a compact JSON object (the output of
// json.Compact, so already valid and free of insignificant whitespace)
// without decoding it, so Put can rewrite meta on the hot path.

var errMalformed = errors.New("malformed JSON")

// eachMember calls fn with the raw key (quotes included), the raw value and
// the whole raw member of every member of the compact JSON object obj.
func eachMember(obj []byte, fn func(key, val, member []byte) error) error {
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return errors.New("not a JSON object")
	}
	i := 1
	if obj[i] == '}' {
		return nil
	}
	for {
		kEnd, err := jsonscan.EndOfString(obj, i)
		if err != nil {
			return err
		}
		if kEnd >= len(obj) || obj[kEnd] != ':' {
			return errMalformed
		}
		vEnd, err := jsonscan.EndOfValue(obj, kEnd+1)
		if err != nil {
			return err
		}
		if err := fn(obj[i:kEnd], obj[kEnd+1:vEnd], obj[i:vEnd]); err != nil {
			return err
		}
		if vEnd >= len(obj) {
			return errMalformed
		}
		switch obj[vEnd] {
		case '}':
			return nil
		case ',':
			i = vEnd + 1
		default:
			return errMalformed
		}
	}
}

// keyIs reports whether the raw JSON string key decodes to name.
func keyIs(key []byte, name string) bool {
	if bytes.IndexByte(key, '\\') < 0 {
		return len(key) == len(name)+2 && string(key[1:len(key)-1]) == name
	}
	var s string
	return json.Unmarshal(key, &s) == nil && s == name
}

// stringValue decodes a raw JSON value that must be a string.
func stringValue(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(val, '\\') < 0 {
		return string(val[1 : len(val)-1]), true
	}
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return "", false
	}
	return s, true
}
