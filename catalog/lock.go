package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Holder describes the process that holds a data folder's lock. It is
// written into the lock file so that a second process can name it.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	// HTTP is the base URL of the holder's HTTP API, when it serves one
	// (see Catalog.Advertise): other commands hand their work to it.
	HTTP string `json:"http,omitempty"`
}

func (h Holder) String() string {
	return fmt.Sprintf("pid %d (%s), since %s", h.PID, h.Command, h.Since.Format(time.RFC3339))
}

// LockedError reports that another process holds the data folder.
type LockedError struct {
	Dir    string
	Holder Holder // zero when the holder could not be read
}

func (e *LockedError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("catalog: data folder %s is in use by another process", e.Dir)
	}
	return fmt.Sprintf("catalog: data folder %s is in use by %s; stop it or point --data elsewhere", e.Dir, e.Holder)
}

// lockFile is an exclusive, advisory, per-process lock on <dir>/LOCK. The
// kernel releases it when the process dies, so a crash never leaves a
// stale lock behind.
type lockFile struct {
	f      *os.File
	holder Holder
}

func acquireLock(dir, command string) (*lockFile, error) {
	path := filepath.Join(dir, "LOCK")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("catalog: open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		var h Holder
		if b, rerr := os.ReadFile(path); rerr == nil {
			_ = json.Unmarshal(b, &h)
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Dir: dir, Holder: h}
		}
		return nil, fmt.Errorf("catalog: lock %s: %w", path, err)
	}
	if command == "" {
		command = strings.Join(commandLine(), " ")
	}
	l := &lockFile{f: f, holder: Holder{PID: os.Getpid(), Command: command, Since: time.Now().UTC().Truncate(time.Second)}}
	_ = l.write()
	return l, nil
}

// write records the holder in the lock file.
func (l *lockFile) write() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err = l.f.WriteAt(append(b, '\n'), 0)
	return err
}

func commandLine() []string {
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	if len(args) > 4 {
		args = append(args[:4], "…")
	}
	return args
}

func (l *lockFile) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
