// Package linkage finds patient records that likely describe the same
// person across sources (record linkage) and links them with Patient.link,
// never merging them.
//
// # Model
//
// The scoring model is the one of Fellegi and Sunter ("A Theory for Record
// Linkage", JASA 64, 1969). Each candidate pair of records is compared
// field by field, and every comparison has one [Outcome] (for example
// family name "exact", "close" or "differ"). For each outcome o the model
// holds two probabilities ([Prob]):
//
//   - m(o), the probability of o when the two records are the same person;
//   - u(o), the probability of o when they are two different people.
//
// The weight of an outcome is log2(m/u): positive when the outcome is more
// likely for a true match, negative otherwise. A comparison that cannot be
// made because a value is missing on either side weighs 0. The score of a
// pair is the sum of the weights of its outcomes, assuming (as the model
// does) that fields agree independently given the match status. A pair
// scoring at least [Config.Upper] is a link, one scoring at least
// [Config.Lower] but below Upper is a "possible" match (reported for a
// person to review, not linked), and lower scores are dropped.
//
// One rule overrides the score (the twins rule): a pair whose first given
// names disagree (not equal, nicknames or close) is at most possible.
// Twins and other members of one household share family name, birth date
// (for twins), address and phone, fields the model takes as independent
// evidence, so they can score far above the upper threshold; a true
// duplicate rarely changes its given name beyond a nickname or a typing
// error, so such pairs are left for review.
//
// The fields and their outcomes are:
//
//   - family name: exact (after case, accent and punctuation folding),
//     close (Jaro–Winkler similarity ≥ 0.90, or one typing error in a
//     name of three letters or more), differ;
//   - given name: exact (first given names equal), nickname (a known
//     diminutive, William/Bill), close (as for family names, an initial,
//     or one first given name equals the other's second), differ;
//   - birth date: exact, one day apart, day and month swapped, differ;
//   - sex: same or differ ("unknown" and "other" count as missing);
//   - address line: exact (after folding and street-suffix
//     abbreviation), close (Jaro–Winkler ≥ 0.90), differ; city: same or
//     differ; postal code (first five characters): same or differ;
//   - phone: some phone number (digits only, last ten) in common, or differ;
//   - identifier: the records share an identifier system and some value
//     of it is equal (strong agreement), or they share a system and no
//     value is equal (strong disagreement: the same registry knows them as
//     two people). Systems only one record has are not compared.
//
// [DefaultModel] documents the default m and u of every outcome. They are
// rounded judgement figures (how often a duplicate keeps a value, how
// often strangers share one), not fitted to any data set; [EstimateU]
// re-estimates u from random pairs of the data at hand. The default
// thresholds are [DefaultUpper] and [DefaultLower].
//
// # Measured
//
// On data from the generator (synth, Options.Duplicates = 0.1: a tenth of
// the patients get a second record from another hospital with typing
// errors, nicknames, changed family names, shifted birth dates, moves and
// new phone numbers), the default configuration measured precision 1.000
// and recall 0.995 on 2,000 patients (seed 42) and precision 0.999,
// recall 0.996 on 20,000 (seeds 42 and 7; 2 false links each, and 3 and
// 2 true pairs scoring below the lower threshold). On 2,000 the one true
// pair not linked was reported as possible. The evaluation test keeps
// floors just below.
//
// # Blocking
//
// Comparing every pair is quadratic, so pairs are drawn only from blocks
// of records sharing a key: birth year with the Soundex code of the family
// name, the full birth date, and each identifier system|value. A pair is
// compared once, in the first block (by key order) the two records share,
// so the work is about linear in the number of records when blocks stay
// small; blocks larger than [Config.MaxBlock] (placeholder values shared by
// many records) are skipped.
//
// # Use
//
// [FromFHIR] reads a Patient resource, [Find] scores the candidate pairs
// of a set of patients, and [Apply] adds the Patient.link entries of the
// links to one Patient's JSON (type "seealso", with the score in the
// extension [ScoreExtension]), idempotently.
package linkage
