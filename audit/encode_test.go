package audit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// encodeCases are events whose appendEvent output must equal json.Marshal.
var encodeCases = []Event{
	{},
	sampleEvent(1),
	{Kind: KindSQL, Actor: Actor{Roles: []string{}}, Query: "SELECT '<a&b>' \"q\" \\ \n\r\t\x00\x1f é € \u2028\u2029 \xff\xfe", Rows: -3,
		Outcome: SQLOutcome("42P01", "bad \x7f")},
	{Kind: KindGrant, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), Actor: Actor{Method: "local"},
		Subject: "bob", Role: "reader", RequestID: "r", Tables: []string{"", "t"}, Resources: []string{"Patient/1"}},
}

func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	for i, ev := range encodeCases {
		want, err := json.Marshal(ev)
		require.NoError(t, err)
		got, err := appendEvent(nil, ev)
		require.NoError(t, err, "case %d", i)
		require.Equal(t, string(want), string(got), "case %d", i)
	}
	_, err := appendEvent(nil, Event{Kind: KindSQL, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.ErrorContains(t, err, "outside years")
}

func FuzzAppendEvent(f *testing.F) {
	f.Add("fhir", "alice", "", "SELECT 1", "Patient/1", "x", int64(0), int64(1))
	f.Add("sql", "", "app", "<\u2028\xff\"", "", "", int64(-1), int64(1e18))
	f.Fuzz(func(t *testing.T, kind, user, client, query, res, msg string, rows, nanos int64) {
		ev := Event{Kind: Kind(kind), Time: time.Unix(0, nanos).UTC(), Actor: Actor{User: user, Client: client},
			Query: query, Rows: rows, Outcome: Outcome{Message: msg}}
		if res != "" {
			ev.Resources = []string{res, query}
			ev.Actor.Roles = []string{msg}
		}
		want, err := json.Marshal(ev)
		require.NoError(t, err)
		got, err := appendEvent(nil, ev)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
}
