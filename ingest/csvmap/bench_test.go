package csvmap

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkConvert converts lab rows (two resources a row, validated).
func BenchmarkConvert(b *testing.B) {
	m, err := LoadFile("testdata/labs.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, validate := range []bool{true, false} {
		m := *m
		m.validate = validate
		var sb strings.Builder
		sb.WriteString("MRN;ACCESSION;TEST_CODE;TEST_NAME;RESULT;UNIT;COLLECTED;RESULTED;STATUS\n")
		const rows = 1000
		for i := range rows {
			fmt.Fprintf(&sb, "%d;A-%d;GLU;Glucose;5.%d;mmol/L;2024-03-01 08:15;2024-03-01T10:02:00-06:00;F\n", 100000+i%97, i, i%10)
		}
		csv := sb.String()
		b.Run(fmt.Sprintf("rows=%d/validate=%v", rows, validate), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(csv)))
			for b.Loop() {
				st, err := m.Convert(context.Background(), strings.NewReader(csv), "b.csv", func(Output) error { return nil }, nil)
				if err != nil || st.Resources != 2*rows {
					b.Fatal(st, err)
				}
			}
		})
	}
}
