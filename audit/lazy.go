package audit

import (
	"fmt"
	"syscall"
	"time"
)

// appendNow is Append with Options.SyncInterval: the record is chained
// and written by the caller under wmu, with no fsync; syncLoop fsyncs.
func (l *Log) appendNow(ev []byte) (Receipt, error) {
	req := &request{ev: ev}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	err := l.usable()
	l.mu.Unlock()
	if err != nil {
		return Receipt{}, err
	}
	if err := l.w.commit([]*request{req}); err != nil {
		l.fail(err)
		return Receipt{}, err
	}
	l.setHead()
	if err := l.w.rotate(); err != nil {
		l.fail(err) // the record itself is written
	}
	return req.rcpt, nil
}

// syncLoop fsyncs the written records every SyncInterval until the log
// is closed (Close fsyncs the rest).
func (l *Log) syncLoop() {
	defer close(l.done)
	t := time.NewTicker(l.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-l.wake:
		}
		l.mu.Lock()
		closed := l.closed
		l.mu.Unlock()
		if closed {
			return
		}
		if err := l.backgroundSync(); err != nil {
			l.fail(err)
		}
	}
}

// backgroundSync fsyncs what lazy appends have written, without holding
// wmu during the fsync (milliseconds on a busy disk), so appends keep
// writing while it runs. A record written during the fsync marks the
// segment dirty again for the next round.
func (l *Log) backgroundSync() error {
	l.wmu.Lock()
	dirty, seg := l.w.dirty, l.w.seg
	l.w.dirty = false
	// Taken before wmu is released, so rotate (under wmu) cannot close
	// the file between here and the fsync.
	l.w.fileMu.Lock()
	f := l.w.f
	l.wmu.Unlock()
	defer l.w.fileMu.Unlock()
	if !dirty || f == nil {
		return nil
	}
	if err := syscall.Fdatasync(int(f.Fd())); err != nil {
		return fmt.Errorf("audit: fsync %s: %w", segmentName(seg), err)
	}
	return nil
}
