package linkage

import (
	"fmt"
	"math"
)

// Outcome is the result of comparing one field of two records.
type Outcome uint8

// The outcomes of the field comparisons, by field (see the package
// documentation for their definitions).
const (
	FamilyExact Outcome = iota
	FamilyClose
	FamilyDiffer
	GivenExact
	GivenNickname
	GivenClose
	GivenDiffer
	BirthExact
	BirthOneDay
	BirthSwap
	BirthDiffer
	SexSame
	SexDiffer
	LineExact
	LineClose
	LineDiffer
	CitySame
	CityDiffer
	PostalSame
	PostalDiffer
	PhoneSame
	PhoneDiffer
	IdentifierSame
	IdentifierDiffer

	numOutcomes
)

// outcomeNames are the names of the outcomes, "field:level".
var outcomeNames = [numOutcomes]string{
	"family:exact", "family:close", "family:differ",
	"given:exact", "given:nickname", "given:close", "given:differ",
	"birth:exact", "birth:one-day", "birth:swap", "birth:differ",
	"sex:same", "sex:differ",
	"line:exact", "line:close", "line:differ",
	"city:same", "city:differ",
	"postal:same", "postal:differ",
	"phone:same", "phone:differ",
	"identifier:same", "identifier:differ",
}

// String returns the outcome's name, such as "given:nickname".
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Outcomes returns every outcome, in order.
func Outcomes() []Outcome {
	out := make([]Outcome, numOutcomes)
	for i := range out {
		out[i] = Outcome(i)
	}
	return out
}

// Prob holds the Fellegi–Sunter probabilities of one outcome: M when the
// two records are the same person, U when they are not. Both must be in
// (0, 1).
type Prob struct {
	M, U float64
}

// Weight returns log2(M/U), the outcome's contribution to a pair's score.
func (p Prob) Weight() float64 { return math.Log2(p.M / p.U) }

// DefaultModel returns the default m and u probabilities. The m values
// reflect how often a true duplicate from another source agrees (typing
// errors, nicknames, moves, new phone numbers); the u values how often two
// different people agree by chance in a population of many thousands of
// patients (one birth date in about 30,000 days, a common family name
// about 1%, a city a few percent). The resulting weights, in bits, are
// roughly: family name +6.5 exact, +2.6 close, −4.6 differ; given name
// +5.3 exact or nickname, +2.6 close, −4.0 differ; birth date +13.2
// exact, +6.6 one day off, +7.6 day and month swapped, −6.6 differ; sex
// +1 same, −4.6 differ; address line +9.2 exact, +5.6 close, −1.7
// differ; city +4.1 same, −2.7 differ; postal code +5.4 same, −2.7
// differ; phone +9.2 same, −1.3 differ; identifier +16.6 same, −6.6
// differ.
func DefaultModel() map[Outcome]Prob {
	return map[Outcome]Prob{
		FamilyExact: {0.90, 0.01}, FamilyClose: {0.06, 0.01}, FamilyDiffer: {0.04, 0.98},
		GivenExact: {0.80, 0.02}, GivenNickname: {0.08, 0.002}, GivenClose: {0.06, 0.01},
		GivenDiffer: {0.06, 0.968},
		BirthExact:  {0.92, 0.0001}, BirthOneDay: {0.03, 0.0003}, BirthSwap: {0.02, 0.0001},
		BirthDiffer: {0.01, 0.9996},
		SexSame:     {0.98, 0.5}, SexDiffer: {0.02, 0.5},
		LineExact: {0.6, 0.001}, LineClose: {0.1, 0.002}, LineDiffer: {0.3, 0.997},
		CitySame: {0.85, 0.05}, CityDiffer: {0.15, 0.95},
		PostalSame: {0.85, 0.02}, PostalDiffer: {0.15, 0.98},
		PhoneSame: {0.6, 0.001}, PhoneDiffer: {0.4, 0.999},
		IdentifierSame: {0.99, 0.00001}, IdentifierDiffer: {0.01, 0.99999},
	}
}

// weights is a model compiled to one weight per outcome.
type weights [numOutcomes]float64

// compile checks a model and returns its weights; outcomes the model
// does not name take the default.
func compile(model map[Outcome]Prob) (weights, error) {
	var w weights
	def := DefaultModel()
	for o := range numOutcomes {
		p, ok := model[o]
		if !ok {
			p = def[o]
		}
		if !(p.M > 0 && p.M < 1 && p.U > 0 && p.U < 1) {
			return w, fmt.Errorf("linkage: model %s: m and u must be in (0, 1), got m=%g u=%g", o, p.M, p.U)
		}
		w[o] = p.Weight()
	}
	for o := range model {
		if o >= numOutcomes {
			return w, fmt.Errorf("linkage: model: unknown %s", o)
		}
	}
	return w, nil
}
