package bench

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/engine"
	"github.com/fhirlake/fhirlake/wire"
)

// fhirlakeServer is fhirlake's query side started in-process, as `fhirlake
// serve` wires it: the catalog of a data folder, the DuckDB engine and the
// Postgres wire server on a free loopback port.
type fhirlakeServer struct {
	cat  *catalog.Catalog
	eng  *engine.Engine
	srv  *wire.Server
	ln   net.Listener
	done chan error
}

func startFhirlake(ctx context.Context, dataDir string) (*fhirlakeServer, error) {
	cat, err := catalog.Open(dataDir, catalog.Options{Command: "fhirlake bench"})
	if err != nil {
		return nil, fmt.Errorf("bench: fhirlake: %w", err)
	}
	eng, err := engine.Open(ctx, cat, engine.Options{})
	if err != nil {
		cat.Close()
		return nil, fmt.Errorf("bench: fhirlake: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		eng.Close()
		cat.Close()
		return nil, fmt.Errorf("bench: fhirlake: %w", err)
	}
	s := &fhirlakeServer{cat: cat, eng: eng, srv: wire.NewServer(eng, wire.Options{}), ln: ln, done: make(chan error, 1)}
	go func() { s.done <- s.srv.Serve(context.WithoutCancel(ctx), ln) }()
	return s, nil
}

// ConnString is a pgx connection string for the bench data store.
func (s *fhirlakeServer) ConnString() string {
	return fmt.Sprintf("postgres://bench@%s/%s?sslmode=disable", s.ln.Addr(), Datastore)
}

// Close shuts the wire server down and closes the engine and the catalog.
func (s *fhirlakeServer) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; serr != nil && !errors.Is(serr, net.ErrClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, s.eng.Close(), s.cat.Close())
}
