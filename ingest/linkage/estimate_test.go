package linkage

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEstimateU(t *testing.T) {
	ctx := context.Background()
	patients, truth := generated(t, 500, 0.1, 3)
	est, err := EstimateU(ctx, patients, nil, 20000, 1)
	require.NoError(t, err)
	again, err := EstimateU(ctx, patients, nil, 20000, 1)
	require.NoError(t, err)
	require.Equal(t, est, again, "reproducible")
	def := DefaultModel()
	for _, outcomes := range fieldOutcomes {
		sum := 0.0
		for _, o := range outcomes {
			sum += est[o].U
			require.Equal(t, def[o].M, est[o].M, "m is kept")
		}
		require.InDelta(t, 1, sum, 1e-9, "u of a field sums to 1")
	}
	// The generator draws from 32 cities and about 56 family names.
	require.InDelta(t, 1.0/32, est[CitySame].U, 0.02)
	require.InDelta(t, 0.025, est[FamilyExact].U, 0.02)
	require.Less(t, est[BirthExact].U, 0.001)

	cfg := DefaultConfig()
	cfg.Model = est
	matches, err := Find(ctx, patients, cfg)
	require.NoError(t, err)
	tp := 0
	for _, m := range matches {
		if m.Decision == Link {
			require.True(t, truth[pairKey(m.A, m.B)], "no false link with estimated u")
			tp++
		}
	}
	require.GreaterOrEqual(t, float64(tp)/float64(len(truth)), 0.95)

	_, err = EstimateU(ctx, patients[:1], nil, 10, 1)
	require.NoError(t, err, "too few patients: the model as given")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = EstimateU(cancelled, patients, nil, 10, 1)
	require.ErrorIs(t, err, context.Canceled)
}
