package audit

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Code systems of the IHE Basic Audit Log Patterns (BALP) and FHIR R4.
const (
	sysEventType   = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	sysInteraction = "http://hl7.org/fhir/restful-interaction"
	sysDICOM       = "http://dicom.nema.org/resources/ontology/DCM"
	sysParticipant = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	sysSourceType  = "http://terminology.hl7.org/CodeSystem/security-source-type"
	sysEntityType  = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	sysEntityRole  = "http://terminology.hl7.org/CodeSystem/object-role"
	sysBALPEntity  = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType"
)

// Observer is the name of the audit source in exported AuditEvents.
const Observer = "fhirlake"

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type identifier struct {
	Value string `json:"value,omitempty"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type network struct {
	Address string `json:"address,omitempty"`
	Type    string `json:"type,omitempty"`
}

type agent struct {
	Type      *concept   `json:"type,omitempty"`
	Role      []concept  `json:"role,omitempty"`
	Who       *reference `json:"who,omitempty"`
	AltID     string     `json:"altId,omitempty"`
	Name      string     `json:"name,omitempty"`
	Requestor bool       `json:"requestor"`
	Network   *network   `json:"network,omitempty"`
}

type source struct {
	Site     string    `json:"site,omitempty"`
	Observer reference `json:"observer"`
	Type     []coding  `json:"type,omitempty"`
}

type entity struct {
	What        *reference `json:"what,omitempty"`
	Type        *coding    `json:"type,omitempty"`
	Role        *coding    `json:"role,omitempty"`
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
	Query       string     `json:"query,omitempty"`
	Detail      []detail   `json:"detail,omitempty"`
}

type detail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

type auditEvent struct {
	ResourceType string   `json:"resourceType"`
	ID           string   `json:"id"`
	Type         coding   `json:"type"`
	Subtype      []coding `json:"subtype,omitempty"`
	Action       string   `json:"action,omitempty"`
	Recorded     string   `json:"recorded"`
	Outcome      string   `json:"outcome,omitempty"`
	OutcomeDesc  string   `json:"outcomeDesc,omitempty"`
	Agent        []agent  `json:"agent"`
	Source       source   `json:"source"`
	Entity       []entity `json:"entity,omitempty"`
}

// AuditEvent returns r as a FHIR R4 AuditEvent resource (compact JSON)
// following the IHE Basic Audit Log Patterns: FHIR interactions as type
// rest with a restful-interaction subtype, the other kinds as DICOM
// audit event ids (110112 Query for SQL, 110114 User Authentication,
// 110107 Import, 110106 Export, 110113 Security Alert for grants, tokens,
// users and keys). The resource id is the record's seq.
func AuditEvent(r Record) ([]byte, error) {
	typ, sub := eventType(r.Event)
	ae := auditEvent{
		ResourceType: "AuditEvent",
		ID:           strconv.FormatUint(r.Seq, 10),
		Type:         typ,
		Subtype:      sub,
		Action:       eventAction(r.Event),
		Recorded:     r.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Outcome:      string(r.Outcome.Result),
		OutcomeDesc:  outcomeDesc(r.Outcome),
		Agent:        agents(r.Event),
		Source: source{Site: r.DataStore, Observer: reference{Display: Observer},
			Type: []coding{{System: sysSourceType, Code: "4", Display: "Application Server"}}},
		Entity: entities(r.Event),
	}
	b, err := json.Marshal(ae)
	if err != nil {
		return nil, fmt.Errorf("audit: AuditEvent of seq %d: %w", r.Seq, err)
	}
	return b, nil
}

// eventType maps a kind (and action) to AuditEvent.type and subtype.
func eventType(ev Event) (coding, []coding) {
	dcm := func(code, display string) coding { return coding{System: sysDICOM, Code: code, Display: display} }
	switch ev.Kind {
	case KindFHIR:
		var sub []coding
		if ev.Action != "" {
			sub = []coding{{System: sysInteraction, Code: ev.Action, Display: ev.Action}}
		}
		return coding{System: sysEventType, Code: "rest", Display: "Restful Operation"}, sub
	case KindSQL:
		return dcm("110112", "Query"), nil
	case KindLogin:
		if ev.Action == "logout" {
			return dcm("110114", "User Authentication"), []coding{dcm("110123", "Logout")}
		}
		return dcm("110114", "User Authentication"), []coding{dcm("110122", "Login")}
	case KindImport:
		return dcm("110107", "Import"), nil
	case KindExport:
		return dcm("110106", "Export"), nil
	case KindGrant:
		return dcm("110113", "Security Alert"), []coding{dcm("110136", "Security Roles Changed")}
	case KindKey:
		return dcm("110113", "Security Alert"), []coding{dcm("110135", "Object Security Attributes Changed")}
	}
	return dcm("110113", "Security Alert"), []coding{dcm("110137", "User Security Attributes Changed")}
}

// eventAction maps an event to the AuditEvent.action code C, R, U, D or E.
func eventAction(ev Event) string {
	switch ev.Kind {
	case KindFHIR:
		switch ev.Action {
		case "create":
			return "C"
		case "read", "vread", "history", "history-instance", "history-type", "history-system", "capabilities":
			return "R"
		case "update", "patch":
			return "U"
		case "delete":
			return "D"
		}
		return "E" // search, operation, transaction, batch
	case KindImport:
		return "C"
	case KindExport:
		return "R"
	case KindSQL, KindLogin:
		return "E"
	}
	switch ev.Action {
	case "create", "add", "grant":
		return "C"
	case "delete", "drop", "revoke":
		return "D"
	case "rotate", "update", "passwd", "change":
		return "U"
	}
	return "E"
}

func outcomeDesc(o Outcome) string {
	switch {
	case o.Code != "" && o.Message != "":
		return o.Code + " " + o.Message
	case o.Code != "":
		return o.Code
	}
	return o.Message
}

// agents lists the requesting user (ParticipationType IRCP), the client
// application with its network address (DICOM 110153 Source Role ID) and
// fhirlake itself (DICOM 110152 Destination Role ID).
func agents(ev Event) []agent {
	var as []agent
	user := ev.Actor.User
	if user == "" {
		user = "anonymous"
	}
	ua := agent{
		Type:      &concept{Coding: []coding{{System: sysParticipant, Code: "IRCP", Display: "information recipient"}}},
		Who:       &reference{Identifier: &identifier{Value: user}},
		Name:      user,
		Requestor: true,
	}
	for _, r := range ev.Actor.Roles {
		ua.Role = append(ua.Role, concept{Text: r})
	}
	as = append(as, ua)
	if ev.Actor.Client != "" || ev.Source != "" {
		ca := agent{Type: &concept{Coding: []coding{{System: sysDICOM, Code: "110153", Display: "Source Role ID"}}}}
		if ev.Actor.Client != "" {
			ca.Who = &reference{Identifier: &identifier{Value: ev.Actor.Client}}
		}
		if host := sourceHost(ev.Source); host != "" {
			ca.Network = &network{Address: host, Type: networkType(host)}
		}
		as = append(as, ca)
	}
	return append(as, agent{
		Type: &concept{Coding: []coding{{System: sysDICOM, Code: "110152", Display: "Destination Role ID"}}},
		Who:  &reference{Display: Observer},
		Name: ev.Protocol,
	})
}

// sourceHost strips the port from a host:port address.
func sourceHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// networkType is the AuditEvent network type: 2 for an IP address, 1 for
// a machine name.
func networkType(host string) string {
	if net.ParseIP(host) != nil {
		return "2"
	}
	return "1"
}

// entities lists the resources touched (patients as Person/Patient), the
// query (base64, role 24 Query, with the row count as a detail), the
// tables read, the subject of an
// administrative event and the request id.
func entities(ev Event) []entity {
	var es []entity
	for _, ref := range ev.Resources {
		e := entity{What: &reference{Reference: ref},
			Type: &coding{System: sysEntityType, Code: "2", Display: "System Object"},
			Role: &coding{System: sysEntityRole, Code: "4", Display: "Domain Resource"}}
		if strings.HasPrefix(ref, "Patient/") {
			e.Type = &coding{System: sysEntityType, Code: "1", Display: "Person"}
			e.Role = &coding{System: sysEntityRole, Code: "1", Display: "Patient"}
		}
		es = append(es, e)
	}
	if ev.Query != "" || ev.Rows != 0 {
		e := entity{Type: &coding{System: sysEntityType, Code: "2", Display: "System Object"}, Name: ev.DataStore}
		if ev.Query != "" {
			e.Role = &coding{System: sysEntityRole, Code: "24", Display: "Query"}
			e.Query = base64.StdEncoding.EncodeToString([]byte(ev.Query))
		}
		if ev.Rows != 0 {
			e.Detail = []detail{{Type: "rows", ValueString: strconv.FormatInt(ev.Rows, 10)}}
		}
		es = append(es, e)
	}
	for _, t := range ev.Tables {
		es = append(es, entity{What: &reference{Display: t}, Name: t, Description: "table read",
			Type: &coding{System: sysEntityType, Code: "2", Display: "System Object"}})
	}
	if ev.Subject != "" {
		desc := string(ev.Kind) + " " + ev.Action
		if ev.Role != "" {
			desc += " role " + ev.Role
		}
		es = append(es, entity{What: &reference{Identifier: &identifier{Value: ev.Subject}}, Name: ev.Subject,
			Description: desc, Type: &coding{System: sysEntityType, Code: "1", Display: "Person"}})
	}
	if ev.RequestID != "" {
		es = append(es, entity{What: &reference{Identifier: &identifier{Value: ev.RequestID}},
			Type: &coding{System: sysBALPEntity, Code: "XrequestId", Display: "XrequestId"}})
	}
	return es
}
