package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/fhirlake/fhirlake/flatten"
	"github.com/fhirlake/fhirlake/store"
)

const (
	// defaultRunLimit is the number of rows $run returns without _limit.
	defaultRunLimit = 1000
	// maxRunLimit bounds _limit: $run holds its rows in memory.
	maxRunLimit = 100_000
)

// runFormats maps _format values and media types to the output format.
var runFormats = map[string]string{
	"csv": "csv", "text/csv": "csv",
	"ndjson": "ndjson", "application/x-ndjson": "ndjson", "application/ndjson": "ndjson", "application/fhir+ndjson": "ndjson",
	"json": "json", "application/json": "json",
	"parquet": "parquet", "application/vnd.apache.parquet": "parquet",
}

// runTypes are the Content-Types of the formats.
var runTypes = map[string]string{
	"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson",
	"json": "application/json", "parquet": "application/vnd.apache.parquet",
}

// errRowLimit stops a scan once enough rows are collected.
var errRowLimit = errors.New("api: row limit reached")

// runView serves POST /datastores/{ds}/views/$run: it evaluates the
// ViewDefinition in the body over the data store's resources of its type,
// without storing it, and returns at most _limit rows (default 1000) as
// CSV, NDJSON, JSON or Parquet, chosen by _format or Accept.
func (h *handler) runView(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOutcome(w, r, http.StatusMethodNotAllowed, "not-supported",
			"method "+r.Method+" is not supported on "+r.URL.Path+"; POST a ViewDefinition")
		return
	}
	format, ok := runFormat(w, r)
	if !ok {
		return
	}
	limit, ok := runLimit(w, r)
	if !ok {
		return
	}
	rd, ok := h.lookup(w, r)
	if !ok {
		return
	}
	sc, isScanner := rd.(Scanner)
	if !isScanner {
		writeOutcome(w, r, http.StatusNotImplemented, "not-supported", "this data store cannot be scanned")
		return
	}
	def, ok := readView(w, r)
	if !ok {
		return
	}
	var body []byte
	var err error
	if format == "parquet" {
		body, err = runParquet(r, sc, def.view, limit)
	} else {
		body, err = runRows(r, sc, def.view, limit, format)
	}
	var fe *flattenError
	switch {
	case errors.As(err, &fe):
		writeOutcome(w, r, http.StatusUnprocessableEntity, "processing", fe.Error())
	case err != nil:
		h.serverError(w, r, err)
	default:
		writeBody(w, r, http.StatusOK, runTypes[format], body)
	}
}

// flattenError is a resource the view cannot flatten.
type flattenError struct {
	res store.Resource
	err error
}

func (e *flattenError) Error() string {
	return fmt.Sprintf("%s/%s cannot be flattened by the view: %v", e.res.Type, e.res.ID, e.err)
}

