package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresBin is where Debian's postgresql-15 package puts the server.
const DefaultPostgresBin = "/usr/lib/postgresql/15/bin"

// PostgresInstallHint tells how to get the baseline server on Debian 12.
const PostgresInstallHint = "install it with: apt-get install -y postgresql (as root)"

// ErrNoPostgres is returned by StartPostgres when the server binaries are
// missing.
var ErrNoPostgres = errors.New("bench: PostgreSQL 15 server not found")

// Postgres is a throw-away PostgreSQL server: a fresh data directory under
// the system temporary folder, listening on a free loopback port, removed by
// Stop.
type Postgres struct {
	Dir      string   // data directory (also holds the Unix socket and postgres.log)
	Port     int      // TCP port on 127.0.0.1
	Version  string   // server_version
	Settings []string // the settings that matter for the comparison, as read back with SHOW
	cmd      *exec.Cmd
	done     chan error
}

// postgresSettingNames are read back from the server and reported.
var postgresSettingNames = []string{"shared_buffers", "work_mem", "maintenance_work_mem", "fsync", "synchronous_commit",
	"wal_level", "max_parallel_workers_per_gather", "jit", "effective_cache_size"}

// StartPostgres runs initdb and starts postgres with its default settings
// (fsync and synchronous_commit stay on) except listen_addresses, port,
// socket directory and timezone=UTC. It waits until the server accepts
// connections. When the process runs as root, the server runs as the user
// "postgres", which PostgreSQL requires. binDir defaults to
// DefaultPostgresBin.
func StartPostgres(ctx context.Context, binDir string) (*Postgres, error) {
	if binDir == "" {
		binDir = DefaultPostgresBin
	}
	if _, err := os.Stat(filepath.Join(binDir, "postgres")); err != nil {
		return nil, fmt.Errorf("%w in %s (%s): %w", ErrNoPostgres, binDir, PostgresInstallHint, err)
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fhirlake-bench-pg-")
	if err != nil {
		return nil, fmt.Errorf("bench: postgres: %w", err)
	}
	p := &Postgres{Dir: dir}
	if err := p.start(ctx, binDir, cred); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

func (p *Postgres) start(ctx context.Context, binDir string, cred *syscall.Credential) error {
	if cred != nil {
		if err := os.Chown(p.Dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("bench: postgres: %w", err)
		}
	}
	data := filepath.Join(p.Dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"), "-D", data, "-U", "bench", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: postgres initdb: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	p.Port = port
	logf, err := os.Create(filepath.Join(p.Dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("bench: postgres: %w", err)
	}
	defer logf.Close()
	p.cmd = exec.Command(filepath.Join(binDir, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", p.Dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "timezone=UTC")
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	// Own process group: a terminal's Ctrl-C reaches fhirlake, which then
	// stops the server in order.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("bench: postgres start: %w", err)
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	return p.waitReady(ctx)
}

// waitReady polls until a connection succeeds, the server exits, or 60 s pass.
func (p *Postgres) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, p.ConnString("postgres"))
		if err == nil {
			defer conn.Close(ctx)
			return p.readSettings(ctx, conn)
		}
		select {
		case werr := <-p.done:
			p.done <- werr
			return fmt.Errorf("bench: postgres exited during start-up (%v); log:\n%s", werr, p.log())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: postgres not ready after 60 s: %w; log:\n%s", err, p.log())
		}
	}
}

func (p *Postgres) readSettings(ctx context.Context, conn *pgx.Conn) error {
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&p.Version); err != nil {
		return fmt.Errorf("bench: postgres: %w", err)
	}
	for _, name := range postgresSettingNames {
		var v string
		if err := conn.QueryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
			return fmt.Errorf("bench: postgres SHOW %s: %w", name, err)
		}
		p.Settings = append(p.Settings, name+"="+v)
	}
	return nil
}

// ConnString is a pgx connection string for the database db over TCP.
func (p *Postgres) ConnString(db string) string {
	return fmt.Sprintf("postgres://bench@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

// Describe is one line for the report's settings.
func (p *Postgres) Describe() string {
	return fmt.Sprintf("PostgreSQL %s (Debian package, throw-away data directory, TCP on loopback): %s", p.Version, strings.Join(p.Settings, ", "))
}

// Stop shuts the server down with SIGINT (fast shutdown), waits up to 30 s
// (then kills it), and removes its directory.
func (p *Postgres) Stop() error {
	var err error
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
			err = fmt.Errorf("bench: postgres did not stop within 30 s; killed")
		}
	}
	return errors.Join(err, os.RemoveAll(p.Dir))
}

func (p *Postgres) log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "postgres.log"))
	return string(b)
}

// postgresCredential is nil when not root, else the "postgres" user.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("bench: postgres refuses to run as root and there is no user postgres (%s): %w", PostgresInstallHint, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("bench: user postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort asks the kernel for a free TCP port on the loopback interface.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("bench: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// BackendPeakRSS returns the peak resident set size (VmHWM) in MB of the
// server process serving conn, read from /proc; it needs the same user or
// root.
func BackendPeakRSS(ctx context.Context, conn *pgx.Conn) (float64, error) {
	var pid int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, fmt.Errorf("bench: postgres backend pid: %w", err)
	}
	return procPeakRSS(pid)
}

// procPeakRSS reads VmHWM of /proc/PID/status in MB.
func procPeakRSS(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("bench: peak RSS: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return 0, fmt.Errorf("bench: peak RSS: %w", err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("bench: peak RSS: no VmHWM in /proc/%d/status", pid)
}
