package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// crashChildEnv names the log folder of a child process (this test
// binary, re-executed) that appends until it is killed with SIGKILL.
const crashChildEnv = "FHIRLAKE_AUDIT_CRASH_CHILD"

// crashLazyEnv, when set, makes the crash child use SyncInterval, which
// must survive kill -9 as well (the records are written before Append
// returns).
const crashLazyEnv = "FHIRLAKE_AUDIT_CRASH_LAZY"

// crashSealEnv, when set, makes the crash child seal its records with
// crashSealKey: a torn sealed line must be recovered like a plain one.
const crashSealEnv = "FHIRLAKE_AUDIT_CRASH_SEAL"

var crashSealKey = []byte("crash-seal-key-crash-seal-key-32")

// TestMain lets the test binary act as the crash child.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild appends from 8 goroutines forever, printing the seq of each
// acknowledged record on its own line.
func crashChild(dir string) error {
	ctx := context.Background()
	var lazy time.Duration
	if os.Getenv(crashLazyEnv) != "" {
		lazy = 50 * time.Millisecond
	}
	var seal []byte
	if os.Getenv(crashSealEnv) != "" {
		seal = crashSealKey
	}
	l, err := Open(ctx, dir, Options{Key: []byte("crash-test-key-crash-test-key-32"), SealKey: seal, SegmentSize: 64 << 10, SyncInterval: lazy})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	errc := make(chan error, 8)
	for c := range 8 {
		go func() {
			for i := 0; ; i++ {
				rc, err := l.Append(ctx, sampleEvent(c*1_000_000+i))
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				_, err = fmt.Fprintln(os.Stdout, rc.Seq) // unbuffered: printed means acknowledged
				mu.Unlock()
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	return <-errc
}

// TestKill9LosesNoAcknowledgedRecord kills an appending child with
// SIGKILL three times; after each kill every seq it printed (and so had
// been acknowledged) is in the log, Open recovers it and Verify passes.
func TestKill9LosesNoAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	for _, mode := range []struct{ lazy, sealed bool }{{false, false}, {true, false}, {false, true}} {
		t.Run(fmt.Sprintf("lazy=%t/sealed=%t", mode.lazy, mode.sealed), func(t *testing.T) { kill9Rounds(t, mode.lazy, mode.sealed) })
	}
}

func kill9Rounds(t *testing.T, lazy, sealed bool) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "audit")
	key := []byte("crash-test-key-crash-test-key-32")
	var acked []uint64
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		if lazy {
			cmd.Env = append(cmd.Env, crashLazyEnv+"=1")
		}
		var seal []byte
		if sealed {
			cmd.Env = append(cmd.Env, crashSealEnv+"=1")
			seal = crashSealKey
		}
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			seq, err := strconv.ParseUint(sc.Text(), 10, 64)
			require.NoError(t, err)
			acked = append(acked, seq)
			if n++; n == 500 {
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			}
		}
		_ = cmd.Wait()
		require.GreaterOrEqual(t, n, 500, "round %d: the child stopped early", round)

		l, err := Open(ctx, dir, Options{Key: key, SealKey: seal})
		require.NoError(t, err, "round %d", round)
		require.NoError(t, l.Close())
		rd := Reader{Dir: dir, Key: key, SealKey: seal}
		rep, err := rd.Verify(ctx)
		require.NoError(t, err, "round %d", round)
		require.Equal(t, sealed, rep.Sealed)
		present := make(map[uint64]bool, rep.Records)
		require.NoError(t, rd.Rows(ctx, func(r Record) error {
			present[r.Seq] = true
			return nil
		}))
		for _, s := range acked {
			require.True(t, present[s], "round %d: acknowledged seq %d is missing (head %d)", round, s, rep.Head.Seq)
		}
		t.Logf("round %d: %d acknowledged, %d records in the log", round, len(acked), rep.Records)
	}
}
