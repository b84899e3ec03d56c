package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Request codes of the untyped startup-phase packets.
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102

	maxStartupPacket = 10_000 // as Postgres's MAX_STARTUP_PACKET_LENGTH
	startupTimeout   = time.Minute
)

// errNoSession ends a connection that had no session to serve: a
// CancelRequest, or a startup failure already reported to the client.
var errNoSession = errors.New("wire: connection closed during startup")

// startupPacket is a decoded StartupMessage.
type startupPacket struct {
	minor   uint32            // protocol minor version (major is 3)
	params  map[string]string // in packet order below
	order   []string
	options []string // _pq_.* protocol options we do not know
}

// readStartupPacket reads one length-prefixed startup-phase packet.
func readStartupPacket(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:]))) - 4
	if n < 4 || n > maxStartupPacket {
		return nil, newFatal(sqlstate.ProtocolViolation, "invalid length of startup packet")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// parseStartupMessage decodes a protocol 3.x StartupMessage body.
func parseStartupMessage(body []byte) (*startupPacket, error) {
	code := binary.BigEndian.Uint32(body)
	if major := code >> 16; major != 3 {
		return nil, newFatal(sqlstate.ProtocolViolation,
			"unsupported frontend protocol %d.%d: server supports 3.0", major, code&0xffff)
	}
	p := &startupPacket{minor: code & 0xffff, params: make(map[string]string)}
	rest := body[4:]
	for len(rest) > 1 {
		k, after, ok := bytes.Cut(rest, []byte{0})
		if !ok {
			break
		}
		v, after2, ok := bytes.Cut(after, []byte{0})
		if !ok {
			break
		}
		key := string(k)
		if strings.HasPrefix(key, "_pq_.") {
			p.options = append(p.options, key)
		} else if _, dup := p.params[key]; !dup {
			p.order = append(p.order, key)
		}
		p.params[key] = string(v)
		rest = after2
	}
	if len(rest) != 1 || rest[0] != 0 {
		return nil, newFatal(sqlstate.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
	}
	return p, nil
}

// startup runs the startup phase: encryption requests are declined,
// a CancelRequest is served, and a StartupMessage leads to authentication,
// the engine session and the initial ParameterStatus messages. Errors are
// reported to the client before startup returns errNoSession.
func (c *conn) startup(ctx context.Context) error {
	_ = c.nc.SetReadDeadline(time.Now().Add(startupTimeout))
	for {
		body, err := readStartupPacket(c.nc)
		if err != nil {
			return c.startupFailed(err)
		}
		switch code := binary.BigEndian.Uint32(body); code {
		case codeSSLRequest:
			if err := c.startTLS(ctx); err != nil {
				return c.startupFailed(err)
			}
			continue
		case codeGSSENCRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return fmt.Errorf("wire: decline encryption: %w", err)
			}
			continue
		case codeCancelRequest:
			var req pgproto3.CancelRequest
			if err := req.Decode(body); err == nil {
				c.srv.cancel(req.ProcessID, req.SecretKey)
			}
			return errNoSession
		}
		p, err := parseStartupMessage(body)
		if err != nil {
			return c.startupFailed(err)
		}
		if c.srv.opts.RequireTLS && !c.tls {
			return c.startupFailed(newFatal(sqlstate.InvalidAuthorization,
				"this server accepts only encrypted connections: connect with sslmode=require (or verify-full)"))
		}
		if err := c.begin(ctx, p); err != nil {
			return c.startupFailed(err)
		}
		// The deadline also bounded authentication; queries have none.
		_ = c.nc.SetReadDeadline(time.Time{})
		return nil
	}
}

// startTLS answers an SSLRequest: 'N' when the server has no
// certificate, otherwise 'S' and a TLS handshake, after which the
// connection speaks the protocol through TLS. A second SSLRequest, inside
// TLS, is a protocol violation.
func (c *conn) startTLS(ctx context.Context) error {
	cfg := c.srv.opts.TLS
	if c.tls {
		return newFatal(sqlstate.ProtocolViolation, "SSLRequest inside an encrypted connection")
	}
	if cfg == nil {
		if _, err := c.nc.Write([]byte{'N'}); err != nil {
			return fmt.Errorf("wire: decline encryption: %w", err)
		}
		return nil
	}
	if _, err := c.nc.Write([]byte{'S'}); err != nil {
		return fmt.Errorf("wire: accept encryption: %w", err)
	}
	tc := tls.Server(c.nc, cfg)
	hctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return fmt.Errorf("wire: TLS handshake: %w", err)
	}
	c.nc, c.tls = tc, true
	c.be = pgproto3.NewBackend(tc, tc)
	c.be.SetMaxBodyLen(maxMessageSize)
	return nil
}

