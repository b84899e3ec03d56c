package keyring

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// dirs are the folders of one Resolve test case.
type dirs struct {
	root, config, data string
	env                map[string]string
}

func writeKey(t *testing.T, path string, k MasterKey, mode os.FileMode) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(k.Encode()), mode))
	require.NoError(t, os.Chmod(path, mode))
	return path
}

func TestResolve(t *testing.T) {
	fileKey, envKey, defKey := fixedKey(10), fixedKey(20), fixedKey(30)
	tests := []struct {
		name        string
		setup       func(t *testing.T, d *dirs) Options
		wantKind    SourceKind
		wantKey     MasterKey
		wantCreated bool
		wantErr     string
		wantErrIs   error
	}{
		{
			name: "key file",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{KeyFile: writeKey(t, filepath.Join(d.root, "k"), fileKey, 0o600), DataDir: d.data}
			},
			wantKind: SourceKeyFile, wantKey: fileKey,
		},
		{
			name: "key file beats environment and default",
			setup: func(t *testing.T, d *dirs) Options {
				d.env[EnvMasterKey] = envKey.Encode()
				writeKey(t, filepath.Join(d.config, "fhirlake", "master.key"), defKey, 0o600)
				return Options{KeyFile: writeKey(t, filepath.Join(d.root, "k"), fileKey, 0o400), ConfigDir: d.config}
			},
			wantKind: SourceKeyFile, wantKey: fileKey,
		},
		{
			name: "environment beats default",
			setup: func(t *testing.T, d *dirs) Options {
				d.env[EnvMasterKey] = envKey.Encode() // with the newline, as $(cat file) would not have
				writeKey(t, filepath.Join(d.config, "fhirlake", "master.key"), defKey, 0o600)
				return Options{ConfigDir: d.config, Create: true}
			},
			wantKind: SourceEnv, wantKey: envKey,
		},
		{
			name: "existing default file",
			setup: func(t *testing.T, d *dirs) Options {
				writeKey(t, filepath.Join(d.config, "fhirlake", "master.key"), defKey, 0o600)
				return Options{ConfigDir: d.config, DataDir: d.data, Create: true}
			},
			wantKind: SourceDefaultFile, wantKey: defKey,
		},
		{
			name: "default created on first start",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{ConfigDir: d.config, DataDir: d.data, Create: true}
			},
			wantKind:    SourceDefaultFile,
			wantCreated: true,
		},
		{
			name:      "no key and no create",
			setup:     func(t *testing.T, d *dirs) Options { return Options{ConfigDir: d.config} },
			wantErrIs: ErrNoMasterKey, wantErr: "pass --key-file FILE, set FHIRLAKE_MASTER_KEY",
		},
		{
			name: "group-readable key file",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{KeyFile: writeKey(t, filepath.Join(d.root, "k"), fileKey, 0o640)}
			},
			wantErr: "has mode 0640; it must not be accessible to group or others",
		},
		{
			name: "world-readable default file",
			setup: func(t *testing.T, d *dirs) Options {
				writeKey(t, filepath.Join(d.config, "fhirlake", "master.key"), defKey, 0o604)
				return Options{ConfigDir: d.config, Create: true}
			},
			wantErr: "has mode 0604",
		},
		{
			name: "key file inside data folder",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{KeyFile: writeKey(t, filepath.Join(d.data, "sub", "master.key"), fileKey, 0o600), DataDir: d.data}
			},
			wantErr: "is inside the data folder",
		},
		{
			name: "key file reached through a symlink into the data folder",
			setup: func(t *testing.T, d *dirs) Options {
				writeKey(t, filepath.Join(d.data, "master.key"), fileKey, 0o600)
				link := filepath.Join(d.root, "link.key")
				require.NoError(t, os.Symlink(filepath.Join(d.data, "master.key"), link))
				return Options{KeyFile: link, DataDir: d.data}
			},
			wantErr: "is inside the data folder",
		},
		{
			name: "default folder inside data folder is not created",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{ConfigDir: filepath.Join(d.data, "cfg"), DataDir: d.data, Create: true}
			},
			wantErr: "is inside the data folder",
		},
		{
			name: "key file of wrong length",
			setup: func(t *testing.T, d *dirs) Options {
				p := filepath.Join(d.root, "short.key")
				require.NoError(t, os.WriteFile(p, []byte("c2hvcnQ=\n"), 0o600))
				return Options{KeyFile: p}
			},
			wantErr: "master key has 5 bytes, want 32 (file ",
		},
		{
			name: "missing key file",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{KeyFile: filepath.Join(d.root, "nope.key"), Create: true}
			},
			wantErrIs: fs.ErrNotExist,
		},
		{
			name: "key file is a folder",
			setup: func(t *testing.T, d *dirs) Options {
				return Options{KeyFile: d.config}
			},
			wantErr: "is not a regular file",
		},
		{
			name: "bad environment value",
			setup: func(t *testing.T, d *dirs) Options {
				d.env[EnvMasterKey] = "not-a-key"
				return Options{ConfigDir: d.config, Create: true}
			},
			wantErr: "(from FHIRLAKE_MASTER_KEY)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			d := &dirs{root: root, config: filepath.Join(root, "config"), data: filepath.Join(root, "data"), env: map[string]string{}}
			require.NoError(t, os.MkdirAll(d.config, 0o700))
			require.NoError(t, os.MkdirAll(d.data, 0o700))
			opts := tt.setup(t, d)
			opts.Env = func(k string) string { return d.env[k] }
			p, src, err := Resolve(opts)
			if tt.wantErr != "" || tt.wantErrIs != nil {
				require.Error(t, err)
				require.Nil(t, p)
				if tt.wantErr != "" {
					require.ErrorContains(t, err, tt.wantErr)
				}
				if tt.wantErrIs != nil {
					require.ErrorIs(t, err, tt.wantErrIs)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantKind, src.Kind)
			require.Equal(t, tt.wantCreated, src.Created)
			lp := p.(*LocalProvider)
			require.Equal(t, lp.Fingerprint(), src.Fingerprint)
			if !tt.wantCreated {
				require.Equal(t, tt.wantKey.Fingerprint(), src.Fingerprint)
				return
			}
			// The created file is private, in a private folder, and is the
			// key used; a second start reads it instead of making another.
			st, err := os.Stat(src.Path)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
			dst, err := os.Stat(filepath.Dir(src.Path))
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o700), dst.Mode().Perm())
			require.Equal(t, filepath.Join(d.config, "fhirlake", "master.key"), src.Path)
			_, src2, err := Resolve(opts)
			require.NoError(t, err)
			require.False(t, src2.Created)
			require.Equal(t, src.Fingerprint, src2.Fingerprint)
			// FHIRLAKE_MASTER_KEY=$(cat file) gives the same key.
			b, err := os.ReadFile(src.Path)
			require.NoError(t, err)
			k, err := ParseMasterKey(string(b[:len(b)-1]))
			require.NoError(t, err)
			require.Equal(t, src.Fingerprint, k.Fingerprint())
		})
	}
}

