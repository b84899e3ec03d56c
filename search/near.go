package search

import (
	"fmt"
	"math"
	"strconv"
)

// Near is a value of Location's special parameter near
// (https://hl7.org/fhir/R4/location.html#positional):
// latitude|longitude|distance|units.
type Near struct {
	Latitude, Longitude float64
	// Km is the distance in kilometres.
	Km float64
}

// defaultNearKm is the distance of a near value that gives none, which
// the specification leaves to the server.
const defaultNearKm = 10

// nearUnits are the UCUM distance units near accepts, in kilometres.
var nearUnits = map[string]float64{
	"km": 1, "m": 0.001, "[mi_i]": 1.609344, "[mi_us]": 1.609347, "mi": 1.609344,
}

// parseNear parses latitude|longitude[|distance[|units]].
func parseNear(v Value, s string) (Value, error) {
	var parts []string
	rest := s
	for {
		part, more, ok := cutUnescapedRaw(rest, '|')
		parts = append(parts, part)
		if !ok {
			break
		}
		rest = more
	}
	if len(parts) < 2 || len(parts) > 4 {
		return v, fmt.Errorf("%q is not latitude|longitude|distance|units", s)
	}
	num := func(what, x string, lo, hi float64) (float64, error) {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsNaN(f) || f < lo || f > hi {
			return 0, fmt.Errorf("%q: the %s must be a number from %g to %g", s, what, lo, hi)
		}
		return f, nil
	}
	n := &Near{Km: defaultNearKm}
	var err error
	if n.Latitude, err = num("latitude", parts[0], -90, 90); err != nil {
		return v, err
	}
	if n.Longitude, err = num("longitude", parts[1], -180, 180); err != nil {
		return v, err
	}
	if len(parts) > 2 && parts[2] != "" {
		if n.Km, err = num("distance", parts[2], 0, 40075); err != nil {
			return v, err
		}
		unit := "km"
		if len(parts) > 3 && parts[3] != "" {
			unit = unescape(parts[3])
		}
		k, ok := nearUnits[unit]
		if !ok {
			return v, fmt.Errorf("%q: unknown distance unit %q (km, m, [mi_i])", s, unit)
		}
		n.Km *= k
	}
	v.Near = n
	return v, nil
}

// earthKm is the mean radius of the Earth.
const earthKm = 6371.0088

// near is the condition of a near value on an index row: the great-circle
// (haversine) distance from the row's position (n, c_n) is within range.
func (b *planBuilder) near(v *Near) string {
	lat, lon := b.arg(v.Latitude), b.arg(v.Longitude)
	return fmt.Sprintf("n IS NOT NULL AND 2 * %g * asin(least(1, sqrt(pow(sin(radians(n - %s) / 2), 2) + cos(radians(%s)) * cos(radians(n)) * pow(sin(radians(c_n - %s) / 2), 2)))) <= %s",
		earthKm, lat, lat, lon, b.arg(v.Km))
}
