package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is one run: where it ran, on what, and what it measured. It is
// written as JSON so that runs can be compared.
type Report struct {
	StartedAt    time.Time     `json:"started_at"`
	FinishedAt   time.Time     `json:"finished_at"`
	Machine      Machine       `json:"machine"`
	Dataset      DatasetInfo   `json:"dataset"`
	Info         []Info        `json:"info"`
	Measurements []Measurement `json:"measurements"`
}

// Machine is what the numbers depend on.
type Machine struct {
	NumCPU      int    `json:"num_cpu"`
	GOMAXPROCS  int    `json:"gomaxprocs"`
	GoVersion   string `json:"go_version"`
	OS          string `json:"os"`
	Arch        string `json:"arch"`
	GitCommit   string `json:"git_commit,omitempty"`
	GitModified bool   `json:"git_modified,omitempty"`
	PostgreSQL  string `json:"postgresql,omitempty"`
	Meilisearch string `json:"meilisearch,omitempty"`
}

// DatasetInfo describes the generated dataset.
type DatasetInfo struct {
	Offers    int    `json:"offers"`
	Companies int    `json:"companies"`
	Seed      uint64 `json:"seed"`
	Small     bool   `json:"small"`
}

// Info is an informational timing (loading, indexing): no bar.
type Info struct {
	Name    string  `json:"name"`
	Items   int     `json:"items"`
	Seconds float64 `json:"seconds"`
	Note    string  `json:"note,omitempty"`
}

// Side is one side of a measurement.
type Side struct {
	Name string `json:"name"`
	Stats
}

// Measurement is a bar measured: Passerelle (A) against its baseline (B), or
// one latency alone (B nil).
type Measurement struct {
	Name  string  `json:"name"`
	A     Side    `json:"a"`
	B     *Side   `json:"b,omitempty"`
	Ratio float64 `json:"p50_ratio,omitempty"` // A.P50 / B.P50
	Bar   string  `json:"bar"`
	Met   bool    `json:"met"`
	Note  string  `json:"note,omitempty"`
}

func pair(name, bar string, maxRatio float64, a, b Side, note string) Measurement {
	m := Measurement{Name: name, A: a, B: &b, Bar: bar, Note: note}
	if b.P50 > 0 {
		m.Ratio = math.Round(a.P50/b.P50*1000) / 1000
		m.Met = m.Ratio <= maxRatio
	}
	return m
}

func single(name, bar string, maxP95 time.Duration, a Side, note string) Measurement {
	return Measurement{Name: name, A: a, Bar: bar, Note: note, Met: a.N > 0 && a.P95 <= ms(maxP95)}
}

// WriteTable prints the report for people.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "passerelle bench — %d offers, %d companies, %d CPUs, %s, commit %s\n\n",
		r.Dataset.Offers, r.Dataset.Companies, r.Machine.NumCPU, r.Machine.GoVersion, orDash(r.Machine.GitCommit))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MEASUREMENT\tSIDE\tN\tP50\tP95\tP99\tRATIO\tBAR\tRESULT\t")
	for _, m := range r.Measurements {
		result := "met"
		if !m.Met {
			result = "NOT MET"
		}
		ratio := "-"
		if m.B != nil {
			ratio = fmt.Sprintf("%.2f", m.Ratio)
			if m.Ratio < 0.1 { // a speed-up: two decimals would hide it
				ratio = fmt.Sprintf("%.4f", m.Ratio)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", m.Name, m.A.Name, m.A.N,
			fmtMs(m.A.P50), fmtMs(m.A.P95), fmtMs(m.A.P99), ratio, m.Bar, result)
		if m.B != nil {
			fmt.Fprintf(tw, "\t%s\t%d\t%s\t%s\t%s\t\t\t\t\n", m.B.Name, m.B.N, fmtMs(m.B.P50), fmtMs(m.B.P95), fmtMs(m.B.P99))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nInformational:")
	for _, i := range r.Info {
		fmt.Fprintf(w, "  %-22s %8d items  %8.2f s  %s\n", i.Name, i.Items, i.Seconds, i.Note)
	}
	fmt.Fprintln(w, "\nNotes:")
	for _, m := range r.Measurements {
		fmt.Fprintf(w, "  %s: %s\n", m.Name, m.Note)
	}
	return nil
}

func fmtMs(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.2fms", v)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteJSON writes the report to path, creating its directory.
func (r *Report) WriteJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func machine() Machine {
	m := Machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				m.GitCommit = s.Value
			case "vcs.modified":
				m.GitModified = s.Value == "true"
			}
		}
	}
	if m.GitCommit == "" { // go run and go test stamp no VCS information
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			m.GitCommit = strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
				m.GitModified = len(strings.TrimSpace(string(st))) > 0
			}
		}
	}
	return m
}
