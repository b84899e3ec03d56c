package wire

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// guc describes a Postgres run-time parameter the server answers itself.
type guc struct {
	name        string // canonical spelling, as SHOW ALL prints it
	def         string // default; "" for the per-server/per-user ones filled at startup
	reportable  bool   // sent in ParameterStatus at startup and when changed
	readOnly    bool   // SET fails with 55P02
	description string
	// normalize validates a new value and returns its canonical form; nil
	// accepts any value as it is.
	normalize func(string) (string, error)
}

// gucs lists the known parameters. Reportable ones are those Postgres 15
// reports to clients.
var gucs = []guc{
	{name: "application_name", reportable: true, description: "Sets the application name to be reported in statistics and logs."},
	{name: "bytea_output", def: "hex", normalize: oneOf("hex"), description: "Sets the output format for bytea."},
	{name: "client_encoding", def: "UTF8", reportable: true, normalize: normalizeEncoding, description: "Sets the client's character set encoding."},
	{name: "client_min_messages", def: "notice", description: "Sets the message levels that are sent to the client."},
	{name: "DateStyle", def: "ISO, MDY", reportable: true, normalize: normalizeDateStyle, description: "Sets the display format for date and time values."},
	{name: "default_transaction_isolation", def: "read committed", normalize: normalizeIsolation, description: "Sets the transaction isolation level of each new transaction."},
	{name: "default_transaction_read_only", def: "off", reportable: true, normalize: normalizeBool, description: "Sets the default read-only status of new transactions."},
	{name: "extra_float_digits", def: "1", normalize: intRange(-15, 3), description: "Sets the number of digits displayed for floating-point values."},
	{name: "idle_in_transaction_session_timeout", def: "0", normalize: normalizeDuration, description: "Sets the maximum allowed idle time between queries, when in a transaction."},
	{name: "in_hot_standby", def: "off", reportable: true, readOnly: true, description: "Shows whether hot standby is currently active."},
	{name: "integer_datetimes", def: "on", reportable: true, readOnly: true, description: "Shows whether datetimes are integer based."},
	{name: "IntervalStyle", def: "postgres", reportable: true, normalize: oneOf("postgres"), description: "Sets the display format for interval values."},
	{name: "is_superuser", def: "off", reportable: true, readOnly: true, description: "Shows whether the current user is a superuser."},
	{name: "lock_timeout", def: "0", normalize: normalizeDuration, description: "Sets the maximum allowed duration of any wait for a lock."},
	{name: "max_identifier_length", def: "63", readOnly: true, description: "Shows the maximum identifier length."},
	{name: "search_path", def: `"$user", public`, description: "Sets the schema search order for names that are not schema-qualified."},
	{name: "server_encoding", def: "UTF8", reportable: true, readOnly: true, description: "Shows the server (database) character set encoding."},
	{name: "server_version", reportable: true, readOnly: true, description: "Shows the server version."},
	{name: "server_version_num", readOnly: true, description: "Shows the server version as an integer."},
	{name: "session_authorization", reportable: true, readOnly: true, description: "Sets the session user name."},
	{name: "standard_conforming_strings", def: "on", reportable: true, normalize: oneOf("on"), description: "Causes '...' strings to treat backslashes literally."},
	{name: "statement_timeout", def: "0", normalize: normalizeDuration, description: "Sets the maximum allowed duration of any statement."},
	{name: "TimeZone", def: "UTC", reportable: true, normalize: normalizeTimeZone, description: "Sets the time zone for displaying and interpreting time stamps."},
	{name: "transaction_isolation", def: "read committed", normalize: normalizeIsolation, description: "Sets the current transaction's isolation level."},
	{name: "transaction_read_only", def: "off", normalize: normalizeBool, description: "Sets the current transaction's read-only status."},
}

// lookupGUC finds a parameter by case-insensitive name.
func lookupGUC(name string) (*guc, bool) {
	for i := range gucs {
		if strings.EqualFold(gucs[i].name, name) {
			return &gucs[i], true
		}
	}
	return nil, false
}

// settings holds the current values of a session's parameters, keyed by
// canonical name.
type settings map[string]string

// newSettings returns the defaults, with the per-session values.
func newSettings(serverVersion, user string) settings {
	s := make(settings, len(gucs))
	for _, g := range gucs {
		s[g.name] = g.def
	}
	s["server_version"] = serverVersion
	s["server_version_num"] = versionNum(serverVersion)
	s["session_authorization"] = user
	return s
}

// set validates and stores a value given by a client (SET or a startup
// parameter).
func (s settings) set(g *guc, value string) error {
	if g.readOnly {
		return newError(codeCantChangeRuntimeParam, "parameter %q cannot be changed", g.name)
	}
	if g.normalize != nil {
		v, err := g.normalize(value)
		if err != nil {
			return err
		}
		value = v
	}
	s[g.name] = value
	return nil
}

