package linkage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJaroWinkler(t *testing.T) {
	// Reference values from Winkler (1990) and the usual worked examples.
	for _, c := range []struct {
		a, b       string
		jaro, want float64
	}{
		{"MARTHA", "MARHTA", 0.9444, 0.9611},
		{"DWAYNE", "DUANE", 0.8222, 0.84},
		{"DIXON", "DICKSONX", 0.7667, 0.8133},
		{"JELLYFISH", "SMELLYFISH", 0.8963, 0.8963},
		{"SMITH", "SMITH", 1, 1},
		{"", "", 1, 1},
		{"ABC", "", 0, 0},
		{"ABC", "XYZ", 0, 0},
		{"A", "A", 1, 1},
		{"JOHNSON", "JOHNSNO", 0.9524, 0.9714},
		{"ÉMILE", "EMILE", 0.8667, 0.8667},
	} {
		t.Run(c.a+"/"+c.b, func(t *testing.T) {
			a, b := []rune(c.a), []rune(c.b)
			require.InDelta(t, c.jaro, jaro(a, b), 1e-4)
			require.InDelta(t, c.want, jaroWinkler(a, b), 1e-4)
			require.InDelta(t, jaroWinkler(a, b), jaroWinkler(b, a), 1e-12, "symmetric")
		})
	}
	long := []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ")
	require.InDelta(t, 1, jaroWinkler(long, long), 1e-12, "longer than the stack buffers")
}

func TestSoundex(t *testing.T) {
	// Examples of the US National Archives' Soundex rules.
	for _, c := range []struct{ in, want string }{
		{"ROBERT", "R163"}, {"RUPERT", "R163"}, {"RUBIN", "R150"},
		{"ASHCRAFT", "A261"}, {"ASHCROFT", "A261"}, {"TYMCZAK", "T522"},
		{"PFISTER", "P236"}, {"HONEYMAN", "H555"}, {"LEE", "L000"},
		{"GUTIERREZ", "G362"}, {"JACKSON", "J250"}, {"WASHINGTON", "W252"},
		{"", ""}, {"123", ""},
	} {
		require.Equal(t, c.want, soundex(c.in), c.in)
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct {
		name string
		fold func(string) string
		in   string
		want string
	}{
		{"name punctuation", foldName, "O'Brien-Smith", "OBRIENSMITH"},
		{"name accents", foldName, "Núñez", "NUNEZ"},
		{"name spaces", foldName, " de la Cruz ", "DELACRUZ"},
		{"line suffix", foldLine, "12 Oak Street.", "12 OAK ST"},
		{"line abbreviated", foldLine, "12  oak st", "12 OAK ST"},
		{"line direction", foldLine, "5 North Main Avenue, Apartment 4", "5 N MAIN AVE APT 4"},
		{"phone punctuation", foldPhone, "(617) 555-0123", "6175550123"},
		{"phone country code", foldPhone, "+1 617 555 0123", "6175550123"},
		{"phone too short", foldPhone, "555-01", ""},
		{"postal zip+4", foldPostal, "02108-1234", "02108"},
		{"postal letters", foldPostal, "sw1a 1aa", "SW1A1"},
		{"sex male", foldSex, "Male", "male"},
		{"sex unknown", foldSex, "unknown", ""},
		{"sex other", foldSex, "other", ""},
	} {
		require.Equal(t, c.want, c.fold(c.in), c.name)
	}
}

func TestIsNickname(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"WILLIAM", "BILL", true},
		{"BILL", "WILL", true},
		{"AL", "ALBERT", true},
		{"AL", "ALEXANDER", true},
		{"ALBERT", "ALEXANDER", false},
		{"MARY", "MARIA", false},
		{"JOHN", "JAMES", false},
		{"ZED", "ZED", false},
	} {
		require.Equal(t, c.want, isNickname(c.a, c.b), c.a+"/"+c.b)
		require.Equal(t, c.want, isNickname(c.b, c.a), c.b+"/"+c.a)
	}
}

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"MIA", "MYA", true},     // substitution
		{"GRACE", "GROCE", true}, // substitution
		{"HALL", "HALLL", true},  // insertion
		{"JOSE", "JOE", true},    // deletion
		{"MEI", "MIE", true},     // transposition
		{"SMITH", "SMIHT", true}, // transposition at the end
		{"SMITH", "SMITH", false},
		{"SMITH", "SMYTHE", false},
		{"ANNA", "ANAN", true},
		{"ABCD", "BADC", false},
		{"", "A", true},
		{"", "", false},
		{"KIM", "LEE", false},
	} {
		require.Equal(t, c.want, oneEdit([]rune(c.a), []rune(c.b)), c.a+"/"+c.b)
		require.Equal(t, c.want, oneEdit([]rune(c.b), []rune(c.a)), c.b+"/"+c.a)
	}
}
