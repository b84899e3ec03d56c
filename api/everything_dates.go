package api

import (
	"fmt"
	"net/url"

	"github.com/fhirlake/fhirlake/search"
)

// careDateFallbacks are, in order of preference, the date parameters that
// stand for a resource's care date when its type has no "date" parameter
// (Condition onset-date, Claim created, Specimen collected, ...). Birth
// and death dates are not care dates: Patient, Person and RelatedPerson
// have none.
var careDateFallbacks = []string{
	"onset-date", "authoredon", "authored-on", "authored", "created", "occurrence", "period", "started",
	"effective-time", "effective", "whenhandedover", "datetime", "collected", "sent", "identified",
	"recorded", "start-date", "datewritten",
}

// careDateOverrides are the types whose "date" parameter is not their
// care date: MedicationRequest's date is its dosage timing.
var careDateOverrides = map[string]string{"MedicationRequest": "authoredon"}

// careDateParam returns the search parameter of typ that $everything's
// start and end apply to: the override of careDateOverrides, else "date"
// when typ has it, else the first of careDateFallbacks it has, else ""
// (the type has no care date).
func careDateParam(typ string) string {
	if c, ok := careDateOverrides[typ]; ok {
		return c
	}
	for _, c := range append([]string{"date"}, careDateFallbacks...) {
		if p, ok := search.Lookup(typ, c); ok && p.Type == search.Date {
			return c
		}
	}
	return ""
}

// careDateCriteria returns the criteria of start and end ($everything's
// care dates) on the date parameter code: the resource's date range must
// overlap [start, end] at their precision (start=2020 takes all of 2020
// onwards). An empty start or end leaves that side open. Either value
// that is not a FHIR date is an error naming it.
func careDateCriteria(code, start, end string) (url.Values, error) {
	v := url.Values{}
	for _, d := range []struct{ name, val, prefix string }{{"start", start, "ge"}, {"end", end, "le"}} {
		if d.val == "" {
			continue
		}
		if _, _, ok := search.DateRange(d.val); !ok {
			return nil, fmt.Errorf("api: $everything %s %q is not a FHIR date", d.name, d.val)
		}
		if code != "" {
			v.Add(code, d.prefix+d.val)
		}
	}
	return v, nil
}
