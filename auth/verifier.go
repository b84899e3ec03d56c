package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"
)

// Iterations is the PBKDF2 iteration count of new verifiers, as
// PostgreSQL's default scram_iterations.
const Iterations = 4096

// Verifier is a SCRAM-SHA-256 password verifier.
type Verifier struct {
	Iterations int
	Salt       []byte
	StoredKey  []byte
	ServerKey  []byte
}

// NewVerifier derives a verifier from a password with a random salt. The
// password is normalized with SASLprep when it can be, and used as it is
// otherwise, as PostgreSQL does.
func NewVerifier(password string) (Verifier, error) {
	if password == "" {
		return Verifier{}, errors.New("auth: empty password")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Verifier{}, fmt.Errorf("auth: salt: %w", err)
	}
	return deriveVerifier(password, salt, Iterations)
}

func deriveVerifier(password string, salt []byte, iters int) (Verifier, error) {
	c, err := scram.SHA256.NewClient("", password, "")
	if err != nil {
		if c, err = scram.SHA256.NewClientUnprepped("", password, ""); err != nil {
			return Verifier{}, fmt.Errorf("auth: %w", err)
		}
	}
	creds, err := c.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iters})
	if err != nil {
		return Verifier{}, fmt.Errorf("auth: derive verifier: %w", err)
	}
	return Verifier{Iterations: iters, Salt: salt, StoredKey: creds.StoredKey, ServerKey: creds.ServerKey}, nil
}

// String returns the verifier in PostgreSQL's pg_authid.rolpassword form:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64.
func (v Verifier) String() string {
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", v.Iterations, b64(v.Salt), b64(v.StoredKey), b64(v.ServerKey))
}

// ParseVerifier parses the form String returns.
func ParseVerifier(s string) (Verifier, error) {
	bad := func(why string) (Verifier, error) {
		return Verifier{}, fmt.Errorf("auth: invalid SCRAM-SHA-256 verifier: %s", why)
	}
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return bad("it does not start with SCRAM-SHA-256$")
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return bad("no keys")
	}
	iterText, saltText, ok1 := strings.Cut(params, ":")
	storedText, serverText, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return bad("malformed")
	}
	iters, err := strconv.Atoi(iterText)
	if err != nil || iters < 1 {
		return bad("iteration count " + strconv.Quote(iterText))
	}
	var v Verifier
	v.Iterations = iters
	for _, f := range []struct {
		text string
		into *[]byte
		size int
	}{{saltText, &v.Salt, 0}, {storedText, &v.StoredKey, sha256.Size}, {serverText, &v.ServerKey, sha256.Size}} {
		b, err := base64.StdEncoding.DecodeString(f.text)
		if err != nil || len(b) == 0 || (f.size > 0 && len(b) != f.size) {
			return bad("bad base64 or key length")
		}
		*f.into = b
	}
	return v, nil
}

// credentials returns the verifier in the form the SCRAM library wants.
func (v Verifier) credentials() scram.StoredCredentials {
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: string(v.Salt), Iters: v.Iterations},
		StoredKey:  v.StoredKey,
		ServerKey:  v.ServerKey,
	}
}

// Matches reports whether password is the one v was derived from, for
// protocols that carry the password itself (HTTP Basic over TLS). It
// costs one key derivation (v.Iterations rounds of PBKDF2); the
// comparison is constant-time.
func (v Verifier) Matches(password string) bool {
	w, err := deriveVerifier(password, v.Salt, v.Iterations)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(w.StoredKey, v.StoredKey) == 1
}
