package ingest

import (
	"fmt"
	"io"
)

// streamChunk is the least the stream reads at a time.
const streamChunk = 64 << 10

// jsonStream reads JSON text through a window that holds the value being
// read and not much more: memory is bounded by the largest single value
// asked for with value, not by the input.
type jsonStream struct {
	r    io.Reader
	buf  []byte // buf[pos:] is read but not consumed
	pos  int
	base int64 // input offset of buf[0]
	eof  bool  // r returned io.EOF or an error
	sc   scanner
}

func newJSONStream(r io.Reader) *jsonStream {
	return &jsonStream{r: r}
}

// offset returns the input offset of the next unconsumed byte.
func (s *jsonStream) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input, keeping buf[pos:]. It makes room for at least as
// much again as is unconsumed, so rescanning a growing value is amortised
// linear. It reports whether anything was read.
func (s *jsonStream) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 { // drop consumed bytes
		n := copy(s.buf, s.buf[s.pos:])
		s.base += int64(s.pos)
		s.buf, s.pos = s.buf[:n], 0
	}
	if need := max(len(s.buf), streamChunk); cap(s.buf)-len(s.buf) < need {
		grown := make([]byte, len(s.buf), len(s.buf)+need)
		copy(grown, s.buf)
		s.buf = grown
	}
	read := false
	for len(s.buf) < cap(s.buf) { // fill up, so rescans stay geometric
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		read = read || n > 0
		if err != nil {
			s.eof = true
			break
		}
		if n == 0 {
			break
		}
	}
	return read
}

// peek skips whitespace and returns the next byte without consuming it;
// ok is false at the end of the input.
func (s *jsonStream) peek() (c byte, ok bool) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, true
			}
		}
		if !s.fill() {
			return 0, false
		}
	}
}

// value consumes the JSON value at the current position (after
// whitespace) and returns its bytes, valid until the next call. An
// incomplete value at the end of the input is an error at that end.
func (s *jsonStream) value() ([]byte, *streamError) {
	if _, ok := s.peek(); !ok {
		return nil, s.errEOF()
	}
	for {
		err := s.sc.prefix(s.buf[s.pos:])
		end := s.pos + s.sc.pos
		complete := err == nil && (end < len(s.buf) || s.eof)
		if complete {
			v := s.buf[s.pos:end]
			s.pos = end
			return v, nil
		}
		if err != nil && err.off < len(s.buf)-s.pos { // a real syntax error
			return nil, &streamError{off: s.offset() + int64(err.off), msg: err.msg}
		}
		if !s.fill() {
			if err == nil {
				continue // the value ends exactly at the end of the input
			}
			return nil, s.errEOF()
		}
	}
}

// consume checks that the next byte is c and consumes it.
func (s *jsonStream) consume(c byte, context string) *streamError {
	got, ok := s.peek()
	if !ok {
		return s.errEOF()
	}
	if got != c {
		return s.errChar(got, context)
	}
	s.pos++
	return nil
}

func (s *jsonStream) errEOF() *streamError {
	return &streamError{off: s.base + int64(len(s.buf)), msg: "unexpected end of input", eof: true}
}

func (s *jsonStream) errChar(c byte, context string) *streamError {
	return &streamError{off: s.offset(), msg: fmt.Sprintf("invalid character %q %s", c, context)}
}

// streamError is a syntax error at an input offset.
type streamError struct {
	off int64
	msg string
	eof bool // the input ended early
}
