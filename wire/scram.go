package wire

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/fhirlake/fhirlake/auth"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// SCRAMAuthenticator asks every client for a password through
// SCRAM-SHA-256, as PostgreSQL's scram-sha-256 method does, and checks it
// against the user's verifier.
type SCRAMAuthenticator struct {
	// Lookup returns the verifier of a user, and false when there is no
	// such user (the exchange then fails exactly like a wrong password).
	Lookup func(ctx context.Context, user string) (auth.Verifier, bool, error)
}

// Authenticate runs the SASL exchange.
func (a SCRAMAuthenticator) Authenticate(ctx context.Context, user, _ string, x AuthExchange) error {
	v, known, err := a.Lookup(ctx, user)
	if err != nil {
		return fmt.Errorf("wire: look up user %q: %w", user, err)
	}
	ex, err := auth.NewExchange(v, known)
	if err != nil {
		return err
	}
	failed := &sqlstate.Error{Code: sqlstate.InvalidPassword, Message: fmt.Sprintf("password authentication failed for user %q", user)}
	if err := x.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{auth.Mechanism}}); err != nil {
		return err
	}
	if err := x.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return err
	}
	msg, err := x.Receive()
	if err != nil {
		return err
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return protocolErrorf("expected SASLInitialResponse, got %T", msg)
	}
	if first.AuthMechanism != auth.Mechanism {
		return &sqlstate.Error{Code: sqlstate.InvalidAuthorization,
			Message: fmt.Sprintf("client selected an invalid SASL authentication mechanism %q; the server offers %s", first.AuthMechanism, auth.Mechanism)}
	}
	serverFirst, err := ex.Step(string(first.Data))
	if err != nil {
		return &sqlstate.Error{Code: sqlstate.ProtocolViolation, Message: "malformed SCRAM message", Detail: err.Error()}
	}
	if err := x.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)}); err != nil {
		return err
	}
	if err := x.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return err
	}
	if msg, err = x.Receive(); err != nil {
		return err
	}
	final, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return protocolErrorf("expected SASLResponse, got %T", msg)
	}
	serverFinal, err := ex.Step(string(final.Data))
	if errors.Is(err, auth.ErrBadPassword) {
		return failed
	}
	if err != nil {
		return &sqlstate.Error{Code: sqlstate.ProtocolViolation, Message: "malformed SCRAM message", Detail: err.Error()}
	}
	return x.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
}

func protocolErrorf(format string, args ...any) error {
	return &sqlstate.Error{Code: sqlstate.ProtocolViolation, Message: fmt.Sprintf(format, args...)}
}
