package remote

import (
	"context"
	"io"
	"sync"
)

// chunkSize is the unit of read-ahead.
const chunkSize = 1 << 20

// Stream is one object being read ahead. Its Read returns the object's
// bytes in order; an error opening or reading the object is returned by
// Read once the bytes before it have been consumed.
type Stream struct {
	Object Object

	ctx     context.Context
	cancel  context.CancelFunc
	chunks  chan []byte
	free    chan []byte
	err     error // set before chunks is closed
	cur     []byte
	curBuf  []byte
	release func()
	once    sync.Once
	opened  chan struct{} // closed once open has returned
	openErr error         // set before opened is closed
	done    chan struct{}
}

func newStream(ctx context.Context, o Object, n int, release func()) *Stream {
	ctx, cancel := context.WithCancel(ctx)
	return &Stream{
		Object: o, ctx: ctx, cancel: cancel, release: release,
		chunks: make(chan []byte, n), free: make(chan []byte, n+1),
		opened: make(chan struct{}), done: make(chan struct{}),
	}
}

// fill opens the object and copies it into chunks until EOF, an error or
// cancellation.
func (s *Stream) fill(open OpenFunc) {
	defer close(s.done)
	defer close(s.chunks)
	rc, err := open(s.ctx, s.Object)
	s.openErr, s.err = err, err
	close(s.opened)
	if err != nil {
		return
	}
	defer rc.Close()
	for {
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return
		}
		var buf []byte
		select {
		case buf = <-s.free:
		default:
			buf = make([]byte, chunkSize)
		}
		n, err := readChunk(rc, buf[:chunkSize])
		if n > 0 {
			select {
			case s.chunks <- buf[:n]:
			case <-s.ctx.Done():
				s.err = s.ctx.Err()
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			s.err = err
			return
		}
	}
}

// readChunk fills buf from r. It returns io.EOF (with the bytes before
// it) at the end of r, and any other error as is.
func readChunk(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Opened waits until the object has been opened and returns the error of
// opening it, if any (it is also returned by Read).
func (s *Stream) Opened() error {
	<-s.opened
	return s.openErr
}

// Read reads the object's next bytes.
func (s *Stream) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		if s.curBuf != nil {
			select {
			case s.free <- s.curBuf[:cap(s.curBuf)]:
			default:
			}
			s.curBuf = nil
		}
		buf, ok := <-s.chunks
		if !ok {
			if s.err != nil {
				return 0, s.err
			}
			return 0, io.EOF
		}
		s.cur, s.curBuf = buf, buf
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

// Close stops reading the object and frees its slot for the next one.
func (s *Stream) Close() error {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		s.release()
	})
	return nil
}
