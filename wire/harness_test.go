package wire

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// testTimeout bounds every network wait of a test, so a bug fails the
// test instead of hanging it.
const testTimeout = 10 * time.Second

// startServer serves e on a loopback port and returns the address. The
// server shuts down at the end of the test.
func startServer(t *testing.T, e Engine) (*Server, string) {
	t.Helper()
	return startServerWith(t, e, Options{})
}

// startServerWith is startServer with options (the Logger is set here).
func startServerWith(t *testing.T, e Engine, opts Options) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	level := slog.LevelError + 1
	if os.Getenv("WIRE_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	srv := NewServer(e, opts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.NoError(t, <-done)
	})
	return srv, ln.Addr().String()
}

// client is a scripted protocol client.
type client struct {
	t   *testing.T
	nc  net.Conn
	fe  *pgproto3.Frontend
	key pgproto3.BackendKeyData // from startup
}

// dial connects without starting up.
func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, nc.SetDeadline(time.Now().Add(testTimeout)))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// connect dials and completes the startup, returning its summary.
func connect(t *testing.T, addr string, params map[string]string) (*client, []string) {
	t.Helper()
	c := dial(t, addr)
	if params == nil {
		params = map[string]string{"user": "alice", "database": "db"}
	}
	c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	require.NoError(t, c.fe.Flush())
	return c, c.untilReady(1)
}

// send sends messages and returns the summaries of the replies up to the
// n-th ReadyForQuery.
func (c *client) send(n int, msgs ...pgproto3.FrontendMessage) []string {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	require.NoError(c.t, c.fe.Flush())
	return c.untilReady(n)
}

// query sends one simple Query.
func (c *client) query(sql string) []string {
	c.t.Helper()
	return c.send(1, &pgproto3.Query{String: sql})
}

// untilReady reads until n ReadyForQuery messages or an error that ends
// the connection.
func (c *client) untilReady(n int) []string {
	c.t.Helper()
	var out []string
	for n > 0 {
		msg, err := c.fe.Receive()
		if err != nil {
			out = append(out, "EOF")
			return out
		}
		out = append(out, summary(msg))
		switch m := msg.(type) {
		case *pgproto3.BackendKeyData:
			c.key = pgproto3.BackendKeyData{ProcessID: m.ProcessID, SecretKey: append([]byte(nil), m.SecretKey...)}
		case *pgproto3.ReadyForQuery:
			n--
		case *pgproto3.ErrorResponse:
			if m.Severity == "FATAL" {
				n = 0
			}
		}
	}
	return out
}

// summary renders a backend message as one comparable line.
func summary(msg pgproto3.BackendMessage) string {
	switch m := msg.(type) {
	case *pgproto3.RowDescription:
		var parts []string
		for _, f := range m.Fields {
			p := fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID)
			if f.Format == 1 {
				p += "/b"
			}
			parts = append(parts, p)
		}
		return "RowDescription " + strings.Join(parts, " ")
	case *pgproto3.DataRow:
		var parts []string
		for _, v := range m.Values {
			parts = append(parts, showValue(v))
		}
		return "DataRow " + strings.Join(parts, "|")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return fmt.Sprintf("ErrorResponse %s %s %s", m.Severity, m.Code, m.Message)
	case *pgproto3.NoticeResponse:
		return fmt.Sprintf("NoticeResponse %s %s %s", m.Severity, m.Code, m.Message)
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ParameterStatus:
		return "ParameterStatus " + m.Name + "=" + m.Value
	case *pgproto3.ParameterDescription:
		return fmt.Sprint("ParameterDescription ", m.ParameterOIDs)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3.")
}

// showValue prints a DataRow value: text as is, binary as hex, NULL.
func showValue(v []byte) string {
	if v == nil {
		return "NULL"
	}
	for _, r := range string(v) {
		if !unicode.IsPrint(r) {
			return "0x" + hex.EncodeToString(v)
		}
	}
	return string(v)
}
