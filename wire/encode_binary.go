package wire

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// binaryFormat encodes values in the Postgres binary format with pgtype.
// A Map caches encode plans and is not safe for concurrent use, so each
// connection has its own.
type binaryFormat struct {
	types *pgtype.Map
	text  textFormat
}

// appendBinary appends the binary form of v, a non-nil value of a column of
// type oid, to dst. Native Go values (bool, int64, float64, time.Time,
// []byte) are encoded directly; anything else (strings for non-text types,
// fmt.Stringer values such as numeric, uuid, interval and arrays) goes
// through its text form, decoded by the type's codec and re-encoded.
func (f binaryFormat) appendBinary(dst []byte, oid uint32, v any) ([]byte, error) {
	if isTextLike(oid) {
		return f.appendTextLike(dst, oid, v)
	}
	switch v.(type) {
	case bool, int64, int32, int16, int, float64, float32, time.Time, []byte:
		if out, err := f.types.Encode(oid, pgtype.BinaryFormatCode, v, dst); err == nil {
			return out, nil
		}
	}
	txt, err := f.text.appendText(nil, oid, v)
	if err != nil {
		return dst, err
	}
	typ, ok := f.types.TypeForOID(oid)
	if !ok {
		return dst, fmt.Errorf("no binary format for type OID %d", oid)
	}
	val, err := typ.Codec.DecodeValue(f.types, oid, pgtype.TextFormatCode, txt)
	if err != nil {
		return dst, fmt.Errorf("binary encode of %s value %q: %w", typ.Name, txt, err)
	}
	out, err := f.types.Encode(oid, pgtype.BinaryFormatCode, val, dst)
	if err != nil {
		return dst, fmt.Errorf("binary encode of %s value %q: %w", typ.Name, txt, err)
	}
	return out, nil
}

// appendTextLike appends the binary form of a text, json or jsonb value:
// its text bytes, preceded by the version byte 1 for jsonb.
func (f binaryFormat) appendTextLike(dst []byte, oid uint32, v any) ([]byte, error) {
	if oid == pgtype.JSONBOID {
		dst = append(dst, 1)
	}
	switch x := v.(type) {
	case string:
		return append(dst, x...), nil
	case []byte:
		return append(dst, x...), nil
	}
	return f.text.appendText(dst, oid, v)
}
