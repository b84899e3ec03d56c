package wire

import (
	"context"
	"net"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Authenticator checks a client's identity after its startup message and
// before the session opens. It runs the exchange of authentication
// messages (AuthenticationSASL, SASLInitialResponse...) through x; the
// server sends AuthenticationOk itself when Authenticate returns nil.
// An error is sent to the client as FATAL: a *sqlstate.Error keeps its
// code (28P01 for a wrong password), anything else becomes 28000.
type Authenticator interface {
	Authenticate(ctx context.Context, user, database string, x AuthExchange) error
}

// remoteAddrKey is the context key of the client's address.
type remoteAddrKey struct{}

// RemoteAddr returns the network address of the client whose connection
// ctx belongs to (as seen by Authenticate), or nil.
func RemoteAddr(ctx context.Context) net.Addr {
	a, _ := ctx.Value(remoteAddrKey{}).(net.Addr)
	return a
}

// AuthExchange is the message channel an Authenticator talks through.
type AuthExchange interface {
	// Send sends one message to the client and flushes it.
	Send(msg pgproto3.BackendMessage) error
	// Receive reads the client's next message. The message is valid until
	// the next call.
	Receive() (pgproto3.FrontendMessage, error)
	// SetAuthType tells the decoder which authentication message type a
	// 'p' message answers (pgproto3.AuthTypeSASL...).
	SetAuthType(authType uint32) error
}

// TrustAuthenticator accepts every user without a password, like
// Postgres's "trust" method.
type TrustAuthenticator struct{}

// Authenticate accepts the client.
func (TrustAuthenticator) Authenticate(context.Context, string, string, AuthExchange) error {
	return nil
}

// backendExchange is the AuthExchange of a connection.
type backendExchange struct{ be *pgproto3.Backend }

func (x backendExchange) Send(msg pgproto3.BackendMessage) error {
	x.be.Send(msg)
	return x.be.Flush()
}

func (x backendExchange) Receive() (pgproto3.FrontendMessage, error) { return x.be.Receive() }

func (x backendExchange) SetAuthType(t uint32) error { return x.be.SetAuthType(t) }
