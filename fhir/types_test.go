package fhir

import "testing"

func TestIsResourceType(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Patient", true}, {"Observation", true}, {"VisionPrescription", true},
		{"patient", false}, {"Resource", false}, {"DomainResource", false}, {"", false}, {"Foo", false},
	}
	for _, tc := range tests {
		if got := IsResourceType(tc.name); got != tc.want {
			t.Errorf("IsResourceType(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if n := len(ResourceTypes()); n != 146 {
		t.Errorf("R4 has 146 resource types, list has %d", n)
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"abc", true}, {"a-b.c", true}, {"1", true}, {"", false}, {"a b", false}, {"a/b", false},
		{"0123456789012345678901234567890123456789012345678901234567890123", true},
		{"01234567890123456789012345678901234567890123456789012345678901234", false},
	}
	for _, tc := range tests {
		if got := ValidID(tc.id); got != tc.want {
			t.Errorf("ValidID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
