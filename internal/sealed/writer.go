package sealed

import (
	"errors"
	"fmt"
	"io"
)

// Writer encrypts a stream in chunks. It buffers up to one chunk of
// plaintext; Close seals the final chunk. It is not safe for concurrent
// use.
type Writer struct {
	w      io.Writer
	cc     *chunkCrypto
	buf    []byte // plaintext of the current chunk, cap chunkSize
	out    []byte // ciphertext scratch
	size   int
	err    error
	closed bool
}

// NewWriter writes the stream header to w and returns a writer that seals
// everything written to it with key (32 bytes) and aad (may be nil; the
// reader must present the same aad). Close must be called to write the
// final chunk; it does not close w.
func NewWriter(w io.Writer, key, aad []byte) (io.WriteCloser, error) {
	return newWriterSize(w, key, aad, ChunkSize)
}

func newWriterSize(w io.Writer, key, aad []byte, chunkSize int) (*Writer, error) {
	h, err := newHeader(chunkSize)
	if err != nil {
		return nil, err
	}
	aead, err := h.streamAEAD(key)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(h.raw[:]); err != nil {
		return nil, fmt.Errorf("sealed: write header: %w", err)
	}
	return &Writer{
		w:    w,
		cc:   newChunkCrypto(h, aead, aad),
		buf:  make([]byte, 0, chunkSize),
		out:  make([]byte, 0, chunkSize+tagSize),
		size: chunkSize,
	}, nil
}

// Write buffers p and seals every chunk that is known not to be the last.
func (sw *Writer) Write(p []byte) (int, error) {
	if sw.closed {
		return 0, errors.New("sealed: write after close")
	}
	if sw.err != nil {
		return 0, sw.err
	}
	n := 0
	for len(p) > 0 {
		if len(sw.buf) == sw.size {
			// More data follows, so the full buffer is not the last chunk.
			if err := sw.flush(false); err != nil {
				return n, err
			}
		}
		k := copy(sw.buf[len(sw.buf):sw.size], p)
		sw.buf = sw.buf[:len(sw.buf)+k]
		p = p[k:]
		n += k
	}
	return n, nil
}

// Close seals the final chunk (possibly empty). It does not close the
// underlying writer. A second Close returns the result of the first.
func (sw *Writer) Close() error {
	if sw.closed {
		return sw.err
	}
	sw.closed = true
	if sw.err != nil {
		return sw.err
	}
	return sw.flush(true)
}

func (sw *Writer) flush(final bool) error {
	if err := sw.cc.next(final); err != nil {
		sw.err = err
		return err
	}
	sw.out = sw.cc.aead.Seal(sw.out[:0], sw.cc.nonce[:], sw.buf, sw.cc.aad)
	sw.buf = sw.buf[:0]
	if _, err := sw.w.Write(sw.out); err != nil {
		sw.err = fmt.Errorf("sealed: chunk %d: write: %w", sw.cc.index-1, err)
		return sw.err
	}
	return nil
}
