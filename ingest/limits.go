package ingest

import "fmt"

// MaxRecordBytes is the largest NDJSON line ReadFile accepts: 64 MiB. A
// longer line is rejected ("record of N bytes exceeds the 64 MiB limit")
// without being held in memory: the reader keeps at most MaxRecordBytes of
// it, then skips to the next newline while counting, and the next lines
// load as usual. A Bundle on one line is subject to the same limit.
//
// It must be at least ndjsonBufSize: shorter lines are never measured.
const MaxRecordBytes = 64 << 20

// oversizeReason is the rejection of a line of n bytes.
func oversizeReason(n int64) string {
	return fmt.Sprintf("record of %d bytes exceeds the %d MiB limit", n, MaxRecordBytes>>20)
}

// appendCapped appends b to dst, growing dst to at most limit bytes of
// capacity, so that assembling a line of up to limit bytes never reserves
// more than limit. len(dst)+len(b) must not exceed limit.
func appendCapped(dst, b []byte, limit int) []byte {
	if need := len(dst) + len(b); need > cap(dst) {
		grown := make([]byte, len(dst), min(max(2*cap(dst), need), limit))
		copy(grown, dst)
		dst = grown
	}
	return append(dst, b...)
}
