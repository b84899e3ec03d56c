package linkage

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
)

// fieldOutcomes lists the outcomes of each comparator, in the order of
// comparators.
var fieldOutcomes = [][]Outcome{
	{FamilyExact, FamilyClose, FamilyDiffer},
	{GivenExact, GivenNickname, GivenClose, GivenDiffer},
	{BirthExact, BirthOneDay, BirthSwap, BirthDiffer},
	{SexSame, SexDiffer},
	{LineExact, LineClose, LineDiffer},
	{CitySame, CityDiffer},
	{PostalSame, PostalDiffer},
	{PhoneSame, PhoneDiffer},
	{IdentifierSame, IdentifierDiffer},
}

// EstimateU returns a copy of model (nil: DefaultModel) whose u
// probabilities are measured on the data: the frequency of each outcome
// among pairs random pairs of distinct patients, which are almost all
// non-matches. Counts are smoothed (one is added to every outcome of a
// field) so that no u is 0 or 1; a field no sampled pair could compare
// keeps its u. The sample is drawn from seed, so the result is
// reproducible. m probabilities are kept: they cannot be measured without
// known matches.
func EstimateU(ctx context.Context, patients []Patient, model map[Outcome]Prob, pairs int, seed uint64) (map[Outcome]Prob, error) {
	if model == nil {
		model = DefaultModel()
	}
	out := maps.Clone(model)
	if len(patients) < 2 || pairs <= 0 {
		return out, nil
	}
	recs := make([]record, len(patients))
	for i, p := range patients {
		recs[i] = prepare(p)
	}
	var counts [numOutcomes]int
	r := rand.New(rand.NewPCG(seed, 0x6c696e6b))
	for n := range pairs {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("linkage: estimate u: %w", ctx.Err())
		}
		i := r.IntN(len(recs))
		j := r.IntN(len(recs) - 1)
		if j >= i {
			j++
		}
		for _, cmp := range comparators {
			if o, ok := cmp(&recs[i], &recs[j]); ok {
				counts[o]++
			}
		}
	}
	for _, outcomes := range fieldOutcomes {
		total := 0
		for _, o := range outcomes {
			total += counts[o]
		}
		if total == 0 {
			continue
		}
		for _, o := range outcomes {
			p, ok := out[o]
			if !ok {
				p = DefaultModel()[o]
			}
			p.U = float64(counts[o]+1) / float64(total+len(outcomes))
			out[o] = p
		}
	}
	return out, nil
}
