package export_test

import (
	"log"
	"net/http"
	"path/filepath"

	"github.com/fhirlake/fhirlake/export"
	"github.com/fhirlake/fhirlake/store"
)

// The FHIR API mounts the export endpoints on its own mux; jobs of data
// store ds are kept under <root>/stores/<ds>/exports.
func ExampleManager_Routes() {
	root := "/var/lib/fhirlake"
	st, err := store.Open(filepath.Join(root, "stores", "main", "store.db"), store.Options{})
	if err != nil {
		log.Print(err)
		return
	}
	defer st.Close()

	m := export.NewManager(func(ds string) string { return filepath.Join(root, "stores", ds) }, export.Options{})
	defer m.Close()
	mux := http.NewServeMux()
	m.Routes(mux, func(ds string) (export.Source, bool) { return st, ds == "main" })
	// mux.HandleFunc("/fhir/{datastore}/{type}/{id}", ...) and the rest of the API.
	log.Print(http.ListenAndServe(":8080", mux))
}
