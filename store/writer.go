package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writer applies changes inside one write transaction.
type writer struct {
	current, versions, counts *bolt.Bucket
	idents                    *bolt.Bucket
	dec                       Codec       // reads versions written before
	seal                      *Encryption // hashes identifier keys; nil if not encrypted
	updated                   int64       // lastUpdated of every version written, Unix ms
	delta                     map[string]int64
	mem                       arena
}

func newWriter(tx *bolt.Tx, now time.Time, seal *Encryption) *writer {
	w := &writer{
		seal:     seal,
		current:  tx.Bucket(bucketCurrent),
		versions: tx.Bucket(bucketVersions),
		counts:   tx.Bucket(bucketCounts),
		idents:   tx.Bucket(bucketIdentifiers),
		updated:  now.UnixMilli(),
		delta:    map[string]int64{},
	}
	// bbolt splits a node at commit into pages filled up to FillPercent.
	// Version keys only ever append, so packing those pages full costs
	// nothing. Current keys are random ids, so their pages keep bbolt's
	// default slack (0.5): a full page would split on the next insert.
	w.versions.FillPercent = 1
	return w
}

// head returns the current head of rk, if any.
func (w *writer) head(rk []byte) (head, bool, error) {
	v := w.current.Get(rk)
	if v == nil {
		return head{}, false, nil
	}
	h, err := decodeHead(v)
	return h, true, err
}

// put writes p as planned: a new version (p.val holds its encoded value)
// or nothing if p is unchanged. The transaction sees the heads the plan was
// made from, plus the batch's own earlier writes; a disagreement means the
// plan is stale and fails the transaction.
func (w *writer) put(p *prepared) (Outcome, error) {
	cur, exists, err := w.head(p.rk)
	if err != nil {
		return 0, err
	}
	if exists && !cur.deleted && cur.hash == p.hash {
		if p.val != nil {
			return 0, fmt.Errorf("store: internal: unchanged content planned as version %d", p.version)
		}
		return Unchanged, nil
	}
	h := head{version: 1, updated: w.updated, hash: p.hash}
	outcome := Created
	if exists {
		h.version = cur.version + 1
		if !cur.deleted {
			outcome = Updated
		}
	}
	if p.val == nil || p.version != h.version {
		return 0, fmt.Errorf("store: internal: version %d planned as %d", h.version, p.version)
	}
	if err := w.write(p.typ, p.rk, &h, cur.seq, p.val); err != nil {
		return 0, err
	}
	if outcome == Created {
		w.delta[p.typ]++
	}
	return outcome, nil
}

// tombstone writes a deleted version after cur.
func (w *writer) tombstone(typ, id string, rk []byte, cur head) (head, error) {
	h := head{version: cur.version + 1, updated: w.updated, deleted: true}
	val := w.mem.copy(appendVerHeader(nil, typ, id))
	if err := w.write(typ, rk, &h, cur.seq, val); err != nil {
		return head{}, err
	}
	w.delta[typ]--
	return h, nil
}

// write appends one version whose value (header and encoded body) is val,
// with prev the sequence number of the version before it (0 if none), and
// makes it the head of rk. It fills in the header fields of val in place,
// and sets h.seq. val must stay unchanged until the transaction ends.
func (w *writer) write(typ string, rk []byte, h *head, prev uint64, val []byte) error {
	seq, err := w.versions.NextSequence()
	if err != nil {
		return fmt.Errorf("%s: next sequence: %w", typ, err)
	}
	h.seq = seq
	vh := verHeader{deleted: h.deleted, updated: h.updated, version: h.version, prev: prev}
	vh.putFixed(val)
	if err := w.versions.Put(w.mem.copy(seqKey(seq)), val); err != nil {
		return err
	}
	var hv [headLen]byte
	return w.current.Put(rk, w.mem.copy(h.appendTo(hv[:0])))
}

// flushCounts adds the per-type count changes to the counts bucket. A type
// keeps its entry (possibly 0) once written, which is how Types knows it.
func (w *writer) flushCounts() error {
	for typ, d := range w.delta {
		var n int64
		if v := w.counts.Get([]byte(typ)); len(v) == 8 {
			n = int64(binary.BigEndian.Uint64(v))
		}
		if err := w.counts.Put([]byte(typ), binary.BigEndian.AppendUint64(nil, uint64(n+d))); err != nil {
			return err
		}
	}
	return nil
}
