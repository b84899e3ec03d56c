// Command gen writes the search parameter table of package search from the
// official FHIR R4 search-parameters.json bundle.
//
// Usage:
//
//	go run ./search/internal/gen -in ../shared/data/fhir-r4/search-parameters.json -out search/params_table.go
//
// The input is a collection Bundle of SearchParameter resources. Each
// parameter becomes one row per base resource type. When the expression is
// a union of per-type parts (Observation.subject | Condition.subject), the
// row keeps only the parts rooted at its base.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	in := flag.String("in", "../shared/data/fhir-r4/search-parameters.json", "search-parameters.json bundle")
	out := flag.String("out", "search/params_table.go", "generated Go file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	src, err := Generate(data)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}
