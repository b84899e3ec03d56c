package r4

import (
	"math/rand"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPrimitiveFormatsMatchRegexes checks the hand-written format checks
// against the R4 regexes carried in the generated table, on seeds and
// random mutations of them. The only allowed difference: dates that match
// the regex but do not exist in the calendar are rejected.
func TestPrimitiveFormatsMatchRegexes(t *testing.T) {
	tb, err := defs()
	require.NoError(t, err)
	seeds := map[string][]string{
		"id":           {"a", "abc-1.2", "A.b-C", "x y", "_x", "0123456789012345678901234567890123456789012345678901234567890123"},
		"code":         {"final", "a b", "a  b", " a", "a ", "a\tb", "ü"},
		"uri":          {"http://x.org/a", "urn:uuid:1", "a b", "x"},
		"url":          {"http://x.org/a", "a\nb"},
		"canonical":    {"http://x.org/a|1.0", "a b"},
		"oid":          {"urn:oid:1.2.3", "urn:oid:2.0", "urn:oid:3.1", "urn:oid:1", "urn:oid:1.02", "urn:oid:0.0.10"},
		"uuid":         {"urn:uuid:c757873d-ec9a-4326-a141-556f43239520", "urn:uuid:C757873D-ec9a-4326-a141-556f43239520", "urn:uuid:c757873d-ec9a-4326-a141-556f4323952"},
		"base64Binary": {"AAAA", "YWJj ZGVm", "YWJjZA==", "YWJ", "YW Jj", " AAAA ", "AA=A"},
		"date":         {"2020", "2020-01", "2020-01-31", "2020-02-30", "2019-02-29", "2000-02-29", "1900-02-29", "0000", "2020-1-1", "2020-13", "0001-01-01"},
		"dateTime":     {"2020", "2020-01-02T10:11:12Z", "2020-01-02T10:11:12.123+05:30", "2020-01-02T10:11:12-14:00", "2020-01-02T10:11:12+14:01", "2020-01-02T10:11", "2020-01-02T24:00:00Z", "2020-01-02T10:11:60Z", "2020-04-31T00:00:00Z"},
		"instant":      {"2020-01-02T10:11:12Z", "2020-01-02T10:11:12.5-03:00", "2020-01-02", "2020-01-02T10:11:12"},
		"time":         {"10:11:12", "23:59:60", "24:00:00", "10:11", "10:11:12.", "10:11:12.000"},
		"string":       {"x", " ", "\t\n"},
		"markdown":     {"# x", " "},
	}
	alphabet := []byte("0123456789-:.TZ+ =/abcfAF_uriodnx\t")
	rng := rand.New(rand.NewSource(1))
	for typ, list := range seeds {
		td := tb.types[typ]
		require.NotNil(t, td, typ)
		require.NotEmpty(t, td.regex, typ)
		re := regexp.MustCompile(`^(?:` + td.regex + `)$`)
		check := func(s string) {
			if s == "" {
				return // empty strings are rejected before the format check
			}
			want := re.MatchString(s) && calendarValid(typ, s)
			require.Equal(t, want, validFormat(typ, s), "%s %q (regex %s)", typ, s, td.regex)
		}
		for _, seed := range list {
			check(seed)
			for range 3000 {
				check(mutate(rng, seed, alphabet))
			}
		}
	}
}

// calendarValid rejects regex-valid dates whose day does not exist.
func calendarValid(typ, s string) bool {
	if (typ != "date" && typ != "dateTime" && typ != "instant") || len(s) < 10 {
		return true
	}
	_, err := time.Parse("2006-01-02", s[:10])
	return err == nil
}

func mutate(rng *rand.Rand, s string, alphabet []byte) string {
	b := []byte(s)
	for range 1 + rng.Intn(3) {
		c := alphabet[rng.Intn(len(alphabet))]
		switch i := rng.Intn(len(b) + 1); rng.Intn(3) {
		case 0:
			b = append(b[:i], append([]byte{c}, b[i:]...)...)
		case 1:
			if i < len(b) {
				b = append(b[:i], b[i+1:]...)
			}
		default:
			if i < len(b) {
				b[i] = c
			}
		}
	}
	return string(b)
}

func TestCheckNumber(t *testing.T) {
	tests := []struct {
		typ, raw string
		ok       bool
	}{
		{"integer", "0", true},
		{"integer", "-2147483648", true},
		{"integer", "2147483647", true},
		{"integer", "2147483648", false},
		{"integer", "-2147483649", false},
		{"integer", "99999999999999999999999", false},
		{"integer", "1.0", false},
		{"integer", "1e3", false},
		{"integer", "-0", false},
		{"positiveInt", "1", true},
		{"positiveInt", "0", false},
		{"unsignedInt", "0", true},
		{"unsignedInt", "-1", false},
		{"decimal", "-0.0e-10", true},
		{"decimal", "123456789012345678901234567890.5", true},
	}
	for _, tt := range tests {
		_, problem := checkNumber(tt.typ, tt.raw)
		require.Equal(t, tt.ok, problem == "", "%s %s: %s", tt.typ, tt.raw, problem)
	}
}
