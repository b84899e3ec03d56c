package engine

import (
	"fmt"
	"strings"
)

// Scope is what a session may see of its data store. Each field adds one
// group of relations, kept in its own schema of the data store's
// database; a session reaches the schemas of its scope and nothing else
// of the data store (see checkScope).
//
// The zero Scope sees nothing and cannot open a session.
type Scope struct {
	// Views is the data store's views (schema main, and the search
	// index tables of schema search), as a plain Open gives.
	Views bool
	// Audit is the audit_log relation (schema audit): the audit log's
	// records of the data store. It needs Options.Audit.
	Audit bool
	// AuditAll widens audit_log to every record of the log: those of
	// every data store and those of none (user, key and wildcard grant
	// events). Without it audit_log holds only the records whose data
	// store is the session's.
	AuditAll bool
	// Deid is the de-identified views (schema deid): one relation per
	// view of the data store, named like it, whose rows are the view's
	// over the Safe Harbor de-identified resources (catalog.KindDeid).
	// A session of Deid alone (the deid-analyst's) reads them and
	// nothing else, unqualified names included.
	Deid bool
}

// ScopeViews is the scope of a session on the data store's views only,
// what Open gives when Options.Scope is nil.
var ScopeViews = Scope{Views: true}

// The schemas of a data store's database that hold a scope's relations.
const (
	mainSchema  = "main"
	auditSchema = "audit"
	deidSchema  = "deid"
)

// auditRelation is the one relation of the audit scope.
const auditRelation = "audit_log"

// scopedSchemas are the schemas of a data store's database that only a
// session whose scope includes them reaches.
var scopedSchemas = map[string]bool{mainSchema: true, searchSchema: true, auditSchema: true, deidSchema: true}

// restricted reports whether the scope lacks the views: such a session
// reaches nothing but its own relations (see checkScope).
func (s Scope) restricted() bool { return !s.Views }

// empty reports whether the scope sees nothing.
func (s Scope) empty() bool { return !s.Views && !s.Audit && !s.Deid }

// schemas lists the schemas the scope reaches, the session's current
// schema first.
func (s Scope) schemas() []string {
	var out []string
	if s.Views {
		out = append(out, mainSchema, searchSchema)
	}
	if s.Audit {
		out = append(out, auditSchema)
	}
	if s.Deid {
		out = append(out, deidSchema)
	}
	return out
}

// catalogSchemas lists the schemas whose relations the Postgres catalog
// emulation shows (search is the engine's own and is not listed).
func (s Scope) catalogSchemas() []string {
	var out []string
	for _, sc := range s.schemas() {
		if sc != searchSchema {
			out = append(out, sc)
		}
	}
	return out
}

// allowsSchema reports whether the scope reaches schema of its data store.
func (s Scope) allowsSchema(schema string) bool {
	for _, sc := range s.schemas() {
		if sc == schema {
			return true
		}
	}
	return false
}

// relations lists, for a restricted scope, every relation name it may
// read unqualified; a session of such a scope reads nothing else.
func (s Scope) relations() map[string]bool {
	out := map[string]bool{}
	if s.Audit {
		out[auditRelation] = true
	}
	return out
}

// key identifies the scope in caches shared by sessions (the checked
// templates): a statement checked under one scope is not under another.
func (s Scope) key() string {
	return fmt.Sprintf("%t/%t/%t/%t", s.Views, s.Audit, s.AuditAll, s.Deid)
}

// templateKey is the key of a statement template in the engine's cache of
// checked templates, which every session shares: a template is checked
// per scope, since one scope may run what another may not. Sessions of
// ScopeViews, most of them, use the template itself.
func (s *session) templateKey(template string) string {
	if s.scope == ScopeViews {
		return template
	}
	return s.scope.key() + "\x00" + template
}

// String describes the scope for logs: "views+audit-all".
func (s Scope) String() string {
	var parts []string
	if s.Views {
		parts = append(parts, "views")
	}
	switch {
	case s.AuditAll && s.Audit:
		parts = append(parts, "audit-all")
	case s.Audit:
		parts = append(parts, "audit")
	}
	if s.Deid {
		parts = append(parts, "deid")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// sessionSetup returns the statements that switch a new connection of a
// session on database to its scope: its current schema and search path,
// and the variables the audit_log view and the catalog emulation read.
func (s Scope) sessionSetup(database, user string) []string {
	schemas := s.schemas()
	home := quoteIdent(database)
	if schemas[0] != mainSchema {
		home += "." + quoteIdent(schemas[0])
	}
	stmts := []string{"USE " + home}
	listed := make([]string, 0, 3)
	var path []string
	for _, sc := range s.catalogSchemas() {
		listed = append(listed, quoteLiteral(sc))
		path = append(path, database+"."+sc)
	}
	if len(path) > 1 {
		// Unqualified names resolve in every schema of the scope, the
		// current one first (so a view shadows its de-identified twin).
		stmts = append(stmts, "SET search_path = "+quoteLiteral(strings.Join(path, ",")))
	}
	return append(stmts,
		"SET VARIABLE fhirlake_user = "+quoteLiteral(user),
		"SET VARIABLE "+varSchemas+" = ["+strings.Join(listed, ", ")+"]::VARCHAR[]",
		fmt.Sprintf("SET VARIABLE %s = %t", varAuditAll, s.Audit && s.AuditAll),
	)
}

// Session variables set by sessionSetup. User SQL cannot change them: SET
// is refused (see classifyOther).
const (
	// varSchemas lists the schemas the Postgres catalog emulation shows.
	varSchemas = "fhirlake_schemas"
	// varAuditAll widens audit_log to every record (Scope.AuditAll).
	varAuditAll = "fhirlake_audit_all"
)
