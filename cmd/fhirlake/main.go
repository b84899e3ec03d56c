// Command fhirlake is the FHIR R4 health data lake: one binary with one
// subcommand per file (serve, import, generate, datastore, view, version).
//
// main only maps errors to exit codes; each subcommand parses its own
// flag set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it parses args itself and writes results to
// stdout and diagnostics to stderr.
type command struct {
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	summary string
}

var commands = map[string]command{
	"serve":     {runServe, "run the Postgres wire and FHIR HTTP servers"},
	"import":    {runImport, "load FHIR NDJSON and Bundle files into a data store"},
	"generate":  {runGenerate, "write deterministic synthetic FHIR R4 data"},
	"link":      {runLink, "link likely duplicate patients (record linkage) with Patient.link"},
	"datastore": {runDatastore, "create, list, describe or delete data stores"},
	"view":      {runView, "create, list, show or drop the views (SQL tables) of a data store"},
	"bench":     {runBench, "run the benchmark suites against PostgreSQL and DuckDB"},
	"user":      {runUser, "add, list, change or drop the users who may connect"},
	"grant":     {runGrant, "grant a user a role on a data store"},
	"revoke":    {runRevoke, "revoke a user's role on a data store"},
	"token":     {runToken, "create, list or revoke the API tokens of users"},
	"client":    {runClient, "add, list or remove the SMART Backend Services clients (signed-JWT logins)"},
	"key":       {runKey, "show the master key, rotate it (re-wrapping the data keys), or make a new one"},
	"audit":     {runAudit, "verify the tamper-evident audit log or export it as FHIR AuditEvents"},
	"sof-test":  {runSofTest, "run the SQL-on-FHIR v2 conformance suite in a folder"},
	"version":   {runVersion, "print the version"},
}

var commandOrder = []string{"serve", "import", "generate", "link", "datastore", "view", "user", "grant", "revoke", "token", "client", "key", "audit", "bench", "sof-test", "version"}

// usageError is a command-line mistake: exit code 2 instead of 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "fhirlake:", err)
		var ue *usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		var ec interface{ ExitCode() int } // such as an import completed with errors: 3
		if errors.As(err, &ec) {
			os.Exit(ec.ExitCode())
		}
		os.Exit(1)
	}
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usagef("missing command")
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return usagef("unknown command %q", args[0])
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "fhirlake: a FHIR R4 health data lake (SQL over Postgres wire, FHIR REST)")
	fmt.Fprintln(w, "\nUsage: fhirlake <command> [flags]\n\nCommands:")
	for _, name := range commandOrder {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'fhirlake <command> -h' for the flags of a command.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
}
