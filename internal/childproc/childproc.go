// Package childproc starts `passerelle serve` as child processes on loopback
// ports, for the measurements and fault drills that need several processes
// (bench --processes, chaos): each child is a real process that can be
// stopped, or killed without warning.
package childproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Process is one running child.
type Process struct {
	// Name says which child it is in messages ("api-1", "worker-2").
	Name string
	// URL is the child's HTTP base URL, on loopback.
	URL  string
	cmd  *exec.Cmd
	done chan error
}

// Start runs exe with args and env plus LISTEN_ADDR on a free loopback port,
// its output going to out, and waits until its /readyz answers 200.
func Start(ctx context.Context, name, exe string, env []string, out io.Writer, args ...string) (*Process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("childproc: %s: %w", name, err)
	}
	cmd := exec.Command(exe, args...) //nolint:gosec,noctx // our own binary (os.Executable); the process outlives ctx on purpose and is stopped by Stop
	cmd.Env = append(append([]string{}, env...), "LISTEN_ADDR="+addr, "METRICS_LISTEN_ADDR=")
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: a terminal's Ctrl-C reaches the parent, which
	// stops its children in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("childproc: start %s: %w", name, err)
	}
	p := &Process{Name: name, URL: "http://" + addr, cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitReady(ctx, time.Minute); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

func (p *Process) waitReady(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("childproc: %s exited before it was ready: %w", p.Name, err)
		default:
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("childproc: %s not ready within %s", p.Name, within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop asks the child to shut down (SIGTERM: HTTP drained, running jobs
// finished) and kills it if it has not within timeout.
func (p *Process) Stop(timeout time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("childproc: stop %s: %w", p.Name, err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		return nil
	case <-time.After(timeout):
		p.Kill()
		return fmt.Errorf("childproc: %s did not stop within %s: killed", p.Name, timeout)
	}
}

// Kill ends the child at once (SIGKILL): no drain, no soft stop, as a crash or
// an out-of-memory kill would.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	err := <-p.done
	p.done <- err
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}
