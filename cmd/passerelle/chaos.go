package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/passerelle-dev/passerelle/chaos"
)

func runChaos(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "chaos", "chaos [--root DIR]")
	root := fs.String("root", ".", "repository `dir` whose private stack (DIR/.data, started by scripts/stack.sh up) the faults are replayed against")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"chaos: unexpected arguments: " + strings.Join(fs.Args(), " ")}
	}
	st, err := openStack(*root)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	logPath := filepath.Join(st.data, "logs", "chaos.log")
	logs, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) //nolint:gosec // under the checkout's own .data/logs
	if err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	defer func() { _ = logs.Close() }()
	fmt.Fprintf(env.Stderr, "chaos: against the stack of %s; child processes log to %s\n", st.data, logPath)
	outcomes, err := chaos.Run(ctx, chaos.Config{
		DatabaseURL: st.env["DATABASE_URL"], MeiliURL: st.env["MEILI_URL"], MeiliKey: st.env["MEILI_MASTER_KEY"],
		SMTPURL: st.env["SMTP_URL"], MaildevURL: st.env["MAILDEV_URL"],
		Exe: exe, Env: st.childEnv(), Services: st, Logs: logs, Progress: env.Stderr,
	})
	if len(outcomes) > 0 {
		fmt.Fprintln(env.Stdout, "passerelle chaos — what each fault lost or doubled (expected: nothing)")
		fmt.Fprintln(env.Stdout)
		if werr := chaos.Write(env.Stdout, outcomes); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		if !o.OK {
			return errors.New("chaos: a fault lost or doubled something, or the API did not behave (see above)")
		}
	}
	return nil
}

// stack is a private stack started by scripts/stack.sh in a repository: its
// addresses (from .data/stack.env) and how to stop and start its services.
type stack struct {
	root, data string
	env        map[string]string
}

// openStack reads root's .data/stack.env, and refuses a stack that uses any
// service it did not start itself: the faults stop and kill services.
func openStack(root string) (*stack, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	st := &stack{root: abs, data: filepath.Join(abs, ".data"), env: map[string]string{}}
	raw, err := os.ReadFile(filepath.Join(st.data, "stack.env"))
	if err != nil {
		return nil, fmt.Errorf("chaos: %w (start the private stack first: bash scripts/stack.sh up)", err)
	}
	local := false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# services: ") {
			local = strings.TrimPrefix(line, "# services: ") == "postgres=local meilisearch=local smtp=local"
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if ok && !strings.HasPrefix(line, "#") {
			st.env[k] = strings.Trim(v, "'")
		}
	}
	if !local {
		return nil, fmt.Errorf("chaos: %s/stack.env uses services the stack did not start itself; chaos stops and kills services, so it runs only against a private stack", st.data)
	}
	for _, k := range []string{"DATABASE_URL", "MEILI_URL", "SMTP_URL", "MAILDEV_URL"} {
		if st.env[k] == "" {
			return nil, fmt.Errorf("chaos: %s/stack.env has no %s", st.data, k)
		}
	}
	return st, nil
}

// serviceVars are the variables that would make stack.sh use other services
// than its own, and that the children get from the run.
var serviceVars = []string{"DATABASE_URL", "PASSERELLE_TEST_DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY", "MEILI_INDEX_PREFIX", "SMTP_URL"}

func (st *stack) childEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(serviceVars, k) {
			out = append(out, kv)
		}
	}
	return out
}

func (st *stack) script(ctx context.Context, verb, name string) error {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(st.root, "scripts", "stack.sh"), verb, name) //nolint:gosec // the checkout's own script; verb and name are constants of this file
	cmd.Dir, cmd.Env = st.root, st.childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("stack.sh %s %s: %w: %s", verb, name, err, out)
	}
	return nil
}

// Stop implements chaos.Services.
func (st *stack) Stop(ctx context.Context, name string) error {
	return st.script(ctx, "stop-one", name)
}

// Start implements chaos.Services.
func (st *stack) Start(ctx context.Context, name string) error {
	return st.script(ctx, "start-one", name)
}

// KillMeilisearch implements chaos.Services: SIGKILL to the Meilisearch this
// stack started, checked by its pid file and command line (its database
// lives under the stack's .data).
func (st *stack) KillMeilisearch(context.Context) error {
	raw, err := os.ReadFile(filepath.Join(st.data, "pids", "meilisearch.pid"))
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return fmt.Errorf("meilisearch pid file: %w", err)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return fmt.Errorf("meilisearch pid %d: %w", pid, err)
	}
	line := strings.ReplaceAll(string(cmdline), "\x00", " ")
	if !strings.Contains(line, "meilisearch") || !strings.Contains(line, st.data+"/") {
		return fmt.Errorf("pid %d is not this stack's Meilisearch (%q): not killing it", pid, line)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	for range 100 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return nil // gone
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("meilisearch pid %d still there after SIGKILL", pid)
}
