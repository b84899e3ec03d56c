package wire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/auth"
	"github.com/fhirlake/fhirlake/internal/selfsigned"
)

func testTLS(t *testing.T) *tls.Config {
	t.Helper()
	certPEM, keyPEM, err := selfsigned.Generate(nil, time.Now())
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

func scramFor(users map[string]string) SCRAMAuthenticator {
	verifiers := map[string]auth.Verifier{}
	for u, pw := range users {
		v, err := auth.NewVerifier(pw)
		if err != nil {
			panic(err)
		}
		verifiers[u] = v
	}
	return SCRAMAuthenticator{Lookup: func(_ context.Context, user string) (auth.Verifier, bool, error) {
		v, ok := verifiers[user]
		return v, ok, nil
	}}
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return fmt.Sprintf("%v", err)
}

func TestTLSAndSCRAM(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, addr := startServerWith(t, newTestEngine(), Options{
		TLS: testTLS(t), RequireTLS: true, Authenticator: scramFor(map[string]string{"alice": "pw"}),
	})
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://alice:pw@%s/db?sslmode=require", addr))
	require.NoError(t, err)
	_, ok := conn.PgConn().Conn().(*tls.Conn)
	require.True(t, ok, "the connection is encrypted")
	var one int
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&one))
	require.NoError(t, conn.Close(ctx))

	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://alice:bad@%s/db?sslmode=require", addr))
	require.Equal(t, "28P01", pgCode(err))
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://bob:pw@%s/db?sslmode=require", addr))
	require.Equal(t, "28P01", pgCode(err))
	_, err = pgx.Connect(ctx, fmt.Sprintf("postgres://alice:pw@%s/db?sslmode=disable", addr))
	require.Equal(t, "28000", pgCode(err), "TLS is required")
}

func TestSSLRequestDeclinedWithoutCertificate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, addr := startServerWith(t, newTestEngine(), Options{})
	_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://alice@%s/db?sslmode=require", addr))
	require.ErrorContains(t, err, "refused TLS")
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://alice@%s/db?sslmode=prefer", addr))
	require.NoError(t, err, "prefer falls back to plain")
	require.NoError(t, conn.Close(ctx))
}

// TestSCRAMWrongMechanism scripts a client that answers the SASL offer
// with a mechanism the server did not offer.
func TestSCRAMWrongMechanism(t *testing.T) {
	_, addr := startServerWith(t, newTestEngine(), Options{Authenticator: scramFor(map[string]string{"alice": "pw"})})
	c := dial(t, addr)
	c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "alice", "database": "db"}})
	require.NoError(t, c.fe.Flush())
	msg, err := c.fe.Receive()
	require.NoError(t, err)
	sasl, ok := msg.(*pgproto3.AuthenticationSASL)
	require.True(t, ok, "%T", msg)
	require.Equal(t, []string{"SCRAM-SHA-256"}, sasl.AuthMechanisms)
	c.fe.Send(&pgproto3.SASLInitialResponse{AuthMechanism: "PLAIN", Data: []byte("\x00alice\x00pw")})
	require.NoError(t, c.fe.Flush())
	msg, err = c.fe.Receive()
	require.NoError(t, err)
	er, ok := msg.(*pgproto3.ErrorResponse)
	require.True(t, ok, "%T", msg)
	require.Equal(t, "28000", er.Code)
	require.Equal(t, "FATAL", er.Severity)
}
