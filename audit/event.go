package audit

import (
	"strconv"
	"time"
)

// Kind says what sort of interaction an [Event] records.
type Kind string

// The kinds of event. Each maps to one AuditEvent type in [Export].
const (
	KindFHIR   Kind = "fhir"   // a FHIR REST interaction (Action: read, search-type, create, …)
	KindSQL    Kind = "sql"    // one SQL statement over the Postgres wire protocol
	KindLogin  Kind = "login"  // an authentication attempt (Action: login or logout)
	KindImport Kind = "import" // a bulk import into a data store
	KindExport Kind = "export" // a bulk export (FHIR $export, audit export)
	KindGrant  Kind = "grant"  // a role granted or revoked (Action: grant or revoke)
	KindToken  Kind = "token"  // an API token created, used for the first time or revoked
	KindUser   Kind = "user"   // a user or client added, changed or dropped
	KindKey    Kind = "key"    // a master or data key created, rotated or unwrapped
)

// Event is one audited interaction: the single record type for FHIR
// requests, SQL statements, logins, imports, exports, grants, token, user
// and key operations. It holds no PHI beyond resource ids and statement
// text: callers must not put resource content, search results or
// passwords in any field.
//
// Zero fields are left out of the record, so an event carries only what
// applies to its kind.
type Event struct {
	// Kind is the sort of interaction; required.
	Kind Kind `json:"kind"`
	// Time is when the interaction happened; [Log.Append] sets it to the
	// current time when zero. It is stored in UTC.
	Time time.Time `json:"time"`
	// Actor is who acted.
	Actor Actor `json:"actor,omitzero"`
	// Source is the network address of the client ("10.1.2.3:51234").
	Source string `json:"source,omitempty"`
	// Protocol is the channel: "http" or "pgwire" (or "cli").
	Protocol string `json:"protocol,omitempty"`
	// DataStore is the data store acted on, if any.
	DataStore string `json:"datastore,omitempty"`
	// Action is what was done. For KindFHIR it is a FHIR restful
	// interaction code (read, vread, update, patch, delete, history,
	// history-instance, history-type, create, search-type, search-system,
	// capabilities, transaction, batch, operation); for the other kinds a
	// verb such as query, login, logout, grant, revoke, create, rotate.
	Action string `json:"action,omitempty"`
	// Resources are the ids touched, as "Type/id" references.
	Resources []string `json:"resources,omitempty"`
	// Query is the SQL statement text or the FHIR request line
	// ("GET /fhir/ds/Observation?code=1234-5").
	Query string `json:"query,omitempty"`
	// Tables are the tables and views a SQL statement read.
	Tables []string `json:"tables,omitempty"`
	// Rows is the number of rows or resources returned or written
	// (0 is left out).
	Rows int64 `json:"rows,omitempty"`
	// Subject names who or what an administrative event acted on: the
	// user granted a role, the owner of a token, the key rotated.
	Subject string `json:"subject,omitempty"`
	// Role is the role of a grant or revoke.
	Role string `json:"role,omitempty"`
	// RequestID is the transport request id (HTTP X-Request-Id).
	RequestID string `json:"request,omitempty"`
	// Outcome is how the interaction ended.
	Outcome Outcome `json:"outcome"`
}

// Actor is who performed an interaction.
type Actor struct {
	// User is the authenticated user name (or the name tried, for a failed
	// login). Empty for an anonymous local request.
	User string `json:"user,omitempty"`
	// Client is the service client or OAuth client id, if any.
	Client string `json:"client,omitempty"`
	// Roles are the roles in force for the interaction.
	Roles []string `json:"roles,omitempty"`
	// Method is how the actor authenticated: password, token, jwt,
	// client-credentials, local.
	Method string `json:"method,omitempty"`
}

// Result is the severity of an outcome, the AuditEvent.outcome codes.
type Result string

// The results, as in http://hl7.org/fhir/audit-event-outcome.
const (
	Success        Result = "0"  // the interaction succeeded
	MinorFailure   Result = "4"  // the request was refused or invalid (HTTP 4xx, SQL errors)
	SeriousFailure Result = "8"  // the server failed (HTTP 5xx, internal SQL errors)
	MajorFailure   Result = "12" // the server could not go on (such as the audit log failing)
)

// Outcome is how an interaction ended.
type Outcome struct {
	// Result is the severity; required.
	Result Result `json:"result"`
	// Code is the HTTP status ("404") or the SQLSTATE ("42P01").
	Code string `json:"code,omitempty"`
	// Message is a short description of a failure; it must not quote
	// resource content.
	Message string `json:"message,omitempty"`
}

// HTTPOutcome returns the outcome of an HTTP answer with status: success
// below 400, a minor failure for 4xx, a serious one for 5xx.
func HTTPOutcome(status int, message string) Outcome {
	r := Success
	switch {
	case status >= 500:
		r = SeriousFailure
	case status >= 400:
		r = MinorFailure
	}
	return Outcome{Result: r, Code: strconv.Itoa(status), Message: message}
}

// SQLOutcome returns the outcome of a SQL statement that ended with
// SQLSTATE code ("" or "00000" for success): class XX (internal errors)
// and 58 (system errors) are serious failures, every other class a minor
// one.
func SQLOutcome(code, message string) Outcome {
	switch {
	case code == "" || code == "00000":
		return Outcome{Result: Success, Code: code, Message: message}
	case len(code) >= 2 && (code[:2] == "XX" || code[:2] == "58"):
		return Outcome{Result: SeriousFailure, Code: code, Message: message}
	}
	return Outcome{Result: MinorFailure, Code: code, Message: message}
}
