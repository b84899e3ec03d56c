package audit

// run is the writer goroutine of the default (fsync) mode: it takes
// everything queued, commits it as one batch (one write, one fsync) and
// wakes the callers, until the log is closed and drained.
func (l *Log) run() {
	defer close(l.done)
	for {
		l.mu.Lock()
		batch, closed, failed := l.queue, l.closed, l.failed
		l.queue = nil
		l.mu.Unlock()
		if len(batch) == 0 {
			if closed {
				return
			}
			<-l.wake
			continue
		}
		if failed != nil {
			release(batch, failed)
			continue
		}
		l.wmu.Lock()
		err := l.w.commit(batch)
		if err == nil {
			l.setHead()
			if rerr := l.w.rotate(); rerr != nil {
				l.fail(rerr) // the batch itself is durable
			}
		}
		l.wmu.Unlock()
		if err != nil {
			l.fail(err)
		}
		release(batch, err)
	}
}

// release wakes the callers of batch with err (nil: acknowledged).
func release(batch []*request, err error) {
	for _, r := range batch {
		r.err = err
		close(r.done)
	}
}
