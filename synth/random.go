package synth

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// rng is the seeded pseudo-random source of one patient (or of the shared
// pool). Every random choice goes through it, which is what makes the
// output reproducible.
type rng struct{ *rand.Rand }

// newRNG returns the generator for one stream of a seed. Patient i uses
// stream i+1 and the shared pool stream 0, so each patient's data depends
// only on (seed, i).
func newRNG(seed int64, stream uint64) *rng {
	return &rng{rand.New(rand.NewPCG(splitmix(uint64(seed)), splitmix(stream^0x9e3779b97f4a7c15)))}
}

// splitmix scrambles a 64-bit value (SplitMix64 finaliser) so that nearby
// seeds and streams give unrelated PCG states.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// uuid returns a random (version 4 shaped) UUID drawn from the stream.
func (r *rng) uuid() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], r.Uint64())
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

// between returns a uniform value in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// normal returns a normal sample clamped to [lo, hi].
func (r *rng) normal(mean, sd, lo, hi float64) float64 {
	return min(max(mean+sd*r.NormFloat64(), lo), hi)
}

// count returns a whole number whose expectation is mean (floor plus a
// Bernoulli remainder).
func (r *rng) count(mean float64) int {
	if mean <= 0 {
		return 0
	}
	n := int(mean)
	if r.chance(mean - float64(n)) {
		n++
	}
	return n
}

// timeBetween returns a uniform instant in [a, b), truncated to the
// second; it returns a when b is not after a.
func (r *rng) timeBetween(a, b time.Time) time.Time {
	d := b.Sub(a)
	if d <= time.Second {
		return a.Truncate(time.Second)
	}
	return a.Add(time.Duration(r.Int64N(int64(d/time.Second))) * time.Second).Truncate(time.Second)
}

// pick returns a uniformly chosen element of xs, which must not be empty.
func pick[T any](r *rng, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns an index of weights chosen with probability
// proportional to its weight.
func (r *rng) weighted(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
