package wire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Logger receives connection and error logs; nil discards them.
	Logger *slog.Logger
	// ServerVersion is reported as server_version; default "15.0".
	ServerVersion string
	// Authenticator checks the client after the startup message; nil means
	// trust (every user is accepted without a password).
	Authenticator Authenticator
	// TLS, when set, is offered to clients that send an SSLRequest;
	// otherwise they are told to go on unencrypted.
	TLS *tls.Config
	// RequireTLS refuses clients that did not switch to TLS.
	RequireTLS bool
	// StatementTimeout is the default of statement_timeout, which a
	// client may change with SET; 0 means none. A statement that runs
	// longer is cancelled with 57014 and the connection stays usable.
	StatementTimeout time.Duration
	// Audit, when set, records every login attempt and every statement
	// (user, address, text, tables read, rows, outcome) before the
	// client learns how it ended: a statement's record precedes its
	// CommandComplete or ErrorResponse.
	Audit Auditor
}

// Server serves the Postgres wire protocol (version 3.0) on top of an
// Engine. One goroutine serves each connection.
type Server struct {
	engine Engine
	opts   Options
	log    *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[uint32]*conn // by process ID
	nextPID   uint32
	closing   bool
	done      chan struct{} // closed when Shutdown starts
	wg        sync.WaitGroup
}

// NewServer returns a Server that runs statements on e.
func NewServer(e Engine, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ServerVersion == "" {
		opts.ServerVersion = "15.0"
	}
	if opts.Authenticator == nil {
		opts.Authenticator = TrustAuthenticator{}
	}
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	return &Server{
		engine:    e,
		opts:      opts,
		log:       opts.Logger,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[uint32]*conn),
		nextPID:   1000 + binary.BigEndian.Uint32(seed[:])%1_000_000,
		done:      make(chan struct{}),
	}
}

// Serve accepts connections on ln until Shutdown is called or ctx is
// canceled, and returns nil then. Canceling ctx also cancels the running
// queries and closes the connections accepted here, and Serve waits for
// them to end; after Shutdown, Serve returns at once and Shutdown does the
// waiting. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()

	var local sync.WaitGroup
	defer func() {
		if ctx.Err() != nil {
			local.Wait()
		}
	}()
	for delay := time.Duration(0); ; {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || s.isClosing() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return fmt.Errorf("wire: accept: %w", err)
		}
		delay = 0
		if !s.track(1) {
			_ = nc.Close()
			continue
		}
		local.Add(1)
		go func() {
			defer local.Done()
			defer s.wg.Done()
			s.serveConn(ctx, nc)
		}()
	}
}

// track adds n to the connection count unless the server is shutting down.
func (s *Server) track(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(n)
	return true
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// Shutdown stops accepting connections, closes idle connections (with a
// FATAL 57P01 message), and waits for connections running a query to
// finish it, after which they are closed too. When ctx ends first, the
// remaining queries are canceled, their connections closed, and ctx's
// error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.done)
	}
	for ln := range s.listeners {
		_ = ln.Close()
	}
	for _, c := range s.conns {
		c.interruptIfIdle()
	}
	s.mu.Unlock()

	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for _, c := range s.conns {
		c.kill(errShutdown)
	}
	s.mu.Unlock()
	return fmt.Errorf("wire: shutdown: %w", ctx.Err())
}

// register assigns c a process ID and secret key for CancelRequest.
func (s *Server) register(c *conn) error {
	secret := make([]byte, 4)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("wire: cancel key: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		s.nextPID++
		if _, taken := s.conns[s.nextPID]; !taken && s.nextPID != 0 {
			break
		}
	}
	c.pid, c.secret = s.nextPID, secret
	s.conns[c.pid] = c
	return nil
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[c.pid] == c {
		delete(s.conns, c.pid)
	}
}

// cancel handles a CancelRequest: it cancels the running query of the
// connection with that process ID and secret key. Mismatches are ignored
// silently, as in Postgres.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret, secret) != 1 {
		s.log.Info("wire: cancel request for unknown process", "pid", pid)
		return
	}
	s.log.Info("wire: cancel request", "pid", pid)
	c.cancelQueries(errUserCancel)
}
