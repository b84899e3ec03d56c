package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// segmentName returns the file name of segment n: 000001.ndjson.
func segmentName(n int) string { return fmt.Sprintf("%06d.ndjson", n) }

// segmentNumber parses a segment file name; ok is false for other files.
func segmentNumber(name string) (int, bool) {
	base, ok := strings.CutSuffix(name, ".ndjson")
	if !ok || len(base) < 6 {
		return 0, false
	}
	n, err := strconv.Atoi(base)
	if err != nil || n < 1 || segmentName(n) != name {
		return 0, false
	}
	return n, true
}

// segments lists the segment numbers in dir in ascending order. A missing
// dir has none.
func segments(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", dir, err)
	}
	var nums []int
	for _, e := range ents {
		if n, ok := segmentNumber(e.Name()); ok && e.Type().IsRegular() {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	return nums, nil
}

// tail is the state of a log's last segment after recovery.
type tail struct {
	seq  uint64 // seq of the last record (0 if none)
	hash string // hash of the last record (Genesis if none)
	size int64  // bytes of complete records in the segment
}

// recoverTail scans the last segment, data, whose first record must chain
// from seq/hash, and returns the end of the chain. Bytes after the last
// good record are a torn write (never acknowledged) when they hold no
// newline or hold NUL bytes, as a crash leaves them; anything else is
// reported as a *Problem, so that recovery never drops a complete record.
func recoverTail(seg int, data []byte, c *chain, cd codec, seq uint64, hash string) (tail, error) {
	v := verifier{c: c, codec: cd, seq: seq, hash: hash, seg: seg, file: segmentName(seg)}
	end := 0
	for end < len(data) {
		i := bytes.IndexByte(data[end:], '\n')
		if i < 0 {
			break
		}
		if p := v.check(data[end : end+i]); p != nil {
			if bytes.IndexByte(data[end:], 0) >= 0 {
				break
			}
			return tail{}, p
		}
		end += i + 1
	}
	return tail{seq: v.seq, hash: v.hash, size: int64(end)}, nil
}

// lastChained reads segments before the last to find where the last one
// must chain from: the seq and hash of the last record before it. Only the
// final line of the newest non-empty earlier segment is read.
func lastChained(dir string, nums []int, cd codec) (uint64, string, error) {
	for i := len(nums) - 2; i >= 0; i-- {
		path := filepath.Join(dir, segmentName(nums[i]))
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, "", fmt.Errorf("audit: read %s: %w", path, err)
		}
		data = bytes.TrimSuffix(data, []byte("\n"))
		if len(data) == 0 {
			continue
		}
		line := data[bytes.LastIndexByte(data, '\n')+1:]
		line, err = cd.open(nums[i], line)
		if err != nil {
			return 0, "", &Problem{File: segmentName(nums[i]), What: err.Error()}
		}
		r, _, err := parseLine(line)
		if err != nil {
			return 0, "", &Problem{File: segmentName(nums[i]), Seq: r.Seq, What: err.Error()}
		}
		return r.Seq, r.Hash, nil
	}
	return 0, Genesis, nil
}

// syncDir fsyncs a directory so that a new file's name is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	return nil
}