func TestCreateKeyFileNeverOverwrites(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a", "master.key")
	require.NoError(t, CreateKeyFile(p, fixedKey(1)))
	err := CreateKeyFile(p, fixedKey(2))
	require.True(t, errors.Is(err, fs.ErrExist), "got %v", err)
	k, err := ReadKeyFile(p)
	require.NoError(t, err)
	require.Equal(t, fixedKey(1), k)
}

func TestInsideDir(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		path, dir string
		want      bool
	}{
		{filepath.Join(root, "d", "k"), filepath.Join(root, "d"), true},
		{filepath.Join(root, "d"), filepath.Join(root, "d"), true},
		{filepath.Join(root, "d", "..", "k"), filepath.Join(root, "d"), false},
		{filepath.Join(root, "dd", "k"), filepath.Join(root, "d"), false},
		{filepath.Join(root, "d", "x", "y", "z"), filepath.Join(root, "d") + "/", true},
	}
	for _, tt := range tests {
		got, err := insideDir(tt.path, tt.dir)
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "%s in %s", tt.path, tt.dir)
	}
}

// TestResolveCreateRace: processes starting together on a fresh machine
// all end up with the one key that was created first, never a partial one.
func TestResolveCreateRace(t *testing.T) {
	cfg := t.TempDir()
	const n = 16
	fps := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, src, err := Resolve(Options{ConfigDir: cfg, Env: func(string) string { return "" }, Create: true})
			fps[i], errs[i] = src.Fingerprint, err
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("resolve %d: %v", i, errs[i])
		}
		if fps[i] != fps[0] {
			t.Fatalf("resolve %d got key %s, resolve 0 got %s", i, fps[i], fps[0])
		}
	}
}
