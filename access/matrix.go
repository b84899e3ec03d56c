package access

import "slices"

// Action is something a role may be allowed to do on a data store.
type Action string

// The actions of the role matrix (see the package documentation).
const (
	FHIRRead   Action = "fhir-read"
	FHIRSearch Action = "fhir-search"
	FHIRWrite  Action = "fhir-write"
	FHIRImport Action = "fhir-import"
	FHIRExport Action = "fhir-export"
	SQLViews   Action = "sql-views"
	SQLDeid    Action = "sql-deid"
	AuditLog   Action = "audit-log"
	Manage     Action = "manage"
)

// matrix maps each action to the roles allowed it, most powerful first.
var matrix = map[Action][]string{
	FHIRRead:   {Admin, Writer, Reader},
	FHIRSearch: {Admin, Writer, Reader},
	FHIRWrite:  {Admin, Writer},
	FHIRImport: {Admin, Writer},
	FHIRExport: {Admin, Writer, Reader},
	SQLViews:   {Admin, Analyst},
	SQLDeid:    {Admin, Analyst, DeidAnalyst},
	AuditLog:   {Admin, Auditor},
	Manage:     {Admin},
}

// Actions returns every action of the matrix, in the order of the package
// documentation.
func Actions() []Action {
	return []Action{FHIRRead, FHIRSearch, FHIRWrite, FHIRImport, FHIRExport, SQLViews, SQLDeid, AuditLog, Manage}
}

// Allows reports whether role may perform a. An unknown role or action
// allows nothing.
func Allows(role string, a Action) bool { return slices.Contains(matrix[a], role) }

// Can reports whether a user holding roles (on one data store) may
// perform a.
func Can(roles []string, a Action) bool {
	return slices.ContainsFunc(roles, func(r string) bool { return Allows(r, a) })
}

// CanSQL reports whether a user holding roles on a data store may open a
// SQL session on its views over the wire protocol: the roles allowed
// SQLViews. The sessions of auditors (the audit log only) and
// deid-analysts (the de-identified views only) are decided with AuditLog
// and SQLDeid (see the server's session scopes).
func CanSQL(roles []string) bool { return Can(roles, SQLViews) }

// Needed returns the roles that allow a, most powerful first, for
// messages such as "needs the role analyst or admin".
func Needed(a Action) []string { return slices.Clone(matrix[a]) }
