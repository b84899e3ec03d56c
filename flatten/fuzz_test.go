package flatten

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// FuzzAppend feeds arbitrary bytes to the Builders of all default views:
// Append must never panic, and a failed Append must add no rows.
func FuzzAppend(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.ndjson"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			f.Add(bytes.Clone(sc.Bytes()))
		}
	}
	var views []*View
	for _, vd := range DefaultViews() {
		v, err := Compile(vd)
		if err != nil {
			f.Fatal(err)
		}
		views = append(views, v)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		for _, v := range views {
			b := v.NewBuilder(memory.DefaultAllocator)
			if err := b.Append(data); err != nil && b.Len() != 0 {
				t.Fatalf("view %s: failed Append left %d rows", v.Name(), b.Len())
			}
			rec := b.NewRecord()
			_, _ = v.Evaluate(data) // must not panic either
			rec.Release()
			b.Release()
		}
	})
}
