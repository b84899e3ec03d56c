package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// DefaultSegmentSize is the size after which a segment file is closed
// and the next one started.
const DefaultSegmentSize = 16 << 20

// MaxQueryBytes bounds Event.Query; longer statement text is cut at a
// UTF-8 boundary and marked with " …[truncated]".
const MaxQueryBytes = 64 << 10

// Errors returned by [Open] and [Log.Append].
var (
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("audit: log is closed")
	// ErrLocked is returned by Open when another process holds the log.
	ErrLocked = errors.New("audit: log is in use by another process")
)

// Options configure a [Log]. The zero value is a plain SHA-256 chain with
// 16 MiB segments.
type Options struct {
	// Key, when not nil, makes the chain keyed: each hash is an
	// HMAC-SHA-256 under Key, so that someone who can rewrite the files
	// but does not hold the key cannot forge a chain that verifies. A log
	// keeps the kind of chain it was created with. Use at least 32 bytes.
	Key []byte
	// SealKey, when not nil, encrypts the log at rest: each record is
	// sealed with AES-256-GCM on its own line, bound to its segment and
	// seq (see the package documentation, "Encryption at rest"). It must
	// be 32 bytes (keyring.PurposeAudit of the data key). A new (or
	// still empty) log becomes sealed and stays so: opening it later
	// without the key fails with ErrEncrypted, with another key with
	// ErrWrongKey. A plaintext log that holds records stays plaintext:
	// opening it with a SealKey fails with ErrNotSealed.
	SealKey []byte
	// SegmentSize is the size in bytes after which the current segment is
	// closed and a new one started (default DefaultSegmentSize).
	SegmentSize int64
	// SyncInterval, when positive, relaxes durability for throughput:
	// Append returns once the record is written to the operating system
	// (it survives a crash of the process, such as kill -9), and the log
	// is fsynced at most SyncInterval later (a power failure or kernel
	// crash may lose the records of the last SyncInterval). Zero (the
	// default) fsyncs before every Append returns.
	SyncInterval time.Duration
}

// Receipt identifies an appended record: its seq and hash.
type Receipt struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Log is an open audit log. Append is safe for concurrent use. By default
// one writer goroutine batches concurrent appends into one write and one
// fsync (group commit); with Options.SyncInterval each Append writes its
// record itself and a background goroutine fsyncs.
type Log struct {
	dir  string
	opts Options
	lock *os.File
	done chan struct{} // closed when the writer goroutine ends
	wake chan struct{} // capacity 1: there is work in queue

	mu     sync.Mutex
	queue  []*request
	closed bool
	failed error   // sticky: once a write or fsync fails, every Append fails
	head   Receipt // last durable record

	wmu sync.Mutex // guards w
	w   writer
}

// request is one pending Append.
type request struct {
	ev   []byte // canonical event JSON
	rcpt Receipt
	err  error
	done chan struct{}
}

// Open opens (creating if needed) the log in dir and takes its lock. A
// torn last line left by a crash is cut off; any other damage to the last
// segment is returned as a *Problem (run Verify to see the whole log).
// The caller must Close the log.
func Open(ctx context.Context, dir string, opts Options) (*Log, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", dir, err)
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	cd, err := openCodec(dir, opts.SealKey)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	l := &Log{dir: dir, opts: opts, lock: lock, done: make(chan struct{}), wake: make(chan struct{}, 1)}
	l.w = writer{dir: dir, c: newChain(opts.Key), codec: cd, segSize: opts.SegmentSize, lazy: opts.SyncInterval > 0}
	if err := l.w.open(); err != nil {
		_ = lock.Close()
		return nil, err
	}
	l.head = Receipt{Seq: l.w.seq, Hash: l.w.hash}
	if opts.SyncInterval > 0 {
		go l.syncLoop()
	} else {
		go l.run()
	}
	return l, nil
}

// openCodec returns how to store the records of the log in dir, whose
// lock the caller holds, making a new log sealed when key is set.
func openCodec(dir string, key []byte) (codec, error) {
	cd, mark, err := newCodec(dir, key, true)
	if err != nil {
		return cd, err
	}
	if mark {
		if err := writeMarker(dir, key); err != nil {
			return cd, err
		}
	}
	return cd, nil
}

// lockDir takes an exclusive flock on dir/LOCK.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("audit: lock %s: %w", dir, err)
	}
	return f, nil
}

// Append records ev and returns once the record is durable: written and
// fsynced (only written, with Options.SyncInterval). Concurrent calls
// share one write and one fsync. A zero ev.Time is set to now; times are
// stored in UTC. An ended ctx is refused before anything is written; if
// ctx ends while Append waits for the fsync, Append returns its error and
// the record may or may not be in the log. After a write or fsync failure
// every later Append fails: the log fails closed, so the caller must
// refuse the interaction it was auditing.
func (l *Log) Append(ctx context.Context, ev Event) (Receipt, error) {
	if ev.Kind == "" {
		return Receipt{}, errors.New("audit: append: event has no kind")
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC()
	ev.Query = truncateQuery(ev.Query)
	enc, err := encodeEvent(ev)
	if err != nil {
		return Receipt{}, err
	}
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("audit: append: %w", err)
	}
	if l.opts.SyncInterval > 0 {
		return l.appendNow(enc)
	}
	req := &request{ev: enc, done: make(chan struct{})}
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return Receipt{}, err
	}
	l.queue = append(l.queue, req)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	select {
	case <-req.done:
		return req.rcpt, req.err
	case <-ctx.Done():
		return Receipt{}, fmt.Errorf("audit: append: %w", ctx.Err())
	}
}

// usable returns why the log refuses appends (nil if it accepts them).
// The caller holds l.mu.
func (l *Log) usable() error {
	if l.closed {
		return ErrClosed
	}
	return l.failed
}

// setHead publishes the end of the chain after a commit. The caller
// holds l.wmu.
func (l *Log) setHead() {
	l.mu.Lock()
	l.head = Receipt{Seq: l.w.seq, Hash: l.w.hash}
	l.mu.Unlock()
}

// fail makes err sticky: the log refuses every later Append.
func (l *Log) fail(err error) {
	l.mu.Lock()
	if l.failed == nil {
		l.failed = err
	}
	l.mu.Unlock()
}

// Head returns the seq and hash of the last durable record (seq 0 and
// Genesis for an empty log).
func (l *Log) Head() Receipt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Close waits for pending appends, closes the files and releases the
// lock. Later Appends return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	already := l.closed
	l.closed = true
	l.mu.Unlock()
	if already {
		return nil
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
	l.wmu.Lock()
	err := l.w.close()
	l.wmu.Unlock()
	if cerr := l.lock.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audit: close: %w", cerr)
	}
	return err
}

// truncateQuery cuts q to MaxQueryBytes at a rune boundary.
func truncateQuery(q string) string {
	if len(q) <= MaxQueryBytes {
		return q
	}
	const mark = " …[truncated]"
	n := MaxQueryBytes - len(mark)
	for n > 0 && !utf8.RuneStart(q[n]) {
		n--
	}
	return q[:n] + mark
}
