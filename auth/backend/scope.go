package backend

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/fhirlake/fhirlake/auth/smart"
)

// maxScopes caps the scopes of a request or a registration.
const maxScopes = 100

// ParseSystemScopes parses the scopes a client may be granted: a
// space-separated, non-empty list of SMART system-level resource scopes
// (system/*.rs, system/Observation.read, …). Anything else is an error:
// a backend client acts for no user or patient.
func ParseSystemScopes(list string) ([]smart.Scope, error) {
	raw := strings.Fields(list)
	switch {
	case len(raw) == 0:
		return nil, errors.New("backend: no scope (such as system/*.rs)")
	case len(raw) > maxScopes:
		return nil, fmt.Errorf("backend: more than %d scopes", maxScopes)
	}
	out := make([]smart.Scope, 0, len(raw))
	for _, r := range raw {
		s, err := smart.ParseScope(r)
		if err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
		if s.Context != smart.SystemContext {
			return nil, fmt.Errorf("backend: scope %q is not a system/ resource scope", r)
		}
		out = append(out, s)
	}
	return out, nil
}

// GrantScopes returns the scopes to grant for a request of requested (the
// scope parameter) by a client allowed the allowed scopes, as a
// space-separated list of canonical SMART v2 scopes. Each requested system
// scope is granted as far as each allowed scope covers it: the resource
// type narrowed to the more specific one, the permissions to those both
// hold, and the query constraints of both combined (a resource must meet
// all). So system/Observation.rs is granted under system/*.rs, and
// system/*.cruds under system/*.rs becomes system/*.rs. Requested scopes
// of other kinds (openid, patient/…) are not granted. A malformed scope,
// or nothing to grant, is an error.
func GrantScopes(requested string, allowed []smart.Scope) (string, error) {
	raw := strings.Fields(requested)
	if len(raw) > maxScopes {
		return "", fmt.Errorf("more than %d scopes requested", maxScopes)
	}
	var granted []string
	for _, r := range raw {
		req, err := smart.ParseScope(r)
		if err != nil {
			return "", err
		}
		if req.Context != smart.SystemContext {
			continue
		}
		for _, a := range allowed {
			g, ok := intersect(req, a)
			if ok && !slices.Contains(granted, g) {
				granted = append(granted, g)
			}
		}
	}
	if len(granted) == 0 {
		return "", errors.New("no requested scope is allowed for this client")
	}
	return strings.Join(granted, " "), nil
}

// intersect returns, as a string, the system scope granting what both r
// and a grant, if any. A result that would not parse back to itself (a
// constraint value holding ',' or '&') is refused, so that the stored
// scope never grants more than both.
func intersect(r, a smart.Scope) (string, bool) {
	if r.Context != smart.SystemContext || a.Context != smart.SystemContext {
		return "", false
	}
	g := smart.Scope{Context: smart.SystemContext, Permissions: r.Permissions & a.Permissions}
	switch {
	case g.Permissions == 0:
		return "", false
	case a.ResourceType == "*":
		g.ResourceType = r.ResourceType
	case r.ResourceType == "*" || r.ResourceType == a.ResourceType:
		g.ResourceType = a.ResourceType
	default:
		return "", false
	}
	g.Filter = slices.Clone(r.Filter)
	for _, c := range a.Filter {
		if !slices.ContainsFunc(g.Filter, func(o smart.Constraint) bool { return reflect.DeepEqual(o, c) }) {
			g.Filter = append(g.Filter, c)
		}
	}
	s := g.String()
	back, err := smart.ParseScope(s)
	if err != nil || back.ResourceType != g.ResourceType || back.Permissions != g.Permissions ||
		!reflect.DeepEqual([]smart.Constraint(back.Filter), []smart.Constraint(g.Filter)) {
		return "", false
	}
	return s, true
}