// runRows evaluates the view into rows and encodes them.
func runRows(r *http.Request, sc Scanner, v *flatten.View, limit int, format string) ([]byte, error) {
	var rows [][]any
	err := sc.Scan(r.Context(), v.Resource(), func(res store.Resource) error {
		rs, err := v.Evaluate(res.Body)
		if err != nil {
			return &flattenError{res: res, err: err}
		}
		rows = append(rows, rs...)
		if len(rows) >= limit {
			return errRowLimit
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRowLimit) {
		return nil, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	switch format {
	case "csv":
		return encodeCSV(v.Columns(), rows)
	case "ndjson":
		return encodeObjects(v.Columns(), rows, "", "\n", "\n", "")
	default:
		return encodeObjects(v.Columns(), rows, "[", ",", "", "]")
	}
}

// runParquet flattens into Arrow and writes one Parquet file.
func runParquet(r *http.Request, sc Scanner, v *flatten.View, limit int) ([]byte, error) {
	b := v.NewBuilder(memory.DefaultAllocator)
	defer b.Release()
	err := sc.Scan(r.Context(), v.Resource(), func(res store.Resource) error {
		if err := b.Append(res.Body); err != nil {
			return &flattenError{res: res, err: err}
		}
		if b.Len() >= limit {
			return errRowLimit
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRowLimit) {
		return nil, err
	}
	rec := b.NewRecord()
	defer rec.Release()
	if rec.NumRows() > int64(limit) {
		cut := rec.NewSlice(0, int64(limit))
		defer cut.Release()
		rec = cut
	}
	var buf bytes.Buffer
	pw, err := flatten.NewParquetWriter(&buf, v.Schema())
	if err != nil {
		return nil, err
	}
	if err := pw.Write(rec); err != nil {
		return nil, err
	}
	if err := pw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeObjects writes rows as JSON objects with the columns in order.
func encodeObjects(cols []string, rows [][]any, open, sep, last, end string) ([]byte, error) {
	names := make([][]byte, len(cols))
	for i, c := range cols {
		names[i], _ = json.Marshal(c)
	}
	var buf bytes.Buffer
	buf.WriteString(open)
	for i, row := range rows {
		if i > 0 {
			buf.WriteString(sep)
		}
		buf.WriteByte('{')
		for j, val := range row {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.Write(names[j])
			buf.WriteByte(':')
			b, err := json.Marshal(val)
			if err != nil {
				return nil, fmt.Errorf("api: column %q: %w", cols[j], err)
			}
			buf.Write(b)
		}
		buf.WriteByte('}')
	}
	if len(rows) > 0 {
		buf.WriteString(last)
	}
	buf.WriteString(end)
	return buf.Bytes(), nil
}

// encodeCSV writes a header row, then one line per row: strings and
// numbers as they are, booleans as true/false, a missing value empty, and
// collections and complex values as JSON.
func encodeCSV(cols []string, rows [][]any) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(cols); err != nil {
		return nil, err
	}
	rec := make([]string, len(cols))
	for _, row := range rows {
		for j, val := range row {
			switch x := val.(type) {
			case nil:
				rec[j] = ""
			case string:
				rec[j] = x
			case json.Number:
				rec[j] = x.String()
			case bool:
				rec[j] = strconv.FormatBool(x)
			default:
				b, err := json.Marshal(x)
				if err != nil {
					return nil, fmt.Errorf("api: column %q: %w", cols[j], err)
				}
				rec[j] = string(b)
			}
		}
		if err := cw.Write(rec); err != nil {
			return nil, err
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// runFormat picks the output format from _format, else Accept (the first
// supported media range with q > 0), else JSON; otherwise it sends 406.
func runFormat(w http.ResponseWriter, r *http.Request) (string, bool) {
	if f, ok := r.URL.Query()["_format"]; ok {
		if len(f) == 1 && runFormats[mediaType(f[0])] != "" {
			return runFormats[mediaType(f[0])], true
		}
		writeOutcome(w, r, http.StatusNotAcceptable, "not-supported",
			"_format "+strconv.Quote(strings.Join(f, ","))+" is not supported; use csv, ndjson, json or parquet")
		return "", false
	}
	accept := strings.Join(r.Header.Values("Accept"), ",")
	if strings.TrimSpace(accept) == "" {
		return "json", true
	}
	for _, rng := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(rng))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		if f := runFormats[mt]; f != "" {
			return f, true
		}
		if mt == "*/*" || mt == "application/*" || mt == "application/fhir+json" {
			return "json", true
		}
	}
	writeOutcome(w, r, http.StatusNotAcceptable, "not-supported",
		"Accept "+strconv.Quote(accept)+" allows none of text/csv, application/x-ndjson, application/json, application/vnd.apache.parquet")
	return "", false
}

// runLimit reads _limit, or sends 400.
func runLimit(w http.ResponseWriter, r *http.Request) (int, bool) {
	s := r.URL.Query().Get("_limit")
	if s == "" {
		return defaultRunLimit, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxRunLimit {
		writeOutcome(w, r, http.StatusBadRequest, "invalid",
			fmt.Sprintf("_limit %q must be a whole number from 1 to %d", s, maxRunLimit))
		return 0, false
	}
	return n, true
}
