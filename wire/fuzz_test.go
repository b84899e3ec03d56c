package wire

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// memConn is a net.Conn that reads a fixed input and discards output.
type memConn struct {
	r io.Reader
}

func (c *memConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *memConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// encodeFrontend encodes frontend messages as a client would send them.
func encodeFrontend(t testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var buf []byte
	for _, m := range msgs {
		var err error
		buf, err = m.Encode(buf)
		if err != nil {
			t.Fatal(err)
		}
	}
	return buf
}

// panicCounter is a slog.Handler counting the server's recovered panics.
type panicCounter struct{ n atomic.Int64 }

func (h *panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *panicCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "wire: panic serving connection" {
		h.n.Add(1)
	}
	return nil
}
func (h *panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicCounter) WithGroup(string) slog.Handler      { return h }

// FuzzBackendSession feeds arbitrary bytes, after a valid startup
// message, to a connection backed by the fake engine. The session must
// not panic (the per-connection recover would hide it, so recovered
// panics are counted through the logger) and must not hang.
func FuzzBackendSession(f *testing.F) {
	seeds := [][]pgproto3.FrontendMessage{
		{&pgproto3.Query{String: "SELECT * FROM pets; SELECT bad"}},
		{&pgproto3.Query{String: "BEGIN; SET LOCAL TimeZone = 'UTC'; SHOW ALL; SELECT bad"}, &pgproto3.Query{String: "ROLLBACK"}},
		{&pgproto3.Parse{Name: "s", Query: "SELECT echo $1, $2::int8"}, &pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{0, 1}, Parameters: [][]byte{[]byte("x"), {0, 0, 0, 0, 0, 0, 0, 1}}, ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Sync{}},
		{&pgproto3.Parse{Query: "SELECT * FROM pets"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}}, &pgproto3.Execute{MaxRows: 1},
			&pgproto3.Close{ObjectType: 'P'}, &pgproto3.Flush{}, &pgproto3.Sync{}, &pgproto3.Terminate{}},
		{&pgproto3.Query{String: "SELECT types"}, &pgproto3.FunctionCall{}, &pgproto3.CopyDone{}},
		{&pgproto3.Query{String: "COPY (SELECT tricky) TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE *); COPY pets (id) TO STDOUT BINARY; COPY pets FROM STDIN"}},
		{&pgproto3.Query{String: "BEGIN; DECLARE c BINARY CURSOR FOR SELECT many; FETCH 3 c; MOVE ABSOLUTE 10 c; FETCH BACKWARD 1 c"},
			&pgproto3.Parse{Query: "FETCH FORWARD 4 FROM c"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{},
			&pgproto3.Query{String: "SELECT 1; FETCH ALL c; CLOSE ALL; COMMIT"}},
	}
	for _, s := range seeds {
		f.Add(encodeFrontend(f, s...))
	}
	f.Add([]byte("Q\x00\x00\x00\x05\x00"))
	f.Add([]byte("P\xff\xff\xff\xff"))

	startup := encodeFrontend(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "fuzz", "database": "db"}})
	e := newTestEngine()
	panics := &panicCounter{}
	srv := NewServer(&e.fakeEngine, Options{Logger: slog.New(panics)})
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("SELECT sleep")) || bytes.Contains(data, []byte("SELECT panic")) {
			return // the fake engine blocks or panics on these by design
		}
		before := panics.n.Load()
		in := io.MultiReader(bytes.NewReader(startup), bytes.NewReader(data))
		done := make(chan struct{})
		go func() {
			defer close(done)
			if !srv.track(1) {
				return
			}
			defer srv.wg.Done()
			srv.serveConn(context.Background(), &memConn{r: in})
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("session hung on input %q", data)
		}
		if panics.n.Load() != before {
			t.Fatalf("session panicked on input %q", data)
		}
	})
}
