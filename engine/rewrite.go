package engine

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// compatSchema holds the fhirlake-owned Postgres catalog emulation,
// created in DuckDB's main in-memory database (see pgcatalog.go).
const compatSchema = "memory.fhirlake_pg"

// rewriteCompat translates the Postgres spellings clients send into SQL
// DuckDB runs against the catalog emulation. sql is parsed with the real
// Postgres parser (pg_query); the syntax tree is rewritten (see rewriter)
// and deparsed. Text that Postgres cannot parse (DuckDB-only syntax such
// as FROM-first queries, DESCRIBE or list literals) and statements that
// need no change are returned as they are, so that DuckDB sees the
// client's own text and reports errors at the client's positions.
func rewriteCompat(sql string) string {
	tree, err := pg.Parse(sql)
	if err != nil {
		return sql
	}
	r := newRewriter(sql)
	for _, st := range tree.Stmts {
		visit(st.ProtoReflect(), func(m protoreflect.Message) {
			if c, ok := m.Interface().(*pg.CommonTableExpr); ok {
				r.ctes[c.Ctename] = true
			}
		})
	}
	for _, st := range tree.Stmts {
		r.walk(st.ProtoReflect())
	}
	if !r.changed {
		return sql
	}
	out, err := pg.Deparse(tree)
	if err != nil {
		return sql
	}
	return out
}

// rewriter rewrites one parsed statement list in place.
type rewriter struct {
	sql     string // the parsed text
	changed bool
	// qualified remembers the calls written pg_catalog.f(...) before the
	// qualifier is removed; see rangeFunction.
	qualified map[*pg.FuncCall]bool
	// ctes are the WITH names, which shadow catalog relation names.
	ctes map[string]bool
}

func newRewriter(sql string) *rewriter {
	return &rewriter{sql: sql, qualified: map[*pg.FuncCall]bool{}, ctes: map[string]bool{}}
}

// walk visits every message below m, children first, and rewrites the
// ones that name Postgres catalog objects.
func (r *rewriter) walk(m protoreflect.Message) {
	switch n := m.Interface().(type) {
	case *pg.FuncCall:
		if len(n.Funcname) == 2 && str(n.Funcname[0]) == "pg_catalog" {
			r.qualified[n] = true
		}
	}
	children(m, r.walk)
	switch n := m.Interface().(type) {
	case *pg.Node:
		r.node(n)
	case *pg.RangeVar:
		r.rangeVar(n)
	case *pg.FuncCall:
		r.funcCall(n)
	case *pg.TypeName:
		r.typeName(n)
	case *pg.RangeFunction:
		r.rangeFunction(n)
	}
}

// children calls f on each message directly below m.
func children(m protoreflect.Message, f func(protoreflect.Message)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				f(l.Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			f(v.Message())
		}
		return true
	})
}

// visit calls f on m and every message below it, parents first.
func visit(m protoreflect.Message, f func(protoreflect.Message)) {
	f(m)
	children(m, func(c protoreflect.Message) { visit(c, f) })
}

// node rewrites expressions that become a different kind of node.
func (r *rewriter) node(n *pg.Node) {
	var repl *pg.Node
	switch x := n.Node.(type) {
	case *pg.Node_SqlvalueFunction:
		repl = sqlValueFunction(x.SqlvalueFunction)
	case *pg.Node_AExpr:
		repl = r.operator(x.AExpr)
	case *pg.Node_CollateClause:
		repl = collate(x.CollateClause)
	case *pg.Node_TypeCast:
		repl = regCast(x.TypeCast)
	}
	if repl != nil {
		n.Node = repl.Node
		r.changed = true
	}
}

// rangeVar points catalog relations at the emulation: anything written
// pg_catalog.x, bare names of emulated relations, and the emulated
// information_schema views.
func (r *rewriter) rangeVar(v *pg.RangeVar) {
	if v.Catalogname != "" {
		return
	}
	name := v.Relname
	switch {
	case v.Schemaname == "pg_catalog" && compatRelations[name],
		v.Schemaname == "" && compatRelations[name] && !r.ctes[name]:
	case v.Schemaname == "information_schema" && compatInfoSchema[name]:
		name = "information_schema_" + name
	default:
		return
	}
	v.Catalogname, v.Schemaname, v.Relname = "memory", "fhirlake_pg", name
	r.changed = true
}

