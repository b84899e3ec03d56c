package synth

import "time"

// patientGen generates one patient: it plans the history (conditions,
// visits, prescriptions) and then writes the resources visit by visit.
// It is discarded after the patient, so memory stays bounded.
type patientGen struct {
	r      *rng
	pool   *pool
	bundle bool // write intra-patient references as urn:uuid:<id>
	out    emitter

	p         person
	last      time.Time // latest instant an event may start
	chronic   []*condRecord
	acute     []*condRecord
	meds      []*medRecord
	allergies []allergyDef
	visits    []*visit

	given map[string]bool // once-in-a-lifetime vaccines already given
}

// newPatientGen draws patient index of a run.
func newPatientGen(opts Options, pl *pool, index int, out emitter) *patientGen {
	r := newRNG(opts.Seed, uint64(index)+1)
	g := &patientGen{r: r, pool: pl, bundle: opts.Format == FormatBundle, out: out, given: map[string]bool{}}
	g.p = newPerson(r, pl, index)
	g.last = g.p.end.Add(-24 * time.Hour)
	return g
}

// plan draws everything that will happen to the patient.
func (g *patientGen) plan() {
	g.planConditions()
	g.planVisits()
	g.orderVisits()
	if len(g.visits) > 0 && g.r.chance(0.2) {
		g.allergies = append(g.allergies, allergies[g.r.weighted(allergyWeights)])
		if g.r.chance(0.25) {
			if a := allergies[g.r.weighted(allergyWeights)]; a.name != g.allergies[0].name {
				g.allergies = append(g.allergies, a)
			}
		}
	}
}

// emit writes the Patient and then each visit with what happened in it.
func (g *patientGen) emit() error {
	if err := g.out.put("Patient", g.p.id, g.patientResource()); err != nil {
		return err
	}
	for i, v := range g.visits {
		if err := g.emitVisit(v, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// ref returns a reference to a resource of this patient's own bundle:
// urn:uuid:<id> in bundle format, <Type>/<id> otherwise.
func (g *patientGen) ref(typ, id string) reference {
	if g.bundle {
		return reference{Reference: "urn:uuid:" + id}
	}
	return reference{Reference: typ + "/" + id}
}

func (g *patientGen) subject() reference { return g.ref("Patient", g.p.id) }

// allergyWeights are the weights of allergies, in order.
var allergyWeights = func() []float64 {
	w := make([]float64, len(allergies))
	for i, a := range allergies {
		w[i] = a.weight
	}
	return w
}()
