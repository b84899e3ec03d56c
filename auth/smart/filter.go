package smart

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Constraint restricts a scope to resources whose search parameter Param
// matches at least one of Values. Each value is a FHIR token: "code",
// "system|code", "|code" (no system) or "system|" (any code of system).
type Constraint struct {
	Param  string
	Values []string
}

// Filter is the conjunction of the constraints of one scope: a resource
// passes when it satisfies every constraint.
type Filter []Constraint

// supportedParams are the scope query parameters fhirlake enforces. Any
// other parameter (or a modifier such as code:in) makes the scope invalid,
// so that a constraint is never silently ignored and access never widens.
var supportedParams = map[string]bool{"category": true, "code": true}

// String returns the filter as a query string without the leading "?",
// with parameters in the scope's order and values joined by commas.
func (f Filter) String() string {
	parts := make([]string, len(f))
	for i, c := range f {
		parts[i] = c.Param + "=" + strings.Join(c.Values, ",")
	}
	return strings.Join(parts, "&")
}

// parseFilter reads the query part of a scope (after "?").
func parseFilter(q string) (Filter, error) {
	if q == "" {
		return nil, errors.New("empty query")
	}
	var f Filter
	for _, pair := range strings.Split(q, "&") {
		c, err := parseConstraint(pair)
		if err != nil {
			return nil, err
		}
		f = append(f, c)
	}
	return f, nil
}

// parseConstraint reads one "param=token,token" pair.
func parseConstraint(pair string) (Constraint, error) {
	name, value, ok := strings.Cut(pair, "=")
	if !ok {
		return Constraint{}, fmt.Errorf("query %q has no value", pair)
	}
	name, err := url.QueryUnescape(name)
	if err != nil {
		return Constraint{}, fmt.Errorf("query parameter: %w", err)
	}
	if !supportedParams[name] {
		return Constraint{}, fmt.Errorf("unsupported query parameter %q (only %s)", name, supportedList())
	}
	c := Constraint{Param: name}
	for _, raw := range strings.Split(value, ",") {
		tok, err := url.QueryUnescape(raw)
		if err != nil {
			return Constraint{}, fmt.Errorf("parameter %s: %w", name, err)
		}
		if err := checkToken(tok); err != nil {
			return Constraint{}, fmt.Errorf("parameter %s: %w", name, err)
		}
		c.Values = append(c.Values, tok)
	}
	return c, nil
}

// checkToken validates one token value after unescaping.
func checkToken(tok string) error {
	system, code, hasBar := strings.Cut(tok, "|")
	switch {
	case tok == "" || tok == "|":
		return errors.New("empty token")
	case strings.ContainsAny(tok, "&=?#,%+"):
		return fmt.Errorf("token %q contains a reserved character", tok)
	case hasBar && strings.Contains(code, "|"):
		return fmt.Errorf("token %q has more than one '|'", tok)
	}
	for _, r := range system + code {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("token %q contains a space or control character", tok)
		}
	}
	return nil
}

// supportedList names the supported parameters for error messages.
func supportedList() string {
	names := make([]string, 0, len(supportedParams))
	for n := range supportedParams {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
