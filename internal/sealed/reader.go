package sealed

import (
	"errors"
	"fmt"
	"io"
)

// Reader decrypts and authenticates a stream written by Writer, one chunk
// at a time. It returns plaintext only after the chunk holding it has been
// authenticated; io.EOF is returned only after the final chunk has been
// authenticated, so a reader that reaches io.EOF has seen the whole,
// unmodified stream.
type Reader struct {
	r       io.Reader
	cc      *chunkCrypto
	size    int
	in      []byte // ciphertext buffer: one sealed chunk + 1 lookahead byte
	pending int    // bytes of the next chunk already in in[0:pending]
	pt      []byte // plaintext buffer, cap chunk size
	plain   []byte // decrypted, not yet returned (a tail of pt)
	done    bool
	err     error
}

// NewReader reads and checks the stream header from r and returns a reader
// of the plaintext. key and aad must be those given to NewWriter.
func NewReader(r io.Reader, key, aad []byte) (io.Reader, error) {
	var raw [headerSize]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("sealed: header: %w (stream shorter than header)", ErrFormat)
		}
		return nil, fmt.Errorf("sealed: read header: %w", err)
	}
	h, err := parseHeader(raw[:])
	if err != nil {
		return nil, err
	}
	aead, err := h.streamAEAD(key)
	if err != nil {
		return nil, err
	}
	return &Reader{
		r:    r,
		cc:   newChunkCrypto(h, aead, aad),
		size: h.chunkSize,
		in:   make([]byte, h.chunkSize+tagSize+1),
		pt:   make([]byte, 0, h.chunkSize),
	}, nil
}

// Read returns decrypted plaintext.
func (sr *Reader) Read(p []byte) (int, error) {
	for len(sr.plain) == 0 {
		if sr.err != nil {
			return 0, sr.err
		}
		if sr.done {
			return 0, io.EOF
		}
		sr.err = sr.nextChunk()
	}
	n := copy(p, sr.plain)
	sr.plain = sr.plain[n:]
	return n, nil
}

// nextChunk reads one sealed chunk plus one lookahead byte: if the
// lookahead byte exists, the chunk is not the last one.
func (sr *Reader) nextChunk() error {
	full := sr.size + tagSize
	n, err := io.ReadFull(sr.r, sr.in[sr.pending:])
	n += sr.pending
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		err = nil
	default:
		return fmt.Errorf("sealed: chunk %d: read: %w", sr.cc.index, err)
	}
	final := n <= full
	clen := min(n, full)
	if clen < tagSize {
		return fmt.Errorf("sealed: chunk %d: %w", sr.cc.index, ErrTruncated)
	}
	if err := sr.cc.next(final); err != nil {
		return err
	}
	plain, err := sr.cc.aead.Open(sr.pt[:0], sr.cc.nonce[:], sr.in[:clen], sr.cc.aad)
	if err != nil {
		return fmt.Errorf("sealed: chunk %d: %w", sr.cc.index-1, ErrAuth)
	}
	if !final && len(plain) != sr.size {
		return fmt.Errorf("sealed: chunk %d: %w (short non-final chunk)", sr.cc.index-1, ErrFormat)
	}
	sr.plain = plain
	sr.done = final
	if !final {
		// The lookahead byte is the first byte of the next chunk.
		sr.in[0] = sr.in[full]
		sr.pending = 1
	}
	return nil
}
