package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes the computer a run measured, from /proc.
type Machine struct {
	CPUModel  string `json:"cpu_model"`
	CPUs      int    `json:"cpus"`      // logical processors in /proc/cpuinfo
	MemoryMB  int64  `json:"memory_mb"` // MemTotal
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
}

// DescribeMachine reads /proc/cpuinfo, /proc/meminfo and the kernel release.
func DescribeMachine() (Machine, error) {
	m := Machine{GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return m, fmt.Errorf("bench: machine: %w", err)
	}
	m.CPUModel, m.CPUs, err = parseCPUInfo(f)
	f.Close()
	if err != nil {
		return m, err
	}
	f, err = os.Open("/proc/meminfo")
	if err != nil {
		return m, fmt.Errorf("bench: machine: %w", err)
	}
	m.MemoryMB, err = parseMemTotal(f)
	f.Close()
	if err != nil {
		return m, err
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m, nil
}

// parseCPUInfo returns the first "model name" and the number of
// "processor" entries of /proc/cpuinfo.
func parseCPUInfo(r io.Reader) (model string, cpus int, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			cpus++
		case "model name":
			if model == "" {
				model = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", 0, fmt.Errorf("bench: /proc/cpuinfo: %w", err)
	}
	if cpus == 0 {
		return "", 0, fmt.Errorf("bench: /proc/cpuinfo: no processor entries")
	}
	return model, cpus, nil
}

// parseMemTotal returns MemTotal of /proc/meminfo in MB (MiB).
func parseMemTotal(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bench: /proc/meminfo MemTotal: %w", err)
			}
			return kb / 1024, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("bench: /proc/meminfo: %w", err)
	}
	return 0, fmt.Errorf("bench: /proc/meminfo: no MemTotal")
}

// GitCommit returns the commit checked out in dir, with "-dirty" when the
// work tree has uncommitted changes, or "unknown" when git cannot tell.
func GitCommit(ctx context.Context, dir string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		c += "-dirty"
	}
	return c
}
