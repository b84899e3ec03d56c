package sealed

import (
	"bytes"
	"io"
	"testing"
)

var fuzzKey = bytes.Repeat([]byte{0x42}, 32)

// FuzzNewReader feeds arbitrary bytes to the stream reader: it must never
// panic, and it may only succeed on input that re-seals and re-reads to
// the same plaintext.
func FuzzNewReader(f *testing.F) {
	for _, n := range []int{0, 1, 100, testChunk, 2*testChunk + 3} {
		f.Add(seal(f, fuzzKey, nil, bytes.Repeat([]byte{'a'}, n), testChunk, 0))
	}
	f.Add([]byte("FLSE\x01\x00\x00\x01\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), fuzzKey, nil)
		if err != nil {
			return
		}
		plain, err := io.ReadAll(r)
		if err != nil {
			return
		}
		again, err := unseal(fuzzKey, nil, seal(t, fuzzKey, nil, plain, testChunk, 0), nil)
		if err != nil || !bytes.Equal(again, plain) {
			t.Fatalf("accepted stream does not round-trip: %v", err)
		}
	})
}

// FuzzOpen feeds arbitrary bytes to Open: it must never panic and must
// reject anything that was not sealed with the key.
func FuzzOpen(f *testing.F) {
	s, err := Seal(fuzzKey, []byte("aad"), []byte("hello"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(s, []byte("aad"))
	f.Add([]byte{1}, []byte(nil))
	f.Fuzz(func(t *testing.T, data, aad []byte) {
		plain, err := Open(fuzzKey, aad, data)
		if err != nil {
			return
		}
		// Only the seed was ever sealed under fuzzKey (each fuzz worker
		// seals its own copy, with its own nonce), so anything that opens
		// must be a seed: plaintext "hello" under AAD "aad".
		if string(aad) != "aad" || string(plain) != "hello" || len(data) != len(s) {
			t.Fatalf("Open accepted a forged value %x", data)
		}
	})
}

// FuzzStreamRoundTrip checks that any plaintext and AAD survive a round
// trip through Writer and Reader.
func FuzzStreamRoundTrip(f *testing.F) {
	f.Add([]byte(""), []byte(""), uint16(1))
	f.Add(bytes.Repeat([]byte("x"), 3000), []byte("aad"), uint16(7))
	f.Fuzz(func(t *testing.T, plain, aad []byte, step uint16) {
		got, err := unseal(fuzzKey, aad, seal(t, fuzzKey, aad, plain, testChunk, int(step)), nil)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
