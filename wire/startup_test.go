package wire

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

func TestStartup(t *testing.T) {
	e := newTestEngine()
	_, addr := startServer(t, e)
	reported := []string{
		"AuthenticationOk",
		"ParameterStatus application_name=psql",
		"ParameterStatus client_encoding=UTF8",
		"ParameterStatus DateStyle=ISO, MDY",
		"ParameterStatus default_transaction_read_only=off",
		"ParameterStatus in_hot_standby=off",
		"ParameterStatus integer_datetimes=on",
		"ParameterStatus IntervalStyle=postgres",
		"ParameterStatus is_superuser=off",
		"ParameterStatus server_encoding=UTF8",
		"ParameterStatus server_version=15.0",
		"ParameterStatus session_authorization=bob",
		"ParameterStatus standard_conforming_strings=on",
		"ParameterStatus TimeZone=Europe/Paris",
		"BackendKeyData",
		"ReadyForQuery I",
	}
	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{
			name: "parameters reported, startup settings applied",
			params: map[string]string{"user": "bob", "application_name": "psql", "TimeZone": "Europe/Paris",
				"client_encoding": "unicode", "options": "-c extra_float_digits=2 --search_path=x", "unknown_thing": "1"},
			want: reported,
		},
		{
			name:   "unknown database is fatal with its code",
			params: map[string]string{"user": "bob", "database": "nope"},
			want:   []string{"AuthenticationOk", `ErrorResponse FATAL 3D000 database "nope" does not exist`},
		},
		{
			name:   "missing user",
			params: map[string]string{"database": "db"},
			want:   []string{"ErrorResponse FATAL 28000 no PostgreSQL user name specified in startup packet"},
		},
		{
			name:   "invalid startup setting",
			params: map[string]string{"user": "bob", "DateStyle": "SQL, DMY"},
			want:   []string{`ErrorResponse FATAL 0A000 DateStyle "SQL, DMY" is not supported`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := connect(t, addr, tt.params)
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("database defaults to user, session closed on terminate", func(t *testing.T) {
		c, _ := connect(t, addr, map[string]string{"user": "carol"})
		e.mu.Lock()
		require.Equal(t, []string{"carol", "carol"}, []string{e.lastDB, e.lastUsr})
		closed := e.closed
		e.mu.Unlock()
		c.fe.Send(&pgproto3.Terminate{})
		require.NoError(t, c.fe.Flush())
		require.Equal(t, []string{"EOF"}, c.untilReady(1))
		e.mu.Lock()
		require.Equal(t, closed+1, e.closed, "the session is closed before the socket")
		e.mu.Unlock()
	})
}

func TestStartupRequests(t *testing.T) {
	_, addr := startServer(t, newTestEngine())
	t.Run("SSLRequest and GSSENCRequest answered N", func(t *testing.T) {
		c := dial(t, addr)
		for _, m := range []pgproto3.FrontendMessage{&pgproto3.SSLRequest{}, &pgproto3.GSSEncRequest{}} {
			c.fe.Send(m)
			require.NoError(t, c.fe.Flush())
			b := make([]byte, 1)
			_, err := io.ReadFull(c.nc, b)
			require.NoError(t, err)
			require.Equal(t, "N", string(b))
		}
		c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
		require.NoError(t, c.fe.Flush())
		got := c.untilReady(1)
		require.Equal(t, "ReadyForQuery I", got[len(got)-1])
	})
	t.Run("protocol 2.0 is refused", func(t *testing.T) {
		c := dial(t, addr)
		pkt := binary.BigEndian.AppendUint32(nil, 8)
		pkt = binary.BigEndian.AppendUint32(pkt, 2<<16)
		_, err := c.nc.Write(pkt)
		require.NoError(t, err)
		require.Equal(t, []string{"ErrorResponse FATAL 08P01 unsupported frontend protocol 2.0: server supports 3.0"}, c.untilReady(1))
	})
	t.Run("protocol 3.2 is negotiated down to 3.0", func(t *testing.T) {
		c := dial(t, addr)
		c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
			Parameters: map[string]string{"user": "u", "_pq_.x": "1"}})
		require.NoError(t, c.fe.Flush())
		got := c.untilReady(1)
		require.Equal(t, "NegotiateProtocolVersion", got[0])
		require.Equal(t, "ReadyForQuery I", got[len(got)-1])
	})
	t.Run("garbage length", func(t *testing.T) {
		c := dial(t, addr)
		_, err := c.nc.Write([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
		require.NoError(t, err)
		require.Equal(t, []string{"ErrorResponse FATAL 08P01 invalid length of startup packet"}, c.untilReady(1))
	})
}

func TestCancelRequest(t *testing.T) {
	e := newTestEngine()
	_, addr := startServer(t, e)
	a, _ := connect(t, addr, nil)
	a.fe.Send(&pgproto3.Query{String: "SELECT sleep"})
	require.NoError(t, a.fe.Flush())
	<-e.running

	// A wrong key is ignored; the right one cancels.
	for _, key := range [][]byte{{1, 2, 3, 4}, a.key.SecretKey} {
		b := dial(t, addr)
		b.fe.Send(&pgproto3.CancelRequest{ProcessID: a.key.ProcessID, SecretKey: key})
		require.NoError(t, b.fe.Flush())
		_, err := b.nc.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "the server closes a cancel connection without answering")
	}
	require.Equal(t, []string{"ErrorResponse ERROR 57014 canceling statement due to user request", "ReadyForQuery I"}, a.untilReady(1))
	require.Equal(t, []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I"}, a.query("SELECT 1"))
}

func TestStatementTimeout(t *testing.T) {
	e := newTestEngine()
	_, addr := startServer(t, e)
	c, _ := connect(t, addr, nil)
	require.Equal(t, []string{"CommandComplete SET", "ErrorResponse ERROR 57014 canceling statement due to statement timeout", "ReadyForQuery I"},
		c.query("SET statement_timeout = '20ms'; SELECT sleep"))
}

func TestShutdown(t *testing.T) {
	e := newTestEngine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(e, Options{Logger: slog.New(slog.DiscardHandler)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(context.Background(), ln) }()
	addr := ln.Addr().String()

	idle, _ := connect(t, addr, nil)
	busy, _ := connect(t, addr, nil)
	busy.fe.Send(&pgproto3.Query{String: "SELECT sleep"})
	require.NoError(t, busy.fe.Flush())
	<-e.running

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	require.Equal(t, []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"}, idle.untilReady(1))
	require.NoError(t, <-served, "Serve returns nil after Shutdown")
	// The busy query never ends by itself: Shutdown's deadline cancels it.
	require.ErrorIs(t, <-shut, context.DeadlineExceeded)
	require.Equal(t, []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"}, busy.untilReady(1))
	_, err = net.Dial("tcp", addr)
	require.Error(t, err, "listener closed")
	require.Eventually(t, func() bool { e.mu.Lock(); defer e.mu.Unlock(); return e.closed == 2 }, time.Second, time.Millisecond)
}

// TestShutdownWaitsForQuery checks that Shutdown lets a running query
// finish and answer before the connection is closed.
func TestShutdownWaitsForQuery(t *testing.T) {
	e := newTestEngine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(e, Options{})
	go func() { _ = srv.Serve(context.Background(), ln) }()
	idle, _ := connect(t, ln.Addr().String(), nil)
	busy, _ := connect(t, ln.Addr().String(), nil)
	busy.fe.Send(&pgproto3.Query{String: "SELECT gate"})
	require.NoError(t, busy.fe.Flush())
	<-e.running

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	require.Equal(t, []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"}, idle.untilReady(1))
	close(e.gate)
	require.Equal(t, []string{"RowDescription ?column?:23", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
		"ErrorResponse FATAL 57P01 terminating connection due to administrator command"}, busy.untilReady(2))
	require.NoError(t, <-shut)
}

func TestServeContextCancel(t *testing.T) {
	e := newTestEngine()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := NewServer(e, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	c, _ := connect(t, ln.Addr().String(), nil)
	c.fe.Send(&pgproto3.Query{String: "SELECT sleep"})
	require.NoError(t, c.fe.Flush())
	<-e.running
	cancel()
	require.NoError(t, <-served)
	got := c.untilReady(1)
	require.True(t, got[0] == "EOF" || strings.Contains(got[0], "57P01"), got)
}
