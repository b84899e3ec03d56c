package wire

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// fakeEngine is an Engine built from function fields.
type fakeEngine struct {
	open func(ctx context.Context, database, user string) (Session, error)
}

func (e *fakeEngine) Open(ctx context.Context, database, user string) (Session, error) {
	return e.open(ctx, database, user)
}

// fakeSession is a Session built from function fields.
type fakeSession struct {
	query func(ctx context.Context, sql string) (Rows, error)
	close func() error
}

func (s *fakeSession) Query(ctx context.Context, sql string) (Rows, error) { return s.query(ctx, sql) }
func (s *fakeSession) Close() error                                        { return s.close() }

// fakeRows is a Rows over fixed data; err is returned after the data.
type fakeRows struct {
	cols []Column
	data [][]any
	tag  string
	err  error
	next int
}

func (r *fakeRows) Columns() []Column { return r.cols }
func (r *fakeRows) Next() bool {
	if r.next >= len(r.data) {
		return false
	}
	r.next++
	return true
}
func (r *fakeRows) Values() []any { return r.data[r.next-1] }
func (r *fakeRows) Err() error    { return r.err }
func (r *fakeRows) Tag() string   { return r.tag }
func (r *fakeRows) Close() error  { return nil }

// stringer is a fmt.Stringer value such as the engine returns for
// numeric, uuid or interval.
type stringer string

func (s stringer) String() string { return string(s) }

// testEngine is the fake engine of the tests. It records the statements
// it receives and answers from testQuery.
type testEngine struct {
	fakeEngine
	mu      sync.Mutex
	queries []string
	opened  int
	closed  int
	lastDB  string // database and user of the last Open
	lastUsr string
	running chan struct{} // receives when "SELECT sleep" or "SELECT gate" starts
	gate    chan struct{} // "SELECT gate" returns when it is closed
}

func newTestEngine() *testEngine {
	e := &testEngine{running: make(chan struct{}, 16), gate: make(chan struct{})}
	e.open = func(_ context.Context, database, user string) (Session, error) {
		if database == "nope" {
			return nil, sqlstate.New(sqlstate.InvalidCatalogName, "database %q does not exist", database)
		}
		e.mu.Lock()
		e.opened++
		e.lastDB, e.lastUsr = database, user
		e.mu.Unlock()
		return &fakeSession{
			query: func(ctx context.Context, sql string) (Rows, error) {
				e.mu.Lock()
				e.queries = append(e.queries, sql)
				e.mu.Unlock()
				return e.answer(ctx, sql)
			},
			close: func() error {
				e.mu.Lock()
				e.closed++
				e.mu.Unlock()
				return nil
			},
		}, nil
	}
	return e
}

// lastQuery returns the last statement the engine received.
func (e *testEngine) lastQuery() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queries) == 0 {
		return ""
	}
	return e.queries[len(e.queries)-1]
}

func col(name string, oid uint32, size int16) Column {
	return Column{Name: name, TypeOID: oid, TypeSize: size, TypeModifier: -1}
}

