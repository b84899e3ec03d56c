package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// writer appends batches of records to the current segment. After open
// it is used only under Log.wmu.
type writer struct {
	dir     string
	c       *chain
	codec   codec // seals records in a sealed log
	segSize int64
	lazy    bool // fsync at most every SyncInterval instead of in commit

	f     *os.File
	seg   int    // number of the current segment
	size  int64  // bytes in the current segment
	seq   uint64 // seq of the last durable record
	hash  string // hash of the last durable record
	dirty bool   // written but not yet fsynced (lazy mode)
	buf   []byte
	plain []byte // a record line before sealing (sealed logs only)
	// fileMu keeps f open while the background fsync of lazy mode runs
	// outside Log.wmu (see Log.syncLoop): rotate and close take it
	// before closing f.
	fileMu sync.Mutex
}

// open recovers the end of the chain and opens the last segment for
// appending (creating the first segment of a new log).
func (w *writer) open() error {
	nums, err := segments(w.dir)
	if err != nil {
		return err
	}
	if len(nums) == 0 {
		w.hash = Genesis
		return w.create(1)
	}
	seq, hash, err := lastChained(w.dir, nums, w.codec)
	if err != nil {
		return err
	}
	w.seg = nums[len(nums)-1]
	path := filepath.Join(w.dir, segmentName(w.seg))
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("audit: open: %w", err)
	}
	t, err := recoverTail(w.seg, data, w.c, w.codec, seq, hash)
	if err != nil {
		return err
	}
	w.seq, w.hash, w.size = t.seq, t.hash, t.size
	w.f, err = os.OpenFile(path, os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit: open: %w", err)
	}
	if t.size < int64(len(data)) { // a torn write: never acknowledged
		if err := w.f.Truncate(t.size); err != nil {
			return fmt.Errorf("audit: cut torn tail of %s: %w", path, err)
		}
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("audit: cut torn tail of %s: %w", path, err)
		}
	}
	if _, err := w.f.Seek(t.size, 0); err != nil {
		return fmt.Errorf("audit: open: %w", err)
	}
	return nil
}

// create starts segment n and makes its name durable.
func (w *writer) create(n int) error {
	path := filepath.Join(w.dir, segmentName(n))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit: new segment: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		_ = f.Close()
		return err
	}
	w.f, w.seg, w.size = f, n, 0
	return nil
}

// commit writes the records of batch in one write and one fsync (only the
// write in lazy mode), and fills in their receipts. On error nothing in
// batch is acknowledged.
func (w *writer) commit(batch []*request) error {
	w.buf = w.buf[:0]
	seq, hash := w.seq, w.hash
	for _, r := range batch {
		seq++
		if err := w.appendRecord(seq, &hash, r.ev); err != nil {
			return err
		}
		r.rcpt = Receipt{Seq: seq, Hash: hash}
	}
	if _, err := w.f.Write(w.buf); err != nil {
		return fmt.Errorf("audit: write %s: %w", segmentName(w.seg), err)
	}
	w.dirty = true
	if !w.lazy {
		if err := w.sync(); err != nil {
			return err
		}
	}
	w.seq, w.hash = seq, hash
	w.size += int64(len(w.buf))
	if cap(w.buf) > 4<<20 { // do not keep a huge buffer after a burst
		w.buf = nil
	}
	if cap(w.plain) > 1<<20 {
		w.plain = nil
	}
	return nil
}

// appendRecord appends the stored line of record seq, chained from *hash
// (which it advances), to w.buf: the record line itself in a plaintext
// log, the record line sealed in a sealed one. The hash always covers the
// plaintext record.
func (w *writer) appendRecord(seq uint64, hash *string, ev []byte) error {
	if w.codec.box == nil {
		w.buf, *hash = w.c.appendLine(w.buf, seq, *hash, ev)
		return nil
	}
	w.plain, *hash = w.c.appendLine(w.plain[:0], seq, *hash, ev)
	var err error
	w.buf, err = w.codec.appendStored(w.buf, w.seg, seq, w.plain[:len(w.plain)-1])
	return err
}

// sync fsyncs the current segment if it has unsynced writes.
func (w *writer) sync() error {
	if !w.dirty {
		return nil
	}
	if err := syscall.Fdatasync(int(w.f.Fd())); err != nil {
		return fmt.Errorf("audit: fsync %s: %w", segmentName(w.seg), err)
	}
	w.dirty = false
	return nil
}

// rotate starts the next segment once the current one is full.
func (w *writer) rotate() error {
	if w.size < w.segSize {
		return nil
	}
	if err := w.sync(); err != nil {
		return err
	}
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("audit: close %s: %w", segmentName(w.seg), err)
	}
	w.f = nil
	return w.create(w.seg + 1)
}

func (w *writer) close() error {
	if w.f == nil {
		return nil
	}
	err := w.sync()
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audit: close %s: %w", segmentName(w.seg), cerr)
	}
	w.f = nil
	return err
}
