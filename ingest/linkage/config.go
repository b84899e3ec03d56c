package linkage

import "fmt"

// Default thresholds and block size of [DefaultConfig].
const (
	// DefaultUpper is the score from which a pair is linked: about the
	// score of a pair agreeing on name and birth date and little else.
	DefaultUpper = 20
	// DefaultLower is the score from which a pair is reported as possible.
	DefaultLower = 12
	// DefaultMaxBlock is the largest block compared.
	DefaultMaxBlock = 1000
)

// Config configures [Find].
type Config struct {
	// Upper is the score (in bits, see the package documentation) from
	// which a pair is a link. Lower is the score from which a pair below
	// Upper is reported as a possible match; Lower ≤ Upper.
	Upper, Lower float64
	// Model holds the m and u probabilities by outcome; outcomes it does
	// not name take those of [DefaultModel]. Nil means the default model.
	Model map[Outcome]Prob
	// MaxBlock is the largest number of records in one block that are
	// compared pairwise; larger blocks (a placeholder identifier value
	// shared by thousands of records) are skipped. 0 means DefaultMaxBlock.
	MaxBlock int
}

// DefaultConfig returns the default thresholds and model.
func DefaultConfig() Config {
	return Config{Upper: DefaultUpper, Lower: DefaultLower, Model: DefaultModel(), MaxBlock: DefaultMaxBlock}
}

// check validates cfg and compiles its model.
func (c Config) check() (weights, error) {
	if c.Lower > c.Upper {
		return weights{}, fmt.Errorf("linkage: lower threshold %g is above upper threshold %g", c.Lower, c.Upper)
	}
	if c.MaxBlock < 0 {
		return weights{}, fmt.Errorf("linkage: max block %d is negative", c.MaxBlock)
	}
	return compile(c.Model)
}
