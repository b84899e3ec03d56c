package selfsigned

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	c1, err := LoadOrCreate(dir, []string{"db.example.org", "10.1.2.3", "0.0.0.0"})
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(c1.Certificate[0])
	require.NoError(t, err)
	require.NoError(t, leaf.VerifyHostname("localhost"))
	require.NoError(t, leaf.VerifyHostname("127.0.0.1"))
	require.NoError(t, leaf.VerifyHostname("db.example.org"))
	require.NoError(t, leaf.VerifyHostname("10.1.2.3"))
	require.Error(t, leaf.VerifyHostname("other.example.org"))
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	c2, err := LoadOrCreate(dir, nil)
	require.NoError(t, err)
	require.Equal(t, c1.Certificate, c2.Certificate, "kept across starts")

	// One that is about to expire is replaced.
	certPEM, keyPEM, err := Generate(nil, time.Now().Add(-Validity+24*time.Hour))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), certPEM, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, KeyFile), keyPEM, 0o600))
	c3, err := LoadOrCreate(dir, nil)
	require.NoError(t, err)
	require.NotEqual(t, c1.Certificate, c3.Certificate)

	// Garbage is an error, not silently replaced.
	require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), []byte("junk"), 0o600))
	_, err = LoadOrCreate(dir, nil)
	require.ErrorContains(t, err, "remove both files")
}
