package csvmap

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/fhir"
)

// compileResource checks and builds resources[i].
func (m *Mapping) compileResource(rs *resourceSpec, i int, lines *specLines, lookups map[string]*lookup) (*resource, error) {
	line := lines.resourceLine(i)
	if rs.Alias == "" {
		return nil, fmt.Errorf("line %d: resource: alias is required", line)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("line %d: resource %q: %s", line, rs.Alias, fmt.Sprintf(format, args...))
	}
	if !fhir.IsResourceType(rs.Type) {
		return nil, fail("type %q is not an R4 resource type", rs.Type)
	}
	r := &resource{alias: rs.Alias, typ: rs.Type, when: rs.When, create: rs.Create == nil || *rs.Create,
		shape: newObject(rs.Type)}
	if rs.ID != "" && len(rs.Key) > 0 {
		return nil, fail("id and key exclude each other")
	}
	if rs.ID != "" {
		t, err := parseTemplate(rs.ID)
		if err != nil {
			return nil, fail("id: %v", err)
		}
		r.id = t
		for _, c := range t.columns() {
			m.use(c, false)
		}
	}
	for _, c := range rs.Key {
		if strings.TrimSpace(c) == "" {
			return nil, fail("key: empty column name")
		}
		m.use(c, false)
	}
	r.key = rs.Key
	if rs.When != "" {
		m.use(rs.When, false)
	}
	if len(rs.Fields) == 0 {
		return nil, fail("fields: at least one field is required")
	}
	for j := range rs.Fields {
		f, err := m.compileField(&rs.Fields[j], lookups)
		if err == nil {
			err = r.shape.insert(f.path, j)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: resource %q field %d: %w", lines.fieldLine(i, j), rs.Alias, j+1, err)
		}
		if f.refAlias != "" {
			r.refsFrom = append(r.refsFrom, j)
		}
		r.fields = append(r.fields, f)
	}
	if rs.IfNoneExist != "" {
		id, err := r.identity(rs.IfNoneExist)
		if err != nil {
			return nil, fail("ifNoneExist: %v", err)
		}
		r.ident = id
	} else if !r.create {
		return nil, fail("create: false needs ifNoneExist")
	}
	return r, nil
}

// identity finds the fields that write <path>.system and <path>.value.
func (r *resource) identity(path string) (*identity, error) {
	p, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	id := &identity{path: p.String(), system: -1, value: -1}
	sys, val := p.child("system").String(), p.child("value").String()
	for j, f := range r.fields {
		switch f.path.String() {
		case sys:
			id.system = j
		case val:
			id.value = j
		}
	}
	if id.value < 0 {
		return nil, fmt.Errorf("no field writes %s", val)
	}
	return id, nil
}

// resolveRefs links reference fields to their target resources.
func (m *Mapping) resolveRefs(spec *fileSpec, lines *specLines, aliases map[string]int) error {
	for i, r := range m.resources {
		for _, j := range r.refsFrom {
			f := r.fields[j]
			t, ok := aliases[f.refAlias]
			if !ok {
				return fmt.Errorf("line %d: resource %q field %d: ref %q names no resource", lines.fieldLine(i, j), r.alias, j+1, f.refAlias)
			}
			if t == i {
				return fmt.Errorf("line %d: resource %q field %d: a resource cannot refer to itself", lines.fieldLine(i, j), r.alias, j+1)
			}
			f.ref = t
		}
	}
	return nil
}
