package wire

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// memAudit keeps the events appended, or refuses the statement records.
type memAudit struct {
	mu         sync.Mutex
	events     []audit.Event
	refuseSQL  bool
	refuseAuth bool
}

func (m *memAudit) Append(_ context.Context, ev audit.Event) (audit.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if (m.refuseSQL && ev.Kind == audit.KindSQL) || (m.refuseAuth && ev.Kind == audit.KindLogin) {
		return audit.Receipt{}, errors.New("disk full")
	}
	m.events = append(m.events, ev)
	return audit.Receipt{Seq: uint64(len(m.events))}, nil
}

func (m *memAudit) take() []audit.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.events
	m.events = nil
	return out
}

// TestAuditStatementsAndLogins: every login attempt and every statement,
// in both protocols, is recorded with its user, text, row count and
// outcome before the client hears of it; a statement the log refuses is
// an error (58030), and so is a login.
func TestAuditStatementsAndLogins(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	log := &memAudit{}
	_, addr := startServerWith(t, newTestEngine(), Options{Audit: log, Authenticator: scramFor(map[string]string{"alice": "pw"})})
	url := fmt.Sprintf("postgres://alice:pw@%s/db?sslmode=disable", addr)

	_, err := pgx.Connect(ctx, fmt.Sprintf("postgres://alice:wrong@%s/db?sslmode=disable", addr))
	require.Equal(t, "28P01", pgCode(err))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	var n int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&n))
	rows, err := conn.Query(ctx, "SELECT name FROM pets", pgx.QueryExecModeExec)
	require.NoError(t, err)
	rows.Close()
	_, err = conn.Exec(ctx, "SELECT bad", pgx.QueryExecModeSimpleProtocol)
	require.Equal(t, "42703", pgCode(err))

	evs := log.take()
	type seen struct {
		kind           audit.Kind
		user, query    string
		rows           int64
		result, status string
	}
	var got []seen
	for _, ev := range evs {
		require.Equal(t, "pgwire", ev.Protocol)
		require.Equal(t, "db", ev.DataStore)
		require.NotEmpty(t, ev.Source)
		got = append(got, seen{ev.Kind, ev.Actor.User, ev.Query, ev.Rows, string(ev.Outcome.Result), ev.Outcome.Code})
	}
	require.Equal(t, []seen{
		{audit.KindLogin, "alice", "", 0, string(audit.MinorFailure), "28P01"},
		{audit.KindLogin, "alice", "", 0, string(audit.Success), ""},
		{audit.KindSQL, "alice", "SELECT 1", 1, string(audit.Success), ""},
		{audit.KindSQL, "alice", "SELECT name FROM pets", 2, string(audit.Success), ""},
		{audit.KindSQL, "alice", "SELECT bad", 0, string(audit.MinorFailure), "42703"},
	}, got)

	log.mu.Lock()
	log.refuseSQL = true
	log.mu.Unlock()
	err = conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeSimpleProtocol).Scan(&n)
	require.Equal(t, "58030", pgCode(err), "no result without its record")
	err = conn.QueryRow(ctx, "SELECT 1", pgx.QueryExecModeExec).Scan(&n)
	require.Equal(t, "58030", pgCode(err))
	require.NoError(t, conn.Close(ctx))

	log.mu.Lock()
	log.refuseAuth = true
	log.mu.Unlock()
	_, err = pgx.Connect(ctx, url)
	require.Equal(t, "58030", pgCode(err), "no login without its record")
}
