package normalize

import "strings"

// ucumUnits maps common clinical UCUM codes to the spellings EHR exports
// use for them instead. A spelling matches ignoring case and surrounding
// whitespace; the UCUM code itself matches only exactly, since UCUM is
// case sensitive (A is ampere, a is year). Spellings that are themselves a
// different valid UCUM code (l for liter, C for coulomb, m for meter) are
// deliberately absent. Codes follow the UCUM specification,
// https://ucum.org/ucum, and the "common UCUM units" value set of FHIR R4,
// https://hl7.org/fhir/R4/valueset-ucum-common.html.
var ucumUnits = []struct {
	code      string
	spellings []string
}{
	{"mg/dL", []string{"mg/dl", "mg per dl"}},
	{"g/dL", []string{"g/dl", "gm/dl"}},
	{"g/L", []string{"g/l", "gm/l"}},
	{"mg/L", []string{"mg/l"}},
	{"ng/mL", []string{"ng/ml"}},
	{"ng/dL", []string{"ng/dl"}},
	{"pg/mL", []string{"pg/ml"}},
	{"ug/mL", []string{"µg/ml", "μg/ml", "mcg/ml", "ug/ml"}},
	{"ug/dL", []string{"µg/dl", "μg/dl", "mcg/dl", "ug/dl"}},
	{"mmol/L", []string{"mmol/l"}},
	{"umol/L", []string{"µmol/l", "μmol/l", "umol/l", "micromol/l"}},
	{"mEq/L", []string{"meq/l"}},
	{"U/L", []string{"u/l", "units/l"}},
	{"[iU]/L", []string{"iu/l"}},
	{"m[iU]/mL", []string{"miu/ml"}},
	{"10*3/uL", []string{"10^3/ul", "10*3/ul", "x10^3/ul", "10^3/µl", "10^3/μl", "k/ul", "thou/ul"}},
	{"10*6/uL", []string{"10^6/ul", "10*6/ul", "x10^6/ul", "10^6/µl", "10^6/μl", "m/ul", "mill/ul"}},
	{"10*9/L", []string{"10^9/l", "10*9/l", "x10^9/l"}},
	{"10*12/L", []string{"10^12/l", "10*12/l", "x10^12/l"}},
	{"fL", []string{"fl", "femtoliter"}},
	{"mL", []string{"ml", "milliliter", "millilitre", "cc"}},
	{"L", []string{"liter", "litre", "liters", "litres"}},
	{"mL/min", []string{"ml/min"}},
	{"L/min", []string{"l/min", "lpm"}},
	{"mg", []string{"mg", "milligram", "milligrams", "mgs"}},
	{"g", []string{"g", "gm", "gram", "grams"}},
	{"kg", []string{"kg", "kgs", "kilogram", "kilograms"}},
	{"ug", []string{"mcg", "µg", "μg", "microgram", "micrograms"}},
	{"[lb_av]", []string{"lb", "lbs", "pound", "pounds"}},
	{"[oz_av]", []string{"oz", "ounce", "ounces"}},
	{"cm", []string{"cm", "centimeter", "centimeters", "centimetre"}},
	{"mm", []string{"mm", "millimeter", "millimeters", "millimetre"}},
	{"[in_i]", []string{"in", "inch", "inches"}},
	{"[ft_i]", []string{"ft", "foot", "feet"}},
	{"kg/m2", []string{"kg/m^2", "kg/m²", "kg/m2"}},
	{"m2", []string{"m^2", "m²", "sq m"}},
	{"mm[Hg]", []string{"mmhg", "mm hg", "mm/hg"}},
	{"cm[H2O]", []string{"cmh2o", "cm h2o"}},
	{"Cel", []string{"°c", "ºc", "degc", "deg c", "celsius", "cel"}},
	{"[degF]", []string{"°f", "ºf", "degf", "deg f", "fahrenheit"}},
	{"/min", []string{"bpm", "beats/min", "beats per minute", "breaths/min", "breaths per minute", "per min", "/min"}},
	{"%", []string{"percent", "pct"}},
	{"mm/h", []string{"mm/hr"}},
	{"s", []string{"sec", "secs", "second", "seconds"}},
	{"min", []string{"min", "mins", "minute", "minutes"}},
	{"h", []string{"hr", "hrs", "hour", "hours"}},
	{"d", []string{"day", "days"}},
	{"wk", []string{"wk", "wks", "week", "weeks"}},
	{"mo", []string{"mo", "mos", "month", "months"}},
	{"a", []string{"yr", "yrs", "year", "years"}},
}

// ucumCodes holds the codes exactly; ucumSpellings the lower-cased
// spellings.
var ucumCodes, ucumSpellings = func() (map[string]string, map[string]string) {
	codes, spell := map[string]string{}, map[string]string{}
	for _, u := range ucumUnits {
		codes[u.code] = u.code
		for _, s := range u.spellings {
			spell[strings.ToLower(s)] = u.code
		}
	}
	return codes, spell
}()

// ucumCode returns the UCUM code for a unit code or text, or "" when the
// table does not know it.
func ucumCode(s string) string {
	if c, ok := ucumCodes[s]; ok {
		return c
	}
	return ucumSpellings[strings.ToLower(collapseSpace(s))]
}