// startupFailed reports err to the client as FATAL when it is a protocol
// or session error (not an I/O error) and returns errNoSession.
func (c *conn) startupFailed(err error) error {
	var se *sqlstate.Error
	if !errors.As(err, &se) {
		c.log.Debug("wire: startup", "err", err)
		return errNoSession
	}
	resp := errorResponse(err)
	resp.Severity, resp.SeverityUnlocalized = "FATAL", "FATAL"
	c.be.Send(resp)
	_ = c.be.Flush()
	c.log.Info("wire: connection rejected", "code", resp.Code, "err", resp.Message)
	return errNoSession
}

// begin authenticates the client, opens the engine session and sends the
// session's parameters and cancel key.
func (c *conn) begin(ctx context.Context, p *startupPacket) error {
	c.user = p.params["user"]
	if c.user == "" {
		return newFatal(sqlstate.InvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	c.database = p.params["database"]
	if c.database == "" {
		c.database = c.user
	}
	if p.params["replication"] != "" && p.params["replication"] != "false" && p.params["replication"] != "off" {
		return newFatal(sqlstate.FeatureNotSupported, "replication connections are not supported")
	}
	c.set = newSettings(c.srv.opts.ServerVersion, c.user)
	if d := c.srv.opts.StatementTimeout; d > 0 {
		c.set["statement_timeout"] = strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	if err := c.applyStartupParams(p); err != nil {
		return err
	}
	if p.minor > 0 || len(p.options) > 0 {
		c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: p.options})
	}
	actx := context.WithValue(ctx, remoteAddrKey{}, c.nc.RemoteAddr())
	if err := c.srv.opts.Authenticator.Authenticate(actx, c.user, c.database, backendExchange{c.be}); err != nil {
		if code := sqlstate.Code(err); code == sqlstate.InternalError {
			err = &sqlstate.Error{Code: sqlstate.InvalidAuthorization, Message: err.Error(), Err: err}
		}
		if aerr := c.auditLogin(ctx, err); aerr != nil {
			return aerr
		}
		return err
	}
	if err := c.auditLogin(ctx, nil); err != nil {
		return err
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	sess, err := c.srv.engine.Open(ctx, c.database, c.user)
	if err != nil {
		return err
	}
	c.sess = sess
	if err := c.srv.register(c); err != nil {
		return err
	}
	c.resetVals = cloneSettings(c.set)
	c.updateFormats()
	for _, g := range gucs {
		if g.reportable {
			c.be.Send(&pgproto3.ParameterStatus{Name: g.name, Value: c.set[g.name]})
		}
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.log = c.log.With("pid", c.pid, "user", c.user, "database", c.database)
	c.log.Info("wire: connection started", "application_name", c.set["application_name"])
	return nil
}

// applyStartupParams applies the run-time parameters of the startup
// packet, including "-c name=value" items of options. Unknown names are
// ignored (logged); invalid values of known ones are fatal.
func (c *conn) applyStartupParams(p *startupPacket) error {
	apply := func(name, value string) error {
		g, ok := lookupGUC(name)
		if !ok {
			c.log.Debug("wire: ignoring unknown startup parameter", "name", name)
			return nil
		}
		if g.readOnly {
			return nil
		}
		if err := c.set.set(g, value); err != nil {
			resp := errorResponse(err)
			return newFatal(resp.Code, "%s", resp.Message)
		}
		return nil
	}
	for _, k := range p.order {
		switch k {
		case "user", "database", "replication":
		case "options":
			for _, kv := range parseOptions(p.params[k]) {
				if err := apply(kv[0], kv[1]); err != nil {
					return err
				}
			}
		default:
			if err := apply(k, p.params[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseOptions extracts name=value pairs from the options startup
// parameter ("-c a=b --c=d"); backslash escapes a space.
func parseOptions(s string) [][2]string {
	var words []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case isSpace(s[i]):
			if b.Len() > 0 {
				words = append(words, b.String())
				b.Reset()
			}
		default:
			b.WriteByte(s[i])
		}
	}
	if b.Len() > 0 {
		words = append(words, b.String())
	}
	var kvs [][2]string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			w = words[i]
		case strings.HasPrefix(w, "--"):
			w = w[2:]
		case strings.HasPrefix(w, "-c"):
			w = w[2:]
		default:
			continue
		}
		if k, v, ok := strings.Cut(w, "="); ok {
			kvs = append(kvs, [2]string{strings.ReplaceAll(k, "-", "_"), v})
		}
	}
	return kvs
}
