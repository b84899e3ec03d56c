package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKillAfterCommit writes from a child process that is killed with
// SIGKILL right after Put returns, then checks that everything acknowledged
// is in the file and that the lock died with the process.
func TestKillAfterCommit(t *testing.T) {
	if path := os.Getenv("STORE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "ds.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillAfterCommit$")
	cmd.Env = append(os.Environ(), "STORE_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	acked := 0
	for sc.Scan() && acked < 20 {
		if sc.Text() == fmt.Sprint("acked ", acked) {
			acked++
		}
	}
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	require.Equal(t, 20, acked)

	s, err := Open(path, Options{LockTimeout: 5 * time.Second})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	for i := range acked {
		r, err := s.Read(ctx, "Patient", fmt.Sprint("p", i))
		require.NoError(t, err, "acknowledged Patient/p%d lost", i)
		require.Equal(t, int64(1), r.Version)
	}
}

// crashChild writes one resource per transaction forever, reporting each
// acknowledged write on stdout, until it is killed.
func crashChild(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		return
	}
	for i := 0; ; i++ {
		in := []Input{{Type: "Patient", ID: fmt.Sprint("p", i), Body: []byte(`{"resourceType":"Patient"}`)}}
		if _, err := s.Put(context.Background(), in); err != nil {
			fmt.Println("put:", err)
			return
		}
		fmt.Println("acked", i)
	}
}
