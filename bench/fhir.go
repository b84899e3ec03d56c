package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fhirlake/fhirlake/api"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/keyring"
	"github.com/fhirlake/fhirlake/store"
)

// fhirSuite measures FHIR read by id (GET /fhir/bench/{type}/{id}) with 1
// and 8 concurrent clients: fhirlake's REST API over its raw store against a
// bare Go HTTP server that answers the same resources' bytes from a map in
// memory (the ceiling of any Go FHIR server on this machine).
type fhirSuite struct{}

func (fhirSuite) Name() string { return "fhir" }

// fhirClients are the concurrency levels measured.
var fhirClients = []int{1, 8}

func (s fhirSuite) Run(ctx context.Context, env *Env) (_ []Result, err error) {
	if env.FHIRRequests <= 0 {
		return nil, fmt.Errorf("bench: fhir: Env.FHIRRequests must be > 0")
	}
	env.Logf("fhir: %d patients: loading fhirlake", env.Patients)
	dir := filepath.Join(env.Work, "fhir-lake")
	if _, err := importFresh(ctx, env, dir); err != nil {
		return nil, err
	}
	bodies, keys, err := loadBodies(env.NDJSON)
	if err != nil {
		return nil, err
	}
	st, err := openRawStore(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	fl, err := serveHTTP(api.NewHandler(oneDatastore{st}, api.Options{Software: "fhirlake bench"}))
	if err != nil {
		return nil, err
	}
	defer fl.Close()
	bare, err := serveHTTP(bareHandler(bodies))
	if err != nil {
		return nil, err
	}
	defer bare.Close()
	env.Setting(fmt.Sprintf("fhir: GET /fhir/bench/{type}/{id} of %d resources in a fixed random order (all types), keep-alive HTTP/1.1 over loopback, Go net/http clients; fhirlake = api.NewHandler over the raw store (bbolt, zstd) in-process; bare = net/http handler writing the resource's bytes from a Go map", env.FHIRRequests))
	var out []Result
	for _, clients := range fhirClients {
		order := requestOrder(keys, env.FHIRRequests, int64(clients))
		cs := []Contender{
			{Name: Fhirlake, Run: loadTest(fl.URL, order, clients)},
			{Name: sysBareHTTP, Run: loadTest(bare.URL, order, clients)},
		}
		samples, err := Alternate(ctx, env.Warmup, env.Reps, cs)
		if err != nil {
			return nil, fmt.Errorf("fhir read, %d clients: %w", clients, err)
		}
		kase := fmt.Sprintf("read by id, %d client(s)", clients)
		for _, m := range []struct {
			name, unit string
			b          Better
		}{{"throughput", "requests/s", HigherIsBetter}, {"p99 latency", "ms", LowerIsBetter}} {
			r, err := NewResult(s.Name(), kase, env.Patients, m.name, m.unit, m.b, []string{Fhirlake, sysBareHTTP}, samples.Metric(m.name))
			if err != nil {
				return nil, err
			}
			r.Note = "every response 200 with the requested id"
			out = append(out, r)
		}
		env.Logf("  read, %d clients: fhirlake %.0f req/s, bare %.0f req/s", clients, Summarize(samples[Fhirlake]["throughput"]).Median, Summarize(samples[sysBareHTTP]["throughput"]).Median)
	}
	return out, nil
}

const sysBareHTTP = "bare-http"

// oneDatastore serves the bench data store only.
type oneDatastore struct{ st *store.Store }

func (o oneDatastore) Lookup(name string) (api.Reader, bool) {
	if name != Datastore {
		return nil, false
	}
	return o.st, true
}

// httpServer is an HTTP server on a free loopback port.
type httpServer struct {
	URL string
	srv *http.Server
}

func serveHTTP(h http.Handler) (*httpServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: http: %w", err)
	}
	s := &httpServer{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

func (s *httpServer) Close() error { return s.srv.Close() }

// resourceKey is "Type/id".
type resourceKey string

// loadBodies reads every resource of the NDJSON files into memory, keyed by
// Type/id, for the bare server, and returns the keys sorted.
func loadBodies(dir string) (map[resourceKey][]byte, []resourceKey, error) {
	files, err := ndjsonFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	bodies := map[resourceKey][]byte{}
	for _, f := range files {
		if err := readBodies(f, bodies); err != nil {
			return nil, nil, err
		}
	}
	keys := make([]resourceKey, 0, len(bodies))
	for k := range bodies {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return bodies, keys, nil
}

func readBodies(path string, into map[resourceKey][]byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return fmt.Errorf("bench: %s: %w", path, err)
		}
		into[resourceKey(head.ResourceType+"/"+head.ID)] = append([]byte(nil), line...)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("bench: %s: %w", path, err)
	}
	return nil
}

// bareHandler answers GET /fhir/bench/{type}/{id} from memory.
func bareHandler(bodies map[resourceKey][]byte) http.Handler {
	prefix := "/fhir/" + Datastore + "/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[resourceKey(strings.TrimPrefix(r.URL.Path, prefix))]
		if !ok || !strings.HasPrefix(r.URL.Path, prefix) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Write(b) //nolint:errcheck // the client sees a short body
	})
}

