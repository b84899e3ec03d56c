package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// EnvMasterKey is the environment variable holding a base64 master key.
const EnvMasterKey = "FHIRLAKE_MASTER_KEY"

// ErrNoMasterKey is returned by Resolve when no master key is configured
// and Options.Create is false.
var ErrNoMasterKey = errors.New("keyring: no master key")

// Options tell Resolve where to look for the master key.
type Options struct {
	// KeyFile is the --key-file flag; when set, it is the only source.
	KeyFile string
	// Env looks up environment variables; nil means os.Getenv.
	Env func(string) string
	// ConfigDir is the user's configuration folder holding
	// fhirlake/master.key; empty means os.UserConfigDir().
	ConfigDir string
	// DataDir is the data folder; a key file inside it is refused.
	DataDir string
	// Create makes the default key file when no key is found.
	Create bool
}

// SourceKind says where a master key came from.
type SourceKind int

const (
	// SourceKeyFile is the file named by Options.KeyFile.
	SourceKeyFile SourceKind = iota + 1
	// SourceEnv is the FHIRLAKE_MASTER_KEY environment variable.
	SourceEnv
	// SourceDefaultFile is <ConfigDir>/fhirlake/master.key.
	SourceDefaultFile
)

// String names the kind for messages.
func (s SourceKind) String() string {
	switch s {
	case SourceKeyFile:
		return "key file"
	case SourceEnv:
		return "environment variable " + EnvMasterKey
	case SourceDefaultFile:
		return "default key file"
	}
	return "unknown"
}

// Source describes the master key Resolve found.
type Source struct {
	Kind        SourceKind
	Path        string // key file path; empty for SourceEnv
	Created     bool   // Resolve created the default key file just now
	Fingerprint string // master key fingerprint
}

// DefaultKeyPath returns <configDir>/fhirlake/master.key; an empty
// configDir means os.UserConfigDir().
func DefaultKeyPath(configDir string) (string, error) {
	if configDir == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("keyring: no user configuration folder (%w); pass --key-file or set %s", err, EnvMasterKey)
		}
		configDir = d
	}
	return filepath.Join(configDir, "fhirlake", "master.key"), nil
}

// Resolve finds the master key: Options.KeyFile, else the
// FHIRLAKE_MASTER_KEY environment variable, else the default key file,
// which it creates (mode 0600, folder 0700) when absent and opts.Create
// is set. It returns a LocalProvider for the key and where it came from.
func Resolve(opts Options) (Provider, Source, error) {
	k, src, err := resolveKey(opts)
	if err != nil {
		return nil, Source{}, err
	}
	p, err := NewLocalProvider(k)
	if err != nil {
		return nil, Source{}, err
	}
	src.Fingerprint = k.Fingerprint()
	return p, src, nil
}

func resolveKey(opts Options) (MasterKey, Source, error) {
	if opts.KeyFile != "" {
		k, err := readCheckedKeyFile(opts.KeyFile, opts.DataDir)
		return k, Source{Kind: SourceKeyFile, Path: opts.KeyFile}, err
	}
	env := opts.Env
	if env == nil {
		env = os.Getenv
	}
	if v := env(EnvMasterKey); v != "" {
		k, err := ParseMasterKey(v)
		if err != nil {
			return MasterKey{}, Source{}, fmt.Errorf("%w (from %s)", err, EnvMasterKey)
		}
		return k, Source{Kind: SourceEnv}, nil
	}
	path, err := DefaultKeyPath(opts.ConfigDir)
	if err != nil {
		return MasterKey{}, Source{}, err
	}
	src := Source{Kind: SourceDefaultFile, Path: path}
	k, err := readCheckedKeyFile(path, opts.DataDir)
	switch {
	case err == nil:
		return k, src, nil
	case !errors.Is(err, fs.ErrNotExist):
		return MasterKey{}, Source{}, err
	case !opts.Create:
		return MasterKey{}, Source{}, fmt.Errorf("%w: pass --key-file FILE, set %s, or create %s (fhirlake creates it on first start)", ErrNoMasterKey, EnvMasterKey, path)
	}
	k, src.Created, err = createDefaultKey(path, opts.DataDir)
	return k, src, err
}

func readCheckedKeyFile(path, dataDir string) (MasterKey, error) {
	if err := checkOutsideData(path, dataDir); err != nil {
		return MasterKey{}, err
	}
	return ReadKeyFile(path)
}

func checkOutsideData(path, dataDir string) error {
	if dataDir == "" {
		return nil
	}
	in, err := insideDir(path, dataDir)
	if err != nil {
		return err
	}
	if in {
		return fmt.Errorf("keyring: key file %s is inside the data folder %s; keep the master key away from the data it protects", path, dataDir)
	}
	return nil
}

// createDefaultKey makes a new key file; if another process created it
// first, that key is read instead.
func createDefaultKey(path, dataDir string) (k MasterKey, created bool, err error) {
	if err := checkOutsideData(path, dataDir); err != nil {
		return MasterKey{}, false, err
	}
	k, err = GenerateMasterKey()
	if err != nil {
		return MasterKey{}, false, err
	}
	if err := CreateKeyFile(path, k); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err = ReadKeyFile(path)
			return k, false, err
		}
		return MasterKey{}, false, err
	}
	return k, true, nil
}
