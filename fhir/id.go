package fhir

// ValidID reports whether id is a valid FHIR logical id: 1 to 64
// characters from [A-Za-z0-9\-\.] (https://hl7.org/fhir/R4/datatypes.html#id).
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
