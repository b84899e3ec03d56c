package wire

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/jackc/pgx/v5/pgtype"
)

// Bound parameters are substituted into the statement text as SQL
// literals, because the Engine takes SQL text only. Numbers and booleans
// are written bare, everything else as a '...' string with quotes doubled
// (standard_conforming_strings is always on). A literal gets an explicit
// cast to the parameter type when the type is known and not textual or
// numeric: text-like parameters stay untyped string literals (so they
// coerce like Postgres's "unknown"), and numeric stays a bare decimal
// literal so no precision is lost to the engine's default scale.

// castNames maps a parameter type OID to the type name used in casts.
var castNames = map[uint32]string{
	pgtype.BoolOID: "bool", pgtype.ByteaOID: "bytea", pgtype.Int8OID: "int8",
	pgtype.Int2OID: "int2", pgtype.Int4OID: "int4", pgtype.JSONOID: "json",
	pgtype.Float4OID: "float4", pgtype.Float8OID: "float8", pgtype.DateOID: "date",
	pgtype.TimeOID: "time", pgtype.TimestampOID: "timestamp", pgtype.TimestamptzOID: "timestamptz",
	pgtype.IntervalOID: "interval", pgtype.UUIDOID: "uuid", pgtype.JSONBOID: "jsonb",
}

// typeNameOIDs maps type names written in a cast ($1::int8) to OIDs, to
// infer parameter types the client did not declare.
var typeNameOIDs = map[string]uint32{
	"bool": pgtype.BoolOID, "boolean": pgtype.BoolOID, "bytea": pgtype.ByteaOID, "blob": pgtype.ByteaOID,
	"int8": pgtype.Int8OID, "bigint": pgtype.Int8OID, "int2": pgtype.Int2OID, "smallint": pgtype.Int2OID,
	"int4": pgtype.Int4OID, "int": pgtype.Int4OID, "integer": pgtype.Int4OID, "text": pgtype.TextOID,
	"varchar": pgtype.VarcharOID, "json": pgtype.JSONOID, "jsonb": pgtype.JSONBOID,
	"float4": pgtype.Float4OID, "real": pgtype.Float4OID, "float8": pgtype.Float8OID,
	"double precision": pgtype.Float8OID, "numeric": pgtype.NumericOID, "decimal": pgtype.NumericOID,
	"date": pgtype.DateOID, "time": pgtype.TimeOID, "timestamp": pgtype.TimestampOID,
	"timestamptz": pgtype.TimestamptzOID, "interval": pgtype.IntervalOID, "uuid": pgtype.UUIDOID,
}

// nullLiteral is the literal for a NULL parameter of type oid.
func nullLiteral(oid uint32) string {
	if name, ok := castNames[oid]; ok {
		return "(NULL::" + name + ")"
	}
	return "NULL"
}

// paramLiteral renders the Bind parameter number n (1-based, for errors)
// of type oid sent in format as a SQL literal. A nil value is NULL.
func paramLiteral(types *pgtype.Map, n int, oid uint32, format int16, v []byte) (string, error) {
	if v == nil {
		return nullLiteral(oid), nil
	}
	if format == binaryFormatCode {
		txt, err := binaryParamText(types, n, oid, v)
		if err != nil {
			return "", err
		}
		v = txt
	} else if format != textFormatCode {
		return "", newError(sqlstate.ProtocolViolation, "unsupported format code: %d", format)
	}
	return textLiteral(oid, string(v))
}

// binaryParamText converts a binary parameter to its text form through
// the pgtype codec of its type.
func binaryParamText(types *pgtype.Map, n int, oid uint32, v []byte) ([]byte, error) {
	typ, ok := types.TypeForOID(oid)
	if !ok {
		return nil, newError(codeInvalidBinaryRepresentation,
			"binary format for parameter $%d of unknown type OID %d is not supported", n, oid)
	}
	val, err := typ.Codec.DecodeValue(types, oid, binaryFormatCode, v)
	if err != nil {
		return nil, newError(codeInvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", n)
	}
	txt, err := types.Encode(oid, textFormatCode, val, nil)
	if err != nil || txt == nil {
		return nil, newError(codeInvalidBinaryRepresentation, "incorrect binary data format in bind parameter %d", n)
	}
	return txt, nil
}

// textLiteral renders a text-format parameter value of type oid.
func textLiteral(oid uint32, s string) (string, error) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", newError(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\" in parameter")
	}
	switch oid {
	case pgtype.BoolOID:
		b, ok := parseBool(s)
		if !ok {
			return "", invalidInput("boolean", s)
		}
		if b {
			return "TRUE", nil
		}
		return "FALSE", nil
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		t := strings.TrimSpace(s)
		if _, err := strconv.ParseInt(t, 10, 64); err != nil {
			return "", invalidInput(castNames[oid], s)
		}
		return cast(t, oid), nil
	case pgtype.Float4OID, pgtype.Float8OID:
		return floatLiteral(oid, s)
	case pgtype.NumericOID:
		return numericLiteral(s)
	}
	return cast(quote(s), oid), nil
}

// cast wraps lit in a cast to the type oid when the type has a cast name.
func cast(lit string, oid uint32) string {
	if strings.HasPrefix(lit, "-") {
		lit = "(" + lit + ")"
	}
	if name, ok := castNames[oid]; ok {
		return "(" + lit + "::" + name + ")"
	}
	return lit
}

// quote returns s as a standard SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func invalidInput(typ, s string) error {
	return newError(sqlstate.InvalidTextRepresentation, "invalid input syntax for type %s: %q", typ, s)
}

func floatLiteral(oid uint32, s string) (string, error) {
	bits := 64
	if oid == pgtype.Float4OID {
		bits = 32
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
	if err != nil && !isRangeErr(err) {
		return "", invalidInput(castNames[oid], s)
	}
	switch {
	case math.IsNaN(f):
		return cast("'NaN'", oid), nil
	case math.IsInf(f, 1):
		return cast("'Infinity'", oid), nil
	case math.IsInf(f, -1):
		return cast("'-Infinity'", oid), nil
	}
	return cast(strconv.FormatFloat(f, 'g', -1, bits), oid), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// numericLiteral accepts a decimal number (sign, digits, point, exponent)
// or NaN/Infinity and writes it bare.
func numericLiteral(s string) (string, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimLeft(t, "+-")) {
	case "nan", "infinity", "inf":
		return "(" + quote(t) + "::numeric)", nil
	}
	if !isDecimal(t) {
		return "", invalidInput("numeric", s)
	}
	if strings.HasPrefix(t, "-") {
		return "(" + t + ")", nil
	}
	return strings.TrimPrefix(t, "+"), nil
}

// isDecimal reports whether s is [+-]digits[.digits][e[+-]digits] with at
// least one digit before the exponent.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// parseBool accepts Postgres boolean input: true/false, yes/no, on/off,
// 1/0 and unique prefixes, case-insensitively.
func parseBool(s string) (value, ok bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return false, false
	}
	switch t {
	case "1", "on":
		return true, true
	case "0", "off", "of":
		return false, true
	}
	for _, w := range []string{"true", "yes"} {
		if strings.HasPrefix(w, t) {
			return true, true
		}
	}
	for _, w := range []string{"false", "no"} {
		if strings.HasPrefix(w, t) {
			return false, true
		}
	}
	return false, false
}
