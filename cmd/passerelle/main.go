// Command passerelle is Passerelle's single binary: the API server and job
// worker, and the commands that operate them (migrate, openapi, keys, ...).
//
// It wires the packages together and owns nothing else: configuration comes
// from the environment (see Config), and each subcommand is a small function
// over it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/passerelle-dev/passerelle"
)

// version is the binary's version: the release (passerelle.Version), or what the
// build sets with -ldflags "-X main.version=...". The API spec always says passerelle.Version.
var version = passerelle.Version

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand runs with: configuration and output streams.
type Env struct {
	Config Config
	Stdout io.Writer
	Stderr io.Writer
	Logger *slog.Logger
}

var commands map[string]command

func init() {
	// Assigned in init: the commands' functions use newFlagSet, which reads
	// this table for --help.
	commands = map[string]command{
		"serve":       {"Run the HTTP API and the job worker (or one of them).", runServe},
		"migrate":     {"Apply database migrations (River's and Passerelle's); idempotent.", runMigrate},
		"openapi":     {"Print the OpenAPI 3.1 document (YAML, or JSON with --json). Needs no database.", runOpenAPI},
		"keys":        {"Create, list and revoke API keys (acting as an admin).", runKeys},
		"reindex":     {"Rebuild the search index from the database and swap it in atomically.", runReindex},
		"signin-link": {"Print a console sign-in link for an adviser (no email sent); make run uses it.", runSigninLink},
		"seed":        {"Load the demo dataset (seed demo): the design's five programmes, idempotent.", runSeed},
		"bench":       {"Measure the performance bars side by side with their baselines; prints a table, writes JSON.", runBench},
		"chaos":       {"Replay faults (services killed, stopped, slow) against a private stack; prints what was lost or doubled.", runChaos},
		"version":     {"Print the version.", runVersion},
	}
}

func main() { os.Exit(realMain()) }

// realMain runs the command and returns the exit status, so that deferred
// clean-ups run before the process exits.
func realMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "passerelle:", err)
		}
		return exitCode(err)
	}
	return 0
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run runs the command in args, reading configuration through getenv.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	// --help needs no valid configuration: show it before loading.
	var cfg Config
	var cfgErr error
	if !wantsHelp(args[1:]) {
		cfg, cfgErr = LoadConfig(getenv)
		if cfgErr != nil {
			return cfgErr
		}
	}
	env := &Env{Config: cfg, Stdout: stdout, Stderr: stderr, Logger: newLogger(stderr, cfg)}
	return cmd.run(ctx, env, args[1:])
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "passerelle %s — placement API for second-chance and digital-inclusion programmes.\n\n", version)
	fmt.Fprintln(w, "Usage: passerelle <command> [flags]   (passerelle <command> --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands[name].summary)
	}
	printEnvHelp(w)
}

// newFlagSet returns a flag set whose --help prints the command's flags and the
// environment table.
func newFlagSet(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "Usage: passerelle %s\n\n%s\n", synopsis, commands[name].summary)
		fmt.Fprintln(env.Stdout, "\nFlags:")
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		printEnvHelp(env.Stdout)
	}
	return fs
}

func newLogger(w io.Writer, cfg Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func runVersion(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "version", "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "passerelle", version)
	return nil
}