// requestOrder draws n keys in a fixed pseudo-random order.
func requestOrder(keys []resourceKey, n int, seed int64) []resourceKey {
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	out := make([]resourceKey, n)
	for i := range out {
		out[i] = keys[rng.IntN(len(keys))]
	}
	return out
}

// loadTest sends the requests of order from clients goroutines (request i
// goes to client i mod clients) over keep-alive connections and reports
// requests/s and the 99th percentile latency in ms.
func loadTest(base string, order []resourceKey, clients int) func(context.Context) (map[string]float64, error) {
	return func(ctx context.Context) (map[string]float64, error) {
		tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		lat := make([]time.Duration, len(order))
		errs := make([]error, clients)
		var wg sync.WaitGroup
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for i := c; i < len(order) && errs[c] == nil; i += clients {
					t0 := time.Now()
					errs[c] = readOne(ctx, hc, base, order[i])
					lat[i] = time.Since(t0)
				}
			}(c)
		}
		wg.Wait()
		elapsed := time.Since(start)
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		return map[string]float64{
			"throughput":  float64(len(order)) / elapsed.Seconds(),
			"p99 latency": float64(percentile(lat, 0.99).Microseconds()) / 1000,
		}, nil
	}
}

// readOne GETs one resource and checks the status and the id in the body.
func readOne(ctx context.Context, hc *http.Client, base string, key resourceKey) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/fhir/"+Datastore+"/"+string(key), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/fhir+json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: GET %s: status %d: %.200s", key, resp.StatusCode, body)
	}
	id := string(key[strings.IndexByte(string(key), '/')+1:])
	if !bytes.Contains(body, []byte(`"id":"`+id+`"`)) {
		return fmt.Errorf("bench: GET %s: the body does not hold the id: %.200s", key, body)
	}
	return nil
}

// percentile returns the q-quantile (nearest rank) of ds.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// rawStorePath is the raw store file of the bench data store in a data
// folder (ARCHITECTURE.md: stores/<name>/raw.db).
func rawStorePath(dataDir string) (string, error) {
	cat, err := catalog.Open(dataDir, catalog.Options{Command: "fhirlake bench"})
	if err != nil {
		return "", fmt.Errorf("bench: fhir: %w", err)
	}
	defer cat.Close()
	if _, err := cat.Datastore(Datastore); err != nil {
		return "", fmt.Errorf("bench: fhir: %w", err)
	}
	return filepath.Join(cat.DatastoreDir(Datastore), "raw.db"), nil
}

// openRawStore opens the bench data store's raw store of a data folder
// the import child wrote, with its data key (the master key resolved as
// the child did: FHIRLAKE_MASTER_KEY or the default key file).
func openRawStore(ctx context.Context, dataDir string) (*store.Store, error) {
	rawPath, err := rawStorePath(dataDir)
	if err != nil {
		return nil, err
	}
	p, _, err := keyring.Resolve(keyring.Options{DataDir: dataDir})
	if err != nil {
		return nil, fmt.Errorf("bench: fhir: %w", err)
	}
	kr, err := keyring.Open(ctx, filepath.Join(dataDir, keyring.KeysFileName), p)
	if err != nil {
		return nil, fmt.Errorf("bench: fhir: %w", err)
	}
	dk, err := kr.DataKey(ctx, Datastore)
	if err != nil {
		return nil, fmt.Errorf("bench: fhir: %w", err)
	}
	enc, err := store.NewEncryption(dk.Derive(keyring.PurposeRawStore))
	if err != nil {
		return nil, fmt.Errorf("bench: fhir: %w", err)
	}
	st, err := store.Open(rawPath, store.Options{Encryption: enc})
	if err != nil {
		return nil, fmt.Errorf("bench: fhir: %w", err)
	}
	return st, nil
}
