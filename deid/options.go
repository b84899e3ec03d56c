package deid

import (
	"errors"
	"fmt"
	"time"
)

// Options configure a [Deidentifier].
type Options struct {
	// Key is the secret of the keyed pseudonyms (HMAC-SHA-256) and of the
	// date offsets. It must be at least 16 bytes; keep one key per data
	// store so pseudonyms join within the store and nowhere else. Anyone
	// holding the key can test a guessed identifier against a pseudonym,
	// so treat it like a password.
	Key []byte
	// Now is the reference date for ages (ages over 89 are aggregated as of
	// this instant). The zero value means time.Now() at New.
	Now time.Time
	// ShiftDates, instead of keeping only the year of every date, shifts
	// every date by a per-patient offset derived from Key and the
	// patient's id, keeping intervals within a patient exact. Shifted
	// dates are not Safe Harbor: use them only under an expert
	// determination or a data use agreement.
	ShiftDates bool
	// MaxShiftDays bounds the offset of ShiftDates: offsets are drawn
	// from [-MaxShiftDays, +MaxShiftDays] excluding 0. Zero means 365.
	MaxShiftDays int
	// RedactText keeps free text (narrative, notes, comments, text/*
	// attachments) but runs it through the redactor, which removes names,
	// dates, long numbers, phone numbers, e-mail and web addresses, IP
	// addresses and street addresses. The default removes free text.
	// Redaction is best effort: text that names someone in an unusual way
	// may escape it.
	RedactText bool
}

// ErrInvalidOptions is wrapped by the error [New] returns for bad Options.
var ErrInvalidOptions = errors.New("deid: invalid options")

// minKeyLen is the shortest accepted key.
const minKeyLen = 16

func (o Options) normalize() (Options, error) {
	if len(o.Key) < minKeyLen {
		return o, fmt.Errorf("%w: key must be at least %d bytes, got %d", ErrInvalidOptions, minKeyLen, len(o.Key))
	}
	if o.MaxShiftDays < 0 {
		return o, fmt.Errorf("%w: MaxShiftDays must be >= 0, got %d", ErrInvalidOptions, o.MaxShiftDays)
	}
	if o.MaxShiftDays == 0 {
		o.MaxShiftDays = 365
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	o.Key = append([]byte(nil), o.Key...)
	return o, nil
}
