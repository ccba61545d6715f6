package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/passerelle-dev/passerelle/demo"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

func runSeed(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "seed", "seed demo")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "demo" {
		fs.Usage()
		return usageError{"seed: the only dataset is demo (passerelle seed demo)"}
	}
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, nil)
	// Insert-only: index and match jobs are worked by `passerelle serve`.
	rc, err := jobs.NewClient(pool, st, jobs.Config{Logger: env.Logger})
	if err != nil {
		return err
	}
	st.SetRiver(rc)
	sum, err := demo.Load(ctx, st)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(env.Stdout, "Demo data (fictional people and companies; loading again changes nothing):")
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  programme\tid\tadvisers\tcohorts\tcompanies\toffers\ttrainees (new)\tproposals\tplacements\tfollow-ups")
	for _, p := range sum.Programmes {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%d\t%d (%d)\t%d\t%d\t%d\n", p.Name, p.ID, p.Advisers, p.Cohorts, p.Companies, p.Offers,
			p.Trainees, p.CreatedTrainees, p.Proposals, p.Placements, p.Followups)
	}
	tw.Flush()
	fmt.Fprintln(env.Stdout, "\nAn adviser key for a programme: passerelle keys create --role adviser --organisation <id>")
	return nil
}
