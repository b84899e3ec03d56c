package audit

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendEvent appends the canonical JSON of ev to dst: byte for byte what
// encoding/json.Marshal produces for an Event (FuzzAppendEvent checks
// this), without reflection, since it runs once per audited interaction.
func appendEvent(dst []byte, ev Event) ([]byte, error) {
	if y := ev.Time.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("audit: encode %s event: time %v is outside years 0-9999", ev.Kind, ev.Time)
	}
	dst = append(dst, `{"kind":`...)
	dst = appendString(dst, string(ev.Kind))
	dst = append(dst, `,"time":"`...)
	dst = ev.Time.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	if a := ev.Actor; a.User != "" || a.Client != "" || a.Roles != nil || a.Method != "" {
		dst = append(dst, `,"actor":{`...)
		n := len(dst)
		dst = appendField(dst, n, "user", a.User)
		dst = appendField(dst, n, "client", a.Client)
		dst = appendList(dst, n, "roles", a.Roles)
		dst = appendField(dst, n, "method", a.Method)
		dst = append(dst, '}')
	}
	dst = appendField(dst, 0, "source", ev.Source)
	dst = appendField(dst, 0, "protocol", ev.Protocol)
	dst = appendField(dst, 0, "datastore", ev.DataStore)
	dst = appendField(dst, 0, "action", ev.Action)
	dst = appendList(dst, 0, "resources", ev.Resources)
	dst = appendField(dst, 0, "query", ev.Query)
	dst = appendList(dst, 0, "tables", ev.Tables)
	if ev.Rows != 0 {
		dst = append(dst, `,"rows":`...)
		dst = strconv.AppendInt(dst, ev.Rows, 10)
	}
	dst = appendField(dst, 0, "subject", ev.Subject)
	dst = appendField(dst, 0, "role", ev.Role)
	dst = appendField(dst, 0, "request", ev.RequestID)
	dst = append(dst, `,"outcome":{"result":`...)
	dst = appendString(dst, string(ev.Outcome.Result))
	dst = appendField(dst, 0, "code", ev.Outcome.Code)
	dst = appendField(dst, 0, "message", ev.Outcome.Message)
	return append(dst, "}}"...), nil
}

// appendField appends ,"name":"value" unless value is empty; the comma is
// left out when the member would be the first after position first.
func appendField(dst []byte, first int, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = appendName(dst, first, name)
	return appendString(dst, value)
}

// appendList appends ,"name":["a","b"] unless the list is empty.
func appendList(dst []byte, first int, name string, values []string) []byte {
	if len(values) == 0 {
		return dst
	}
	dst = appendName(dst, first, name)
	dst = append(dst, '[')
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, v)
	}
	return append(dst, ']')
}

func appendName(dst []byte, first int, name string) []byte {
	if len(dst) != first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string escaped as encoding/json does:
// \" \\ \n \r \t \b \f, other control characters and < > & U+2028 U+2029 as
// \u00XX or \u20XX, and invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
