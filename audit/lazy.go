package audit

import "time"

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
		l.wmu.Lock()
		err := l.w.sync()
		l.wmu.Unlock()
		if err != nil {
			l.fail(err)
		}
	}
}
