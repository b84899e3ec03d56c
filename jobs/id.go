package jobs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"time"
)

// ErrNotFound is returned for a job that does not exist.
var ErrNotFound = errors.New("jobs: no such job")

// idRE matches the ids newID makes.
var idRE = regexp.MustCompile(`^[0-9]{8}t[0-9]{6}-[0-9a-f]{8}$`)

// ValidID reports whether id has the form of a job id, such as
// "20261128t204312-1f2e3d4c". Ids are safe as folder names and sort by
// creation time.
func ValidID(id string) bool { return idRE.MatchString(id) }

// newID returns a new job id: the UTC time to the second and 32 random
// bits.
func newID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return now.UTC().Format("20060102t150405") + "-" + hex.EncodeToString(b[:])
}
