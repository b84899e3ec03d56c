package smart

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// Context is the first part of a SMART resource scope.
type Context string

// The SMART scope contexts. Other is used for scopes that are not
// resource scopes (openid, fhirUser, launch/patient, offline_access, …):
// they are kept so that callers can see them, but never grant access.
const (
	Other          Context = ""
	PatientContext Context = "patient"
	UserContext    Context = "user"
	SystemContext  Context = "system"
)

// Scope is one parsed OAuth scope.
type Scope struct {
	// Raw is the scope exactly as it appeared in the token.
	Raw string
	// Context is patient, user or system for a resource scope, or Other.
	Context Context
	// ResourceType is an R4 resource type or "*" (resource scopes only).
	ResourceType string
	// Permissions is what the scope grants (resource scopes only).
	Permissions Permission
	// Filter holds the scope's query constraints (v2 only); empty means none.
	Filter Filter
	// V1 reports a SMART v1 spelling (read, write or *).
	V1 bool
}

// IsResource reports whether s is a resource scope that can grant access.
func (s Scope) IsResource() bool { return s.Context != Other }

// String returns s in canonical SMART v2 form for a resource scope
// ("patient/Observation.rs?category=laboratory"), or Raw otherwise.
func (s Scope) String() string {
	if !s.IsResource() {
		return s.Raw
	}
	out := string(s.Context) + "/" + s.ResourceType + "." + s.Permissions.String()
	if len(s.Filter) > 0 {
		out += "?" + s.Filter.String()
	}
	return out
}

// ParseScope parses one scope. A scope whose prefix before "/" is
// patient, user or system must be a valid resource scope, or an error is
// returned; anything else is returned with Context Other.
func ParseScope(raw string) (Scope, error) {
	s, err := parseScope(raw)
	if err != nil {
		return Scope{}, fmt.Errorf("smart: scope %q: %w", raw, err)
	}
	return s, nil
}

// parseScope does the work of ParseScope without the error prefix.
func parseScope(raw string) (Scope, error) {
	if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return Scope{}, errors.New("empty or contains a space or control character")
	}
	s := Scope{Raw: raw}
	base, query, hasQuery := strings.Cut(raw, "?")
	prefix, rest, ok := strings.Cut(base, "/")
	if !ok {
		return s, nil
	}
	switch c := Context(prefix); c {
	case PatientContext, UserContext, SystemContext:
		s.Context = c
	default:
		return s, nil
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 {
		return Scope{}, errors.New("missing permissions after '.'")
	}
	s.ResourceType = rest[:dot]
	if s.ResourceType != "*" && !fhir.IsResourceType(s.ResourceType) {
		return Scope{}, fmt.Errorf("unknown resource type %q", s.ResourceType)
	}
	p, v1, ok := parsePermission(rest[dot+1:])
	if !ok {
		return Scope{}, fmt.Errorf("permissions %q are neither v2 (ordered subset of cruds) nor v1 (read, write, *)", rest[dot+1:])
	}
	s.Permissions, s.V1 = p, v1
	if hasQuery {
		if v1 {
			return Scope{}, errors.New("query parameters need v2 permissions")
		}
		f, err := parseFilter(query)
		if err != nil {
			return Scope{}, err
		}
		s.Filter = f
	}
	return s, nil
}

// ParseScopes splits a space-separated scope string (the OAuth "scope"
// claim) and parses each scope. Invalid scopes are left out of the result
// and reported in errs; valid ones are kept in order.
func ParseScopes(list string) (scopes []Scope, errs []error) {
	for _, raw := range strings.Fields(list) {
		s, err := ParseScope(raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		scopes = append(scopes, s)
	}
	return scopes, errs
}

// grants reports whether s grants permission p on resourceType.
func (s Scope) grants(p Permission, resourceType string) bool {
	return s.IsResource() && s.Permissions.Has(p) &&
		(s.ResourceType == "*" || s.ResourceType == resourceType)
}
