package sealed

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

const testChunk = 1024 // small chunks keep boundary tests fast

func testKey(t testing.TB, b byte) []byte {
	t.Helper()
	return bytes.Repeat([]byte{b}, 32)
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	p := make([]byte, n)
	_, err := rand.Read(p)
	require.NoError(t, err)
	return p
}

// seal writes plain through a Writer with chunk size cs in writes of step
// bytes (all at once when step is 0).
func seal(t testing.TB, key, aad, plain []byte, cs, step int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriterSize(&buf, key, aad, cs)
	require.NoError(t, err)
	if step == 0 {
		step = len(plain) + 1
	}
	for p := plain; len(p) > 0; {
		n := min(step, len(p))
		k, err := w.Write(p[:n])
		require.NoError(t, err)
		require.Equal(t, n, k)
		p = p[n:]
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func unseal(key, aad, sealed []byte, wrap func(io.Reader) io.Reader) ([]byte, error) {
	var r io.Reader = bytes.NewReader(sealed)
	if wrap != nil {
		r = wrap(r)
	}
	sr, err := NewReader(r, key, aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(sr)
}

func TestStreamRoundTrip(t *testing.T) {
	key := testKey(t, 1)
	tests := []struct {
		name  string
		size  int
		cs    int
		step  int
		wrap  func(io.Reader) io.Reader
		aad   []byte
		nsize int // expected sealed size, 0 to skip
	}{
		{name: "empty", size: 0, cs: testChunk, nsize: headerSize + tagSize},
		{name: "one byte", size: 1, cs: testChunk, nsize: headerSize + 1 + tagSize},
		{name: "chunk-1", size: testChunk - 1, cs: testChunk},
		{name: "exactly one chunk", size: testChunk, cs: testChunk, nsize: headerSize + testChunk + tagSize},
		{name: "chunk+1", size: testChunk + 1, cs: testChunk, nsize: headerSize + testChunk + 1 + 2*tagSize},
		{name: "three chunks exactly", size: 3 * testChunk, cs: testChunk, nsize: headerSize + 3*(testChunk+tagSize)},
		{name: "three chunks and a bit, byte writes", size: 3*testChunk + 7, cs: testChunk, step: 1},
		{name: "odd writes, one-byte reads", size: 5*testChunk + 3, cs: testChunk, step: 333, wrap: iotest.OneByteReader},
		{name: "half reads", size: 4 * testChunk, cs: testChunk, step: 1000, wrap: iotest.HalfReader},
		{name: "with aad", size: 2500, cs: testChunk, aad: []byte("ds1/export/Patient.ndjson")},
		{name: "default chunk size", size: 3*ChunkSize + 100, cs: ChunkSize, step: 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := randomBytes(t, tt.size)
			s := seal(t, key, tt.aad, plain, tt.cs, tt.step)
			if tt.nsize != 0 {
				require.Len(t, s, tt.nsize)
			}
			got, err := unseal(key, tt.aad, s, tt.wrap)
			require.NoError(t, err)
			require.Equal(t, len(plain), len(got))
			require.True(t, bytes.Equal(plain, got))
			if tt.size >= 64 {
				require.False(t, bytes.Contains(s, plain[:64]), "plaintext visible in sealed stream")
			}
		})
	}
}

func TestStreamSameInputDiffers(t *testing.T) {
	key, plain := testKey(t, 1), []byte("the same plaintext twice")
	a := seal(t, key, nil, plain, testChunk, 0)
	b := seal(t, key, nil, plain, testChunk, 0)
	require.NotEqual(t, a, b, "two streams under one key must use fresh salt and nonces")
}

func TestStreamTamper(t *testing.T) {
	key := testKey(t, 2)
	aad := []byte("aad")
	plain := randomBytes(t, 3*testChunk+100) // chunks: 3 full + 1 final
	s := seal(t, key, aad, plain, testChunk, 0)
	full := testChunk + tagSize
	chunk := func(i int) []byte { return s[headerSize+i*full : min(len(s), headerSize+(i+1)*full)] }

	swapped := append([]byte{}, s[:headerSize]...)
	swapped = append(swapped, chunk(1)...)
	swapped = append(swapped, chunk(0)...)
	swapped = append(swapped, s[headerSize+2*full:]...)

	dropped := append([]byte{}, s[:headerSize+full]...)
	dropped = append(dropped, s[headerSize+2*full:]...)

	flipped := append([]byte{}, s...)
	flipped[headerSize+3*full+5] ^= 0x40

	tests := []struct {
		name    string
		data    []byte
		key     []byte
		aad     []byte
		wantErr error
		wantMsg string
	}{
		{name: "wrong key", data: s, key: testKey(t, 3), aad: aad, wantErr: ErrAuth, wantMsg: "sealed: chunk 0: message authentication failed (wrong key or tampered file)"},
		{name: "wrong aad", data: s, key: key, aad: []byte("other"), wantErr: ErrAuth, wantMsg: "sealed: chunk 0:"},
		{name: "missing aad", data: s, key: key, wantErr: ErrAuth},
		{name: "reordered chunks", data: swapped, key: key, aad: aad, wantErr: ErrAuth, wantMsg: "sealed: chunk 0:"},
		{name: "dropped middle chunk", data: dropped, key: key, aad: aad, wantErr: ErrAuth, wantMsg: "sealed: chunk 1:"},
		{name: "flipped byte in final chunk", data: flipped, key: key, aad: aad, wantErr: ErrAuth, wantMsg: "sealed: chunk 3: message authentication failed (wrong key or tampered file)"},
		{name: "appended byte", data: append(append([]byte{}, s...), 0), key: key, aad: aad, wantErr: ErrAuth, wantMsg: "sealed: chunk 3:"},
		{name: "appended chunk copy", data: append(append([]byte{}, s...), chunk(0)...), key: key, aad: aad, wantErr: ErrAuth},
		{name: "not sealed", data: bytes.Repeat([]byte("plain text "), 10), key: key, aad: aad, wantErr: ErrFormat, wantMsg: "bad magic"},
		{name: "empty input", data: nil, key: key, aad: aad, wantErr: ErrFormat},
		{name: "short key", data: s, key: key[:16], aad: aad, wantErr: ErrKeySize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := unseal(tt.key, tt.aad, tt.data, nil)
			require.ErrorIs(t, err, tt.wantErr)
			require.Contains(t, err.Error(), tt.wantMsg)
			// Plaintext released before the error must be a prefix of the
			// original, never altered bytes.
			require.True(t, bytes.HasPrefix(plain, got))
		})
	}
}

// TestStreamTruncation cuts the stream at every byte, which covers every
// chunk boundary, and requires an error for each cut.
func TestStreamTruncation(t *testing.T) {
	key := testKey(t, 4)
	for _, size := range []int{0, 10, 2 * testChunk, 3*testChunk + 1} {
		plain := randomBytes(t, size)
		s := seal(t, key, nil, plain, testChunk, 0)
		for cut := 0; cut < len(s); cut++ {
			got, err := unseal(key, nil, s[:cut], nil)
			require.Error(t, err, "size %d cut at %d of %d", size, cut, len(s))
			require.True(t, errors.Is(err, ErrAuth) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrFormat), "size %d cut %d: %v", size, cut, err)
			require.True(t, bytes.HasPrefix(plain, got))
		}
	}
}

// TestStreamEveryFlippedByte flips each byte of a small stream in turn.
func TestStreamEveryFlippedByte(t *testing.T) {
	key := testKey(t, 5)
	plain := randomBytes(t, 2*testChunk+10)
	s := seal(t, key, nil, plain, testChunk, 0)
	for i := range s {
		bad := append([]byte{}, s...)
		bad[i] ^= 1
		_, err := unseal(key, nil, bad, nil)
		require.Error(t, err, "flip at %d", i)
	}
}

func TestWriterAfterClose(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testKey(t, 1), nil)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
	_, err = w.Write([]byte("x"))
	require.ErrorContains(t, err, "write after close")
	_, err = NewWriter(&buf, []byte("short"), nil)
	require.ErrorIs(t, err, ErrKeySize)
}

func TestWriterPropagatesWriteError(t *testing.T) {
	boom := errors.New("disk full")
	_, err := NewWriter(errWriter{boom}, testKey(t, 1), nil)
	require.ErrorIs(t, err, boom)
}

type errWriter struct{ err error }

func (e errWriter) Write([]byte) (int, error) { return 0, e.err }