// petColumns and petRows are the "pets" table of the fake engine.
var (
	petColumns = []Column{col("id", 20, 8), col("name", 25, -1), col("weight", 701, 8),
		col("ok", 16, 1), col("born", 1082, 4), col("seen", 1114, 8)}
	petRows = [][]any{
		{int64(1), "Rex", 12.5, true, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)},
		{int64(2), "Tom's", nil, false, time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
)

// answer is the fake engine's query logic.
func (e *testEngine) answer(ctx context.Context, sql string) (Rows, error) {
	if inner, ok := strings.CutPrefix(sql, "SELECT * FROM (\n"); ok {
		inner = strings.TrimSuffix(inner, "\n) AS wire_describe LIMIT 0")
		r, err := e.answer(ctx, inner)
		if err != nil {
			return nil, err
		}
		return &fakeRows{cols: r.Columns(), tag: "SELECT 0"}, nil
	}
	switch {
	case sql == "SELECT 1":
		return &fakeRows{cols: []Column{col("?column?", 23, 4)}, data: [][]any{{int64(1)}}, tag: "SELECT 1"}, nil
	case strings.HasPrefix(sql, "SELECT echo"):
		return &fakeRows{cols: []Column{col("echo", 25, -1)}, data: [][]any{{sql}}, tag: "SELECT 1"}, nil
	case strings.Contains(sql, "FROM pets"), strings.Contains(sql, `FROM main."pets"`):
		return &fakeRows{cols: petColumns, data: petRows, tag: "SELECT 2"}, nil
	case sql == "SELECT many":
		r := &fakeRows{cols: []Column{col("n", 20, 8)}, tag: "SELECT 1000"}
		for i := range 1000 {
			r.data = append(r.data, []any{int64(i)})
		}
		return r, nil
	case sql == "SELECT types":
		return typesRows(), nil
	case sql == "SELECT tricky":
		return trickyRows(), nil
	case sql == "SELECT sleep":
		e.running <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	case sql == "SELECT gate":
		e.running <- struct{}{}
		select {
		case <-e.gate:
			return &fakeRows{cols: []Column{col("?column?", 23, 4)}, data: [][]any{{int64(1)}}, tag: "SELECT 1"}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	case sql == "SELECT odd":
		return &fakeRows{cols: []Column{col("o", 99999, -1)}, data: [][]any{{"x"}}, tag: "SELECT 1"}, nil
	case sql == "SELECT panic":
		panic("fake engine panic")
	case sql == "SELECT rowerr":
		return &fakeRows{cols: []Column{col("n", 20, 8)}, data: [][]any{{int64(1)}},
			err: &sqlstate.Error{Code: sqlstate.DivisionByZero, Message: "division by zero"}}, nil
	case sql == "SELECT plainerr":
		return nil, errPlain
	case strings.HasPrefix(sql, "CREATE"):
		return &fakeRows{tag: "CREATE TABLE"}, nil
	case strings.HasPrefix(sql, "SET "):
		return &fakeRows{tag: "SET"}, nil
	}
	return nil, &sqlstate.Error{Code: sqlstate.UndefinedColumn, Message: "column \"bad\" does not exist",
		Detail: "some detail", Hint: "some hint", Position: 8}
}

var errPlain = plainError("engine exploded")

type plainError string

func (e plainError) Error() string { return string(e) }

// typesRows has one column per value type the engine may return.
func typesRows() *fakeRows {
	return &fakeRows{
		cols: []Column{col("i8", 20, 8), col("f8", 701, 8), col("b", 16, 1), col("d", 1082, 4),
			col("ts", 1114, 8), col("tz", 1184, 8), col("t", 25, -1), col("num", 1700, -1),
			col("u", 2950, 16), col("by", 17, -1), col("j", 3802, -1), col("i4", 23, 4), col("f4", 700, 4)},
		data: [][]any{{int64(-42), 3.25, true, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 2, 29, 13, 14, 15, 500000000, time.UTC), time.Date(2024, 2, 29, 13, 14, 15, 0, time.UTC),
			"héllo", stringer("12345.678901234567890"), stringer("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
			[]byte{0xde, 0xad}, `{"a": [1, 2]}`, int64(7), 1.5}},
		tag: "SELECT 1",
	}
}

// trickyRows has text values that COPY must escape or quote.
func trickyRows() *fakeRows {
	return &fakeRows{
		cols: []Column{col("n", 20, 8), col("s", 25, -1)},
		data: [][]any{{int64(1), "tab\there"}, {int64(2), "line\nbreak\r"}, {int64(3), `back\slash`}, {int64(4), ""},
			{int64(5), nil}, {int64(6), `say "hi", ok`}, {int64(7), `\.`}, {int64(8), "\\N"}, {nil, "plain"}},
		tag: "SELECT 9",
	}
}
