package smart

// Interaction is a FHIR RESTful interaction gated by a scope.
type Interaction int

// The interactions a scope can grant. Read, VRead and History need the
// "r" permission; Search needs "s"; Create, Update and Delete need "c",
// "u" and "d".
const (
	Read Interaction = iota + 1
	VRead
	History
	Search
	Create
	Update
	Delete
)

// permission returns the permission an interaction needs (0 if unknown).
func (i Interaction) permission() Permission {
	switch i {
	case Read, VRead, History:
		return PermRead
	case Search:
		return PermSearch
	case Create:
		return PermCreate
	case Update:
		return PermUpdate
	case Delete:
		return PermDelete
	}
	return 0
}

// String returns the interaction's FHIR name, such as "vread".
func (i Interaction) String() string {
	switch i {
	case Read:
		return "read"
	case VRead:
		return "vread"
	case History:
		return "history"
	case Search:
		return "search"
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return "unknown"
}