// funcCall points emulated functions at the emulation and drops the
// pg_catalog qualifier from the others, which DuckDB resolves itself.
func (r *rewriter) funcCall(f *pg.FuncCall) {
	if f.Funcformat == pg.CoercionForm_COERCE_SQL_SYNTAX {
		// EXTRACT(... FROM ...), OVERLAY, POSITION, SUBSTRING(... FROM ...),
		// TRIM(...), AT TIME ZONE...: the parser names them
		// pg_catalog.f, and the deparser prints the SQL syntax, which
		// DuckDB knows, only while that name stays.
		return
	}
	names := strs(f.Funcname)
	if len(names) == 0 || len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return
	}
	name := names[len(names)-1]
	switch {
	case renamedFunctions[name] != "":
		f.Funcname = nameList(renamedFunctions[name])
	case compatFunctions[name]:
		f.Funcname = nameList("memory", "fhirlake_pg", name)
	case len(names) == 2:
		f.Funcname = nameList(name)
	default:
		return
	}
	r.changed = true
}

// renamedFunctions are Postgres functions DuckDB has under another name
// (variadic ones, which a macro cannot define).
var renamedFunctions = map[string]string{
	"json_build_object": "json_object", "jsonb_build_object": "json_object",
	"json_build_array": "json_array", "jsonb_build_array": "json_array",
}

// rangeFunction gives a scalar function in FROM a column named after its
// alias, as Postgres does (FROM pg_catalog.generate_series(1, 3) s makes
// column s); DuckDB needs "s(s)" for that. Only calls that Postgres
// clients write (pg_catalog-qualified, or the set-returning functions
// generate_series and unnest) are changed: in DuckDB SQL, FROM range(3) r
// has the column r.range.
func (r *rewriter) rangeFunction(rf *pg.RangeFunction) {
	if rf.Alias == nil || len(rf.Alias.Colnames) > 0 || len(rf.Functions) != 1 || rf.Ordinality {
		return
	}
	pair := rf.Functions[0].GetList()
	if pair == nil || len(pair.Items) == 0 {
		return
	}
	f := pair.Items[0].GetFuncCall()
	if f == nil {
		return
	}
	names := strs(f.Funcname)
	last := names[len(names)-1]
	if !r.qualified[f] && last != "generate_series" && last != "unnest" || compatTableFunctions[last] {
		return
	}
	rf.Alias.Colnames = []*pg.Node{pg.MakeStrNode(rf.Alias.Aliasname)}
	r.changed = true
}

// typeName drops pg_catalog from type names and maps the Postgres types
// DuckDB lacks to the DuckDB type that holds their values. The reg*
// types are kept for regCast.
func (r *rewriter) typeName(t *pg.TypeName) {
	names := strs(t.Names)
	if len(names) == 0 || len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return
	}
	name := names[len(names)-1]
	if dt, ok := castTypes[name]; ok {
		name = dt
	} else if len(names) == 1 || !r.written(t.Location, "pg_catalog") {
		// The grammar qualifies the SQL-standard types itself (FLOAT is
		// pg_catalog.float8); deparse prints those as written.
		return
	}
	t.Names = nameList(strings.Split(name, ".")...)
	r.changed = true
}

// written reports whether the parsed text has word at byte offset loc.
func (r *rewriter) written(loc int32, word string) bool {
	i := int(loc)
	return i >= 0 && i+len(word) <= len(r.sql) && strings.EqualFold(r.sql[i:i+len(word)], word)
}

// castTypes maps Postgres type names DuckDB does not know to DuckDB's,
// spelled so that deparse prints their SQL names (bigint, varchar).
var castTypes = map[string]string{
	"name": vc, "char": vc, "bpchar": vc, "int2vector": vc, "oidvector": vc, "tid": vc,
	"oid": i8, "xid": i8, "xid8": i8, "cid": i8,
	"jsonb": "json", "regconfig": vc, "regoper": vc, "regoperator": vc,
	"pg_node_tree": vc, "aclitem": vc, "anyarray": vc,
}

const vc, i8 = "pg_catalog.varchar", "pg_catalog.int8"

