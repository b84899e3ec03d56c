package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// queryMemoryLimit turns --memory-limit into DuckDB's memory_limit: a
// size passes through, a percentage is of the machine's RAM, and the
// default is half of the RAM, leaving the rest to the raw store, the
// flattening workers and the page cache.
func queryMemoryLimit(flag string) (string, error) {
	pct := 50.0
	switch {
	case strings.HasSuffix(flag, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(flag, "%"), 64)
		if err != nil || p <= 0 || p > 100 {
			return "", usagef("serve: --memory-limit %q: a percentage must be in (0, 100]", flag)
		}
		pct = p
	case flag != "":
		return flag, nil
	}
	total, err := totalMemory()
	if err != nil {
		return "", nil // DuckDB's own default (80% of RAM)
	}
	return fmt.Sprintf("%dMB", int64(float64(total)*pct/100)>>20), nil
}

// totalMemory reads MemTotal from /proc/meminfo, in bytes.
func totalMemory() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no MemTotal in /proc/meminfo")
}
