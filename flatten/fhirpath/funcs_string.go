package fhirpath

import (
	"strconv"
	"unicode/utf8"
)

// singleString reads the focus as one string; ok is false when empty.
func singleString(c callCtx) (string, bool, error) {
	if len(c.focus) == 0 {
		return "", false, nil
	}
	if len(c.focus) > 1 || c.focus[0].N.Kind != KindString {
		return "", false, errorf("%s() needs a single string", c.call.Name)
	}
	return c.focus[0].N.Str, true, nil
}

func stringPredicate(pred func(s, arg string) bool) func(callCtx) (Collection, error) {
	return func(c callCtx) (Collection, error) {
		s, ok, err := singleString(c)
		if err != nil || !ok {
			return nil, err
		}
		a, ok, err := c.argString(0)
		if err != nil || !ok {
			return nil, err
		}
		return Bool(pred(s, a)), nil
	}
}

func stringMap(fn func(string) string) func(callCtx) (Collection, error) {
	return func(c callCtx) (Collection, error) {
		s, ok, err := singleString(c)
		if err != nil || !ok {
			return nil, err
		}
		return String(fn(s)), nil
	}
}

func fnLength(c callCtx) (Collection, error) {
	s, ok, err := singleString(c)
	if err != nil || !ok {
		return nil, err
	}
	return Int(int64(utf8.RuneCountInString(s))), nil
}

func fnSubstring(c callCtx) (Collection, error) {
	s, ok, err := singleString(c)
	if err != nil || !ok {
		return nil, err
	}
	r := []rune(s)
	start, ok, err := argInt(c)
	if err != nil || !ok || start < 0 || start >= int64(len(r)) {
		return nil, err
	}
	end := int64(len(r))
	if len(c.call.Args) == 2 {
		v, err := c.arg(1)
		if err != nil {
			return nil, err
		}
		n, ok, err := singleInt(v)
		if err != nil {
			return nil, err
		}
		if ok {
			end = min(end, start+max(n, 0))
		}
	}
	return String(string(r[start:end])), nil
}

func fnToString(c callCtx) (Collection, error) {
	if len(c.focus) == 0 {
		return nil, nil
	}
	if len(c.focus) > 1 {
		return nil, errorf("toString() needs a single item")
	}
	n := c.focus[0].N
	switch n.Kind {
	case KindString:
		return c.focus, nil
	case KindNumber:
		return String(n.Str), nil
	case KindBool:
		return String(strconv.FormatBool(n.Bool)), nil
	}
	return nil, nil
}