// textFormat returns the output settings for the text encoder.
func (s settings) textFormat() textFormat {
	efd, _ := strconv.Atoi(s["extra_float_digits"])
	loc, err := loadZone(s["TimeZone"])
	if err != nil {
		loc = time.UTC
	}
	return textFormat{loc: loc, extraFloatDigits: efd}
}

// statementTimeout returns statement_timeout; 0 means none.
func (s settings) statementTimeout() time.Duration {
	d, _ := parseDuration(s["statement_timeout"])
	return d
}

// versionNum turns "15.0" into "150000" (Postgres 10+ numbering).
func versionNum(v string) string {
	major, minor, _ := strings.Cut(v, ".")
	ma, err := strconv.Atoi(major)
	if err != nil {
		return "0"
	}
	mi, _ := strconv.Atoi(strings.TrimFunc(minor, func(r rune) bool { return r < '0' || r > '9' }))
	return strconv.Itoa(ma*10000 + mi)
}

func invalidValue(name, value string) error {
	return newError(codeInvalidParameterValue, "invalid value for parameter %q: %q", name, value)
}

// oneOf accepts only the listed values (case-insensitively).
func oneOf(allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return a, nil
			}
		}
		return "", &sqlstate.Error{Code: sqlstate.FeatureNotSupported,
			Message: fmt.Sprintf("value %q is not supported", v),
			Hint:    "Supported values: " + strings.Join(allowed, ", ") + "."}
	}
}

func intRange(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", newError(codeInvalidParameterValue, "%q is outside the valid range %d .. %d", v, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func normalizeBool(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", invalidValue("boolean", v)
}

// normalizeEncoding accepts UTF8 (and SQL_ASCII, which libpq sends under
// the C locale and which passes bytes through): the server converts
// nothing.
func normalizeEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(v)) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQLASCII":
		return "SQL_ASCII", nil
	}
	return "", &sqlstate.Error{Code: sqlstate.FeatureNotSupported,
		Message: fmt.Sprintf("client encoding %q is not supported", v),
		Hint:    "The server sends and expects UTF8."}
}

// normalizeDateStyle accepts the ISO output style with any field order.
func normalizeDateStyle(v string) (string, error) {
	order := "MDY"
	for _, part := range strings.Split(v, ",") {
		switch p := strings.ToUpper(strings.TrimSpace(part)); p {
		case "ISO", "DEFAULT", "":
		case "MDY", "DMY", "YMD":
			order = p
		case "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "EURO", "EUROPEAN":
			order = "DMY"
		default:
			return "", &sqlstate.Error{Code: sqlstate.FeatureNotSupported,
				Message: fmt.Sprintf("DateStyle %q is not supported", v),
				Hint:    "Only the ISO output style is supported."}
		}
	}
	return "ISO, " + order, nil
}

func normalizeIsolation(v string) (string, error) {
	l := strings.ToLower(strings.Join(strings.Fields(v), " "))
	if slices.Contains([]string{"serializable", "repeatable read", "read committed", "read uncommitted"}, l) {
		return l, nil
	}
	return "", invalidValue("transaction_isolation", v)
}

func normalizeTimeZone(v string) (string, error) {
	if _, err := loadZone(v); err != nil {
		return "", newError(codeInvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	return v, nil
}

// loadZone resolves a TimeZone value: an IANA name, UTC/GMT/Z, or a POSIX
// style numeric offset (hours east of Greenwich, as SET TIME ZONE -8 means
// UTC-8, like Postgres's numeric form).
func loadZone(v string) (*time.Location, error) {
	switch strings.ToUpper(v) {
	case "UTC", "GMT", "Z", "ZULU", "":
		return time.UTC, nil
	}
	if h, err := strconv.ParseFloat(v, 64); err == nil && h >= -15 && h <= 15 {
		return time.FixedZone(v, int(h*3600)), nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, fmt.Errorf("wire: time zone %q: %w", v, err)
	}
	return loc, nil
}

func normalizeDuration(v string) (string, error) {
	if _, err := parseDuration(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// parseDuration parses a Postgres time GUC: a plain number of
// milliseconds or a number with unit us, ms, s, min, h or d.
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (isDigit(v[i]) || v[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || n < 0 {
		return 0, invalidValue("duration", v)
	}
	units := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	unit, ok := units[strings.ToLower(strings.TrimSpace(v[i:]))]
	if !ok {
		return 0, invalidValue("duration", v)
	}
	return time.Duration(n * float64(unit)), nil
}
