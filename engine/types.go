package engine

import (
	"strconv"
	"strings"
)

// Postgres type OIDs used by the engine.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
	oidInterval    = 1186
	oidTimeTZ      = 1266
	oidNumeric     = 1700
	oidUUID        = 2950
)

// pgType is one row of the Postgres pg_type catalog the engine emulates.
type pgType struct {
	OID   uint32
	Name  string
	Len   int16  // typlen: -1 for variable length
	Array uint32 // OID of the array type, 0 for none
	// Category is typcategory; Pseudo marks pseudo-types (typtype p).
	Category byte
	Pseudo   bool
}

// pgTypes lists the types of the emulated pg_type: the scalar types
// results can carry and those catalog queries name; their array types
// (named "_" + Name, length -1) are derived from Array. The OIDs are
// Postgres' own.
var pgTypes = []pgType{
	{oidBool, "bool", 1, 1000, 'B', false},
	{oidBytea, "bytea", -1, 1001, 'U', false},
	{18, "char", 1, 1002, 'Z', false},
	{19, "name", 64, 1003, 'S', false},
	{oidInt8, "int8", 8, 1016, 'N', false},
	{oidInt2, "int2", 2, 1005, 'N', false},
	{22, "int2vector", -1, 1006, 'A', false},
	{oidInt4, "int4", 4, 1007, 'N', false},
	{24, "regproc", 4, 1008, 'N', false},
	{oidText, "text", -1, 1009, 'S', false},
	{26, "oid", 4, 1028, 'N', false},
	{30, "oidvector", -1, 1013, 'A', false},
	{oidJSON, "json", -1, 199, 'U', false},
	{oidFloat4, "float4", 4, 1021, 'N', false},
	{oidFloat8, "float8", 8, 1022, 'N', false},
	{705, "unknown", -2, 0, 'X', true},
	{1042, "bpchar", -1, 1014, 'S', false},
	{1043, "varchar", -1, 1015, 'S', false},
	{oidDate, "date", 4, 1182, 'D', false},
	{oidTime, "time", 8, 1183, 'D', false},
	{oidTimestamp, "timestamp", 8, 1115, 'D', false},
	{oidTimestampTZ, "timestamptz", 8, 1185, 'D', false},
	{oidInterval, "interval", 16, 1187, 'T', false},
	{oidTimeTZ, "timetz", 12, 1270, 'D', false},
	{oidNumeric, "numeric", -1, 1231, 'N', false},
	{2205, "regclass", 4, 2210, 'N', false},
	{2206, "regtype", 4, 2211, 'N', false},
	{2249, "record", -1, 2287, 'P', true},
	{2278, "void", 4, 0, 'P', true},
	{oidUUID, "uuid", 16, 2951, 'U', false},
	{3802, "jsonb", -1, 3807, 'U', false},
}

func lookupPGType(oid uint32) (pgType, bool) {
	for _, t := range pgTypes {
		if t.OID == oid {
			return t, true
		}
	}
	return pgType{}, false
}

// duckToPG maps DuckDB scalar type names, as reported by
// ColumnTypeDatabaseTypeName and duckdb_columns(), to Postgres OIDs.
// Unsigned types take the smallest signed type that holds them.
var duckToPG = map[string]uint32{
	"BOOLEAN":                  oidBool,
	"TINYINT":                  oidInt2,
	"SMALLINT":                 oidInt2,
	"INTEGER":                  oidInt4,
	"BIGINT":                   oidInt8,
	"UTINYINT":                 oidInt2,
	"USMALLINT":                oidInt4,
	"UINTEGER":                 oidInt8,
	"UBIGINT":                  oidNumeric,
	"HUGEINT":                  oidNumeric,
	"UHUGEINT":                 oidNumeric,
	"BIGNUM":                   oidNumeric,
	"VARINT":                   oidNumeric,
	"FLOAT":                    oidFloat4,
	"DOUBLE":                   oidFloat8,
	"VARCHAR":                  oidText,
	"DATE":                     oidDate,
	"TIME":                     oidTime,
	"TIMETZ":                   oidTimeTZ,
	"TIME WITH TIME ZONE":      oidTimeTZ,
	"TIMESTAMP":                oidTimestamp,
	"TIMESTAMP_S":              oidTimestamp,
	"TIMESTAMP_MS":             oidTimestamp,
	"TIMESTAMP_NS":             oidTimestamp,
	"TIMESTAMPTZ":              oidTimestampTZ,
	"TIMESTAMP WITH TIME ZONE": oidTimestampTZ,
	"INTERVAL":                 oidInterval,
	"UUID":                     oidUUID,
	"JSON":                     oidJSON,
	"BLOB":                     oidBytea,
}

// colKind says how values of a column are normalised.
type colKind uint8

const (
	kindScalar colKind = iota // by the Go type of the value
	kindList                  // LIST or ARRAY: Postgres array text
	kindNested                // STRUCT, MAP, UNION: JSON-like text
)

// colType is a result column's DuckDB type resolved to Postgres terms.
type colType struct {
	OID    uint32
	Size   int16
	Mod    int32
	Kind   colKind
	Scalar uint32 // for lists: OID of the innermost element type
}

// resolveType maps a DuckDB type name to its Postgres description.
// Anything unknown (ENUM, BIT, STRUCT, MAP, UNION ...) becomes text.
func resolveType(name string) colType {
	if elem, ok := listElem(name); ok {
		inner := resolveType(elem)
		if inner.Kind == kindList {
			return colType{OID: inner.OID, Size: -1, Mod: -1, Kind: kindList, Scalar: inner.Scalar}
		}
		scalar := inner.OID
		if inner.Kind == kindNested {
			scalar = oidText
		}
		t, _ := lookupPGType(scalar)
		if t.Array == 0 {
			scalar, t.Array = oidText, 1009
		}
		return colType{OID: t.Array, Size: -1, Mod: -1, Kind: kindList, Scalar: scalar}
	}
	switch {
	case strings.HasPrefix(name, "DECIMAL"):
		return colType{OID: oidNumeric, Size: -1, Mod: decimalTypmod(name)}
	case strings.HasPrefix(name, "STRUCT"), strings.HasPrefix(name, "MAP"), strings.HasPrefix(name, "UNION"):
		return colType{OID: oidText, Size: -1, Mod: -1, Kind: kindNested}
	}
	oid, ok := duckToPG[name]
	if !ok {
		oid = oidText
	}
	t, _ := lookupPGType(oid)
	return colType{OID: oid, Size: t.Len, Mod: -1}
}

// listElem splits "INTEGER[]" or "INTEGER[3]" into "INTEGER".
func listElem(name string) (string, bool) {
	if !strings.HasSuffix(name, "]") {
		return "", false
	}
	i := strings.LastIndexByte(name, '[')
	if i <= 0 {
		return "", false
	}
	if _, err := strconv.Atoi(name[i+1 : len(name)-1]); err != nil && i+1 != len(name)-1 {
		return "", false
	}
	return name[:i], true
}

// decimalTypmod encodes DECIMAL(p,s) as Postgres numeric's typmod.
func decimalTypmod(name string) int32 {
	open, end := strings.IndexByte(name, '('), strings.IndexByte(name, ')')
	if open < 0 || end < open {
		return -1
	}
	p, s, ok := strings.Cut(name[open+1:end], ",")
	prec, err1 := strconv.Atoi(strings.TrimSpace(p))
	scale, err2 := strconv.Atoi(strings.TrimSpace(s))
	if !ok || err1 != nil || err2 != nil {
		return -1
	}
	return int32(prec<<16|scale) + 4
}