// sqlValueFunction turns the niladic functions (current_user, ...) that
// DuckDB lacks into calls of the emulation's functions.
func sqlValueFunction(f *pg.SQLValueFunction) *pg.Node {
	var name string
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_USER, pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		name = "current_user"
	case pg.SQLValueFunctionOp_SVFOP_SESSION_USER:
		name = "session_user"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
		name = "current_schema"
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		return pg.MakeFuncCallNode(nameList("current_database"), nil, int32(f.Location))
	default:
		return nil
	}
	return pg.MakeFuncCallNode(nameList("memory", "fhirlake_pg", name), nil, int32(f.Location))
}

// operator gives division and modulo Postgres' error on a zero divisor
// (22012, where DuckDB answers NULL or Infinity), the regular-expression
// operators Postgres' meaning, and
// drops pg_catalog from OPERATOR(pg_catalog.op). In DuckDB, a ~ 'p' is a
// full match; in Postgres it is a search (psql's nspname !~ '^pg_'), which
// is DuckDB's regexp_matches. Postgres' '.' matches a newline: flag s.
func (r *rewriter) operator(e *pg.A_Expr) *pg.Node {
	names := strs(e.Name)
	if len(names) == 0 || len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return nil
	}
	op := names[len(names)-1]
	if len(names) == 2 {
		e.Name = nameList(op)
		r.changed = true
	}
	if e.Kind != pg.A_Expr_Kind_AEXPR_OP || e.Lexpr == nil {
		return nil
	}
	if fn := map[string]string{"/": "pg_div", "%": "pg_mod"}[op]; fn != "" {
		r.changed = true
		return pg.MakeFuncCallNode(nameList("memory", "fhirlake_pg", fn), []*pg.Node{e.Lexpr, e.Rexpr}, e.Location)
	}
	flags := map[string]string{"~": "s", "!~": "s", "~*": "is", "!~*": "is"}[op]
	if flags == "" {
		return nil
	}
	call := pg.MakeFuncCallNode(nameList("regexp_matches"),
		[]*pg.Node{e.Lexpr, e.Rexpr, pg.MakeAConstStrNode(flags, -1)}, e.Location)
	if op[0] == '!' {
		return pg.MakeBoolExprNode(pg.BoolExprType_NOT_EXPR, []*pg.Node{call}, e.Location)
	}
	return call
}

// collate drops the collations Postgres clients name (COLLATE
// pg_catalog.default, "C", "POSIX"): DuckDB compares bytes already.
func collate(c *pg.CollateClause) *pg.Node {
	names := strs(c.Collname)
	if len(names) == 0 || len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return nil
	}
	switch names[len(names)-1] {
	case "default", "C", "POSIX", "c", "posix", "ucs_basic":
		return c.Arg
	}
	return nil
}

// regCast implements the casts to the OID alias types: a name (a string
// literal or a parameter) becomes the object's OID, anything else (an
// OID) becomes the object's name, which is what the value prints as.
func regCast(c *pg.TypeCast) *pg.Node {
	if c.TypeName == nil || len(c.TypeName.ArrayBounds) > 0 {
		return nil
	}
	names := strs(c.TypeName.Names)
	if len(names) != 1 {
		return nil
	}
	kind, ok := regTypes[names[0]]
	if !ok {
		return nil
	}
	fn := kind + "_name"
	if c.Arg.GetAConst() != nil && c.Arg.GetAConst().GetSval() != nil || c.Arg.GetParamRef() != nil {
		fn = kind + "_oid"
	}
	return pg.MakeFuncCallNode(nameList("memory", "fhirlake_pg", fn), []*pg.Node{c.Arg}, c.Location)
}

// regTypes maps the OID alias types to the emulation's lookup functions.
var regTypes = map[string]string{
	"regclass": "regclass", "regtype": "regtype", "regproc": "regproc", "regprocedure": "regproc",
	"regnamespace": "regnamespace", "regrole": "regrole",
}

// str is the text of a String node, "" for any other node.
func str(n *pg.Node) string {
	if s := n.GetString_(); s != nil {
		return s.Sval
	}
	return ""
}

// strs is the text of a qualified name's String nodes.
func strs(ns []*pg.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = str(n)
	}
	return out
}

func nameList(parts ...string) []*pg.Node {
	out := make([]*pg.Node, len(parts))
	for i, p := range parts {
		out[i] = pg.MakeStrNode(p)
	}
	return out
}
