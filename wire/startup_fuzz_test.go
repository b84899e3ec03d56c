package wire

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// FuzzStartup feeds arbitrary bytes to a connection from its first byte:
// the startup phase (SSLRequest, GSSENCRequest, CancelRequest,
// StartupMessage with any parameters and protocol versions) and a SCRAM
// exchange. The server must neither panic nor hang, whatever it gets.
func FuzzStartup(f *testing.F) {
	packet := func(code uint32, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		b = binary.BigEndian.AppendUint32(b, code)
		return append(b, body...)
	}
	startup := encodeFrontend(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "alice", "database": "db", "options": "-c TimeZone=UTC"}})
	f.Add(startup)
	f.Add(append(packet(80877103, nil), startup...))                       // SSLRequest, declined
	f.Add(append(packet(80877104, nil), startup...))                       // GSSENCRequest
	f.Add(packet(80877102, []byte{0, 0, 0, 1, 1, 2, 3, 4}))                // CancelRequest
	f.Add(packet(3<<16|5, []byte("user\x00alice\x00_pq_.x\x00y\x00\x00"))) // newer minor, options
	f.Add(packet(2<<16, []byte("user\x00alice\x00\x00")))                  // protocol 2
	f.Add([]byte{0, 0, 0, 3})                                              // bad length
	f.Add(append(startup, encodeFrontend(f, &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abc")})...))
	f.Add(append(startup, encodeFrontend(f, &pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("garbage")})...))
	f.Add(append(startup, encodeFrontend(f, &pgproto3.PasswordMessage{Password: "pw"})...))

	panics := &panicCounter{}
	srv := NewServer(&newTestEngine().fakeEngine, Options{Logger: slog.New(panics), Authenticator: scramFor(map[string]string{"alice": "pw"})})
	f.Fuzz(func(t *testing.T, data []byte) {
		before := panics.n.Load()
		done := make(chan struct{})
		go func() {
			defer close(done)
			if !srv.track(1) {
				return
			}
			defer srv.wg.Done()
			srv.serveConn(context.Background(), &memConn{r: bytes.NewReader(data)})
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("startup hung on input %q", data)
		}
		if panics.n.Load() != before {
			t.Fatalf("startup panicked on input %q", data)
		}
	})
}
