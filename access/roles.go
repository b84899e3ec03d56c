package access

import "slices"

// The roles a user can be granted on a data store.
const (
	// Admin may do everything on the data store, including grants.
	Admin = "admin"
	// Writer reads, searches, writes and imports FHIR resources.
	Writer = "writer"
	// Reader reads and searches FHIR resources.
	Reader = "reader"
	// Analyst runs read-only SQL on the data store's views.
	Analyst = "analyst"
	// DeidAnalyst runs SQL on the de-identified views only.
	DeidAnalyst = "deid-analyst"
	// Auditor reads the audit log only.
	Auditor = "auditor"
)

// AllDatastores is the data store name of a grant on every data store,
// present and future.
const AllDatastores = "*"

// roles lists every role, most powerful first.
var roles = []string{Admin, Writer, Reader, Analyst, DeidAnalyst, Auditor}

// Roles returns every role, most powerful first. The slice is a copy.
func Roles() []string { return slices.Clone(roles) }

// ValidRole reports whether role names a role.
func ValidRole(role string) bool { return slices.Contains(roles, role) }

// Wildcard reports whether role may be granted on AllDatastores. Only
// admin and auditor can: a wildcard grant reaches data stores created
// later, whose data no one reviewed when granting, so it is kept for the
// role that creates data stores anyway and for the one whose audit log
// spans them all.
func Wildcard(role string) bool { return role == Admin || role == Auditor }
