package engine

import (
	"fmt"
	"strings"
)

// sqlTypeNames are format_type's names for the emulated types, where
// they differ from typname.
var sqlTypeNames = map[uint32]string{
	oidBool: "boolean", oidInt8: "bigint", oidInt2: "smallint", oidInt4: "integer",
	oidFloat4: "real", oidFloat8: "double precision", 18: `"char"`, 1042: "character", 1043: "character varying",
	oidTime: "time without time zone", oidTimeTZ: "time with time zone",
	oidTimestamp: "timestamp without time zone", oidTimestampTZ: "timestamp with time zone",
}

// pgTypeSQL is pg_type's body: pgTypes and their array types.
func pgTypeSQL() string {
	var rows []string
	for _, t := range pgTypes {
		typtype := "b"
		if t.Pseudo {
			typtype = "p"
		}
		rows = append(rows, fmt.Sprintf("(%d, %s, %d, %s, %s, 0, %d, %s)", t.OID, quoteLiteral(t.Name), t.Len,
			quoteLiteral(string(t.Category)), quoteLiteral(typtype), t.Array, quoteLiteral(t.Name+"in")))
		if t.Array != 0 {
			rows = append(rows, fmt.Sprintf("(%d, %s, -1, 'A', 'b', %d, 0, 'array_in')", t.Array, quoteLiteral("_"+t.Name), t.OID))
		}
	}
	return fmt.Sprintf(`SELECT oid::BIGINT AS oid, typname, %d::BIGINT AS typnamespace, %d::BIGINT AS typowner,
		typlen::SMALLINT AS typlen, typlen > 0 AND typlen <= 8 AS typbyval, typtype, typcategory, false AS typispreferred,
		true AS typisdefined, ',' AS typdelim, 0::BIGINT AS typrelid, CASE WHEN typelem <> 0 THEN 'array_subscript_handler' ELSE '-' END AS typsubscript,
		typelem::BIGINT AS typelem, typarray::BIGINT AS typarray, typinput, replace(typinput, '_in', '_out') AS typoutput,
		replace(typinput, 'in', 'recv') AS typreceive, replace(typinput, 'in', 'send') AS typsend, '-' AS typmodin,
		'-' AS typmodout, '-' AS typanalyze, CASE WHEN typlen = 8 THEN 'd' WHEN typlen = 2 THEN 's' WHEN typlen = 1 THEN 'c' ELSE 'i' END AS typalign,
		CASE WHEN typlen = -1 THEN 'x' ELSE 'p' END AS typstorage, false AS typnotnull, 0::BIGINT AS typbasetype,
		-1 AS typtypmod, 0 AS typndims, CASE WHEN typcategory = 'S' THEN 100 ELSE 0 END::BIGINT AS typcollation,
		NULL::VARCHAR AS typdefaultbin, NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
		FROM (VALUES %s) t(oid, typname, typlen, typcategory, typtype, typelem, typarray, typinput)`,
		nspPGCatalog, ownerOID, strings.Join(rows, ", "))
}

// formatTypeSQL is the body of format_type(oid, typmod).
func formatTypeSQL() string {
	var b strings.Builder
	b.WriteString("CASE WHEN oid IS NULL THEN NULL")
	b.WriteString(" WHEN oid = 1700 AND typmod > 4 THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')'")
	b.WriteString(" WHEN oid = 1231 AND typmod > 4 THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')[]'")
	for _, t := range pgTypes {
		name := t.Name
		if n, ok := sqlTypeNames[t.OID]; ok {
			name = n
		}
		fmt.Fprintf(&b, " WHEN oid = %d THEN %s", t.OID, quoteLiteral(name))
		if t.Array != 0 {
			fmt.Fprintf(&b, " WHEN oid = %d THEN %s", t.Array, quoteLiteral(name+"[]"))
		}
	}
	b.WriteString(" ELSE '???' END")
	return b.String()
}

// infoTypeSQL maps a DuckDB type name column to information_schema's
// data_type: format_type's name without modifiers, ARRAY for arrays.
func infoTypeSQL(col string) string {
	return typeCaseSQL(col, func(t colType) string {
		if t.Kind == kindList {
			return "'ARRAY'"
		}
		if n, ok := sqlTypeNames[t.OID]; ok {
			return quoteLiteral(n)
		}
		p, _ := lookupPGType(t.OID)
		return quoteLiteral(p.Name)
	})
}

// udtNameSQL maps a DuckDB type name column to typname (udt_name).
func udtNameSQL(col string) string {
	return typeCaseSQL(col, func(t colType) string {
		p, _ := lookupPGType(t.OID)
		if t.Kind == kindList {
			e, _ := lookupPGType(t.Scalar)
			return quoteLiteral("_" + e.Name)
		}
		return quoteLiteral(p.Name)
	})
}
