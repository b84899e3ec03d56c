package keyring

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxKeyFileSize bounds what ReadKeyFile reads: a key line is 45 bytes.
const maxKeyFileSize = 4 << 10

// ReadKeyFile reads a master key file, refusing one that group or others
// may read or write (on Unix) and one that is not a regular file.
func ReadKeyFile(path string) (MasterKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return MasterKey{}, fmt.Errorf("keyring: key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return MasterKey{}, fmt.Errorf("keyring: key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return MasterKey{}, fmt.Errorf("keyring: key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return MasterKey{}, fmt.Errorf("keyring: key file %s has mode %04o; it must not be accessible to group or others (run: chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return MasterKey{}, fmt.Errorf("keyring: key file %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return MasterKey{}, fmt.Errorf("keyring: key file %s is too large to be a key file", path)
	}
	k, err := ParseMasterKey(string(b))
	clear(b)
	if err != nil {
		return MasterKey{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return k, nil
}

// CreateKeyFile writes k to a new file at path with mode 0600, creating
// its folder with mode 0700 if needed. It never overwrites: an existing
// file is an error wrapping fs.ErrExist. The file appears whole (written
// and synced under a temporary name, then hard-linked into place), so a
// process that loses a race to create it reads a complete key.
func CreateKeyFile(path string, k MasterKey) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keyring: create key folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".master.key.*.tmp")
	if err != nil {
		return fmt.Errorf("keyring: create key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err = f.Chmod(0o600); err == nil {
		_, err = f.WriteString(k.Encode())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keyring: write key file %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		return fmt.Errorf("keyring: create key file: %w", err)
	}
	return syncDir(dir)
}

// insideDir reports whether path is dir or lies under it, after making
// both absolute and resolving symbolic links where they exist.
func insideDir(path, dir string) (bool, error) {
	p, err := resolvePath(path)
	if err != nil {
		return false, err
	}
	d, err := resolvePath(dir)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return false, nil
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), nil
}

// resolvePath returns an absolute path with symbolic links resolved for
// the longest existing prefix.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("keyring: %w", err)
	}
	var rest []string
	for cur := abs; ; {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("keyring: %w", err)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}
