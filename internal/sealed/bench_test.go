package sealed

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func BenchmarkStream(b *testing.B) {
	key := testKey(b, 1)
	plain := randomBytes(b, 16<<20)
	b.Run("op=write/size=16MiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			w, err := NewWriter(io.Discard, key, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Write(plain); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	sealed := seal(b, key, nil, plain, ChunkSize, 0)
	b.Run("op=read/size=16MiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		buf := make([]byte, 32<<10)
		for b.Loop() {
			r, err := NewReader(bytes.NewReader(sealed), key, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(io.Discard, r, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkValue(b *testing.B) {
	key := testKey(b, 1)
	aad := []byte("Patient/123/_history/2")
	box, err := NewBox(key)
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 10, 4 << 10} {
		plain := randomBytes(b, size)
		sealed, err := box.Seal(aad, plain)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("op=seal/api=box/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := box.Seal(aad, plain); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=open/api=box/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := box.Open(aad, sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=seal/api=func/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := Seal(key, aad, plain); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=open/api=func/size=%d", size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := Open(key, aad, sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
