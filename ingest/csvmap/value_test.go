package csvmap

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConvertField(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		format  string
		tz      string
		in      string
		want    string
		wantErr string
	}{
		{"string", "string", "", "", `a "b" <c>`, `"a \"b\" <c>"`, ""},
		{"string control", "string", "", "", "a\x01b", `"a\u0001b"`, ""},
		{"string bad utf8", "string", "", "", "a\xffb", "", "not valid UTF-8"},
		{"code", "code", "", "", "final", `"final"`, ""},
		{"integer", "integer", "", "", "42", "42", ""},
		{"integer plus", "integer", "", "", "+7", "7", ""},
		{"integer negative", "integer", "", "", "-7", "-7", ""},
		{"integer overflow", "integer", "", "", "2147483648", "", `"2147483648" is not an integer`},
		{"integer decimal", "integer", "", "", "4.0", "", "is not an integer"},
		{"decimal keeps digits", "decimal", "", "", "5.40", "5.40", ""},
		{"decimal leading dot", "decimal", "", "", ".5", "0.5", ""},
		{"decimal trailing dot", "decimal", "", "", "5.", "5", ""},
		{"decimal leading zeros", "decimal", "", "", "-007.25", "-7.25", ""},
		{"decimal exponent", "decimal", "", "", "1.5E+3", "1.5e+3", ""},
		{"decimal plus", "decimal", "", "", "+3", "3", ""},
		{"decimal word", "decimal", "", "", "high", "", `"high" is not a decimal number`},
		{"decimal comparator", "decimal", "", "", "<5", "", "is not a decimal number"},
		{"decimal comma", "decimal", "", "", "1,5", "", "is not a decimal number"},
		{"decimal dot only", "decimal", "", "", ".", "", "is not a decimal number"},
		{"decimal huge", "decimal", "", "", "1e999", "", "is not a decimal number"},
		{"decimal bad exponent", "decimal", "", "", "1e", "", "is not a decimal number"},
		{"boolean yes", "boolean", "", "", "YES", "true", ""},
		{"boolean n", "boolean", "", "", "n", "false", ""},
		{"boolean 1", "boolean", "", "", "1", "true", ""},
		{"boolean bad", "boolean", "", "", "maybe", "", `"maybe" is not a boolean`},
		{"date us", "date", "MM/DD/YYYY", "", "03/15/1962", `"1962-03-15"`, ""},
		{"date us bad", "date", "MM/DD/YYYY", "", "13/45/1962", "", `"13/45/1962" is not a date in format MM/DD/YYYY`},
		{"date 30 february", "date", "DD.MM.YYYY", "", "30.02.2020", "", "is not a date in format DD.MM.YYYY"},
		{"date single digits", "date", "M/D/YYYY", "", "3/5/1962", `"1962-03-05"`, ""},
		{"date two digit year", "date", "DD/MM/YY", "", "05/03/62", `"2062-03-05"`, ""},
		{"date compact", "date", "YYYYMMDD", "", "19620315", `"1962-03-15"`, ""},
		{"date month name", "date", "DD MMM YYYY", "", "15 Mar 1962", `"1962-03-15"`, ""},
		{"date go layout", "date", "02/01/2006", "", "15/03/1962", `"1962-03-15"`, ""},
		{"date month precision", "date", "MM/YYYY", "", "03/1962", `"1962-03"`, ""},
		{"date year precision", "date", "YYYY", "", "1962", `"1962"`, ""},
		{"date from datetime layout", "date", "YYYY-MM-DD HH:mm", "", "2024-03-01 23:15", `"2024-03-01"`, ""},
		{"date fhir", "date", "", "", "1962-03", `"1962-03"`, ""},
		{"date fhir rejects time", "date", "", "", "1962-03-15T10:00:00Z", "", "is not a date in format YYYY-MM-DD (FHIR)"},
		{"date fhir year zero", "date", "", "", "0000", "", "is not a date"},
		{"dateTime zone name", "dateTime", "YYYY-MM-DD HH:mm", "America/Chicago", "2024-07-15 14:30", `"2024-07-15T14:30:00-05:00"`, ""},
		{"dateTime winter", "dateTime", "YYYY-MM-DD HH:mm", "America/Chicago", "2024-01-15 14:30", `"2024-01-15T14:30:00-06:00"`, ""},
		{"dateTime utc", "dateTime", "MM/DD/YYYY hh:mm A", "UTC", "03/15/2024 02:05 PM", `"2024-03-15T14:05:00Z"`, ""},
		{"dateTime offset", "dateTime", "YYYY-MM-DD HH:mm:ss", "+05:30", "2024-03-15 02:05:07", `"2024-03-15T02:05:07+05:30"`, ""},
		{"dateTime fraction", "dateTime", "YYYY-MM-DD HH:mm:ss", "UTC", "2024-03-15 02:05:07.25", `"2024-03-15T02:05:07.25Z"`, ""},
		{"dateTime zone in data", "dateTime", "YYYY-MM-DDTHH:mm:ssZ", "", "2024-03-15T02:05:07+01:00", `"2024-03-15T02:05:07+01:00"`, ""},
		{"dateTime date only", "dateTime", "MM/DD/YYYY", "", "03/15/2024", `"2024-03-15"`, ""},
		{"dateTime hl7", "dateTime", "HL7", "UTC", "20240315020507", `"2024-03-15T02:05:07Z"`, ""},
		{"dateTime bad", "dateTime", "YYYY-MM-DD HH:mm", "UTC", "2024-03-15", "", `"2024-03-15" is not a dateTime in format YYYY-MM-DD HH:mm`},
		{"dateTime fhir", "dateTime", "", "", "2024-03-15T02:05:07.123+01:00", `"2024-03-15T02:05:07.123+01:00"`, ""},
		{"dateTime fhir partial", "dateTime", "", "", "2024", `"2024"`, ""},
		{"dateTime fhir no zone", "dateTime", "", "", "2024-03-15T02:05:07", "", "is not a dateTime"},
		{"instant", "instant", "RFC3339", "", "2024-03-15T02:05:07Z", `"2024-03-15T02:05:07Z"`, ""},
		{"instant fhir date", "instant", "", "", "2024-03-15", "", "is not an instant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &field{typ: tt.typ}
			if tt.typ == typeDate || tt.typ == typeDateTime || tt.typ == typeInstant {
				df, err := newDateFormat(tt.typ, tt.format, tt.tz)
				require.NoError(t, err)
				f.date = df
			}
			got, _, err := f.convert(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}

func TestDateFormatErrors(t *testing.T) {
	tests := []struct {
		name, typ, format, tz, wantErr string
	}{
		{"no year", "date", "MM/DD", "", "has no usable year"},
		{"time without zone", "dateTime", "YYYY-MM-DD HH:mm", "", "no zone: set timezone"},
		{"12 hour without A", "dateTime", "YYYY-MM-DD hh:mm", "UTC", "ambiguous or incomplete"},
		{"day without month", "date", "YYYY DD", "", "ambiguous or incomplete"},
		{"instant without time", "instant", "YYYY-MM-DD", "UTC", "an instant needs a time of day"},
		{"bad zone", "dateTime", "YYYY-MM-DD HH:mm", "Mars/Olympus", "is not an IANA zone name"},
		{"local zone", "dateTime", "YYYY-MM-DD HH:mm", "Local", "is not an IANA zone name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newDateFormat(tt.typ, tt.format, tt.tz)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
