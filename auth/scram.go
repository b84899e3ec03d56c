package auth

import (
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/xdg-go/scram"
)

// Mechanism is the SASL mechanism name of SCRAM-SHA-256.
const Mechanism = "SCRAM-SHA-256"

// ErrBadPassword reports a SCRAM exchange whose client proof was wrong, or
// whose user does not exist (the two are indistinguishable to the client).
var ErrBadPassword = errors.New("auth: password authentication failed")

// Exchange is the server side of one SCRAM-SHA-256 authentication: Step
// takes the client-first message and returns the server-first, then takes
// the client-final message and returns the server-final.
type Exchange struct {
	conv  *scram.ServerConversation
	fake  bool
	steps int
}

// NewExchange starts an exchange for a user whose verifier is v. The user
// name inside the client's messages is ignored (PostgreSQL clients send
// an empty one; the user was named at startup). When known is false the
// user does not exist: the exchange runs with a random verifier and
// fails at the end exactly like a wrong password, so that a client
// cannot tell which user names exist.
func NewExchange(v Verifier, known bool) (*Exchange, error) {
	if !known {
		var pw [24]byte
		if _, err := rand.Read(pw[:]); err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
		var err error
		if v, err = deriveVerifier(fmt.Sprintf("%x", pw), pw[:16], Iterations); err != nil {
			return nil, err
		}
	}
	creds := v.credentials()
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return &Exchange{conv: srv.NewConversation(), fake: !known}, nil
}

// Step advances the exchange with the client's next message. An error
// at the client-final message wraps ErrBadPassword; an error at the
// client-first message means a malformed message.
func (x *Exchange) Step(clientMessage string) (string, error) {
	x.steps++
	resp, err := x.conv.Step(clientMessage)
	switch x.steps {
	case 1:
		if err != nil {
			return "", fmt.Errorf("auth: SCRAM client-first message: %w", err)
		}
		return resp, nil
	case 2:
		if err != nil || x.fake || !x.conv.Valid() {
			return "", ErrBadPassword
		}
		return resp, nil
	}
	return "", errors.New("auth: SCRAM exchange already finished")
}
