package synth

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files in testdata/")

// TestGolden pins the exact output of a small data set (sha256 of each
// file and the resource counts) so that any change to the generated data
// is deliberate. After an intended change run:
//
//	go test ./synth -run TestGolden -rewrite
func TestGolden(t *testing.T) {
	for _, format := range []string{FormatNDJSON, FormatBundle} {
		t.Run(format, func(t *testing.T) {
			dir, st := generate(t, 10, 1, format)
			var b strings.Builder
			fmt.Fprintf(&b, "patients %d files %d bytes %d\n", st.Patients, st.Files, st.Bytes)
			types := make([]string, 0, len(st.Resources))
			for typ := range st.Resources {
				types = append(types, typ)
			}
			slices.Sort(types)
			for _, typ := range types {
				fmt.Fprintf(&b, "resources %s %d\n", typ, st.Resources[typ])
			}
			sums := digest(t, dir)
			names := make([]string, 0, len(sums))
			for name := range sums {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				fmt.Fprintf(&b, "sha256 %s %s\n", name, sums[name])
			}
			path := filepath.Join("testdata", "seed1-"+format+".golden")
			if *rewrite {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -rewrite to create it")
			require.Equal(t, string(want), b.String())
		})
	}
}
