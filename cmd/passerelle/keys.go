package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

func runKeys(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || wantsHelp(args[:1]) {
		fmt.Fprintln(env.Stdout, "Usage: passerelle keys create|list|revoke|rotate-data [flags]\n\n"+commands["keys"].summary)
		fmt.Fprintln(env.Stdout, "\n  create --role ROLE --name NAME [--organisation ID] [--company ID] [--adviser ID] [--quiet]")
		fmt.Fprintln(env.Stdout, "  list")
		fmt.Fprintln(env.Stdout, "  revoke ID")
		fmt.Fprintln(env.Stdout, "  rotate-data   re-seal health data (RQTH) with PASSERELLE_DATA_KEY; older keys in PASSERELLE_DATA_KEYS_PREVIOUS")
		fmt.Fprintln(env.Stdout, "\nThe command line acts as an admin: keep it to operators.")
		printEnvHelp(env.Stdout)
		if len(args) == 0 {
			return usageError{"keys: a subcommand is required"}
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "create":
		return keysCreate(ctx, env, args[1:])
	case "list":
		return keysList(ctx, env, args[1:])
	case "revoke":
		return keysRevoke(ctx, env, args[1:])
	case "rotate-data":
		return keysRotateData(ctx, env, args[1:])
	}
	return usageError{fmt.Sprintf("keys: unknown subcommand %q (create, list, revoke, rotate-data)", args[0])}
}

func keysCreate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "keys", "keys create --role ROLE --name NAME [--organisation ID] [--company ID] [--adviser ID] [--quiet]")
	role := fs.String("role", "", "admin, adviser, company or integrator")
	name := fs.String("name", "", "what the key is for, e.g. \"Gonesse adviser laptop\"")
	org := fs.String("organisation", "", "organisation id (adviser and integrator keys)")
	company := fs.String("company", "", "company id (company keys)")
	adviser := fs.String("adviser", "", "adviser id (optional, adviser keys)")
	quiet := fs.Bool("quiet", false, "print the key alone, for scripts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		*name = *role + " key"
	}
	in := store.KeyInput{Name: *name, Role: *role}
	var err error
	if in.OrganisationID, err = optionalUUID("--organisation", *org); err != nil {
		return err
	}
	if in.CompanyID, err = optionalUUID("--company", *company); err != nil {
		return err
	}
	if in.AdviserID, err = optionalUUID("--adviser", *adviser); err != nil {
		return err
	}
	return withStore(ctx, env, func(st *store.Store) error {
		k, secret, err := st.CreateKey(ctx, passerelle.System, in)
		if err != nil {
			return cliError(err)
		}
		if *quiet {
			fmt.Fprintln(env.Stdout, secret)
			return nil
		}
		fmt.Fprintf(env.Stdout, "Created %s key %s (%s).\nKey (shown once, keep it safe):\n\n  %s\n", k.Role, k.ID, k.Name, secret)
		return nil
	})
}

func keysList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "keys", "keys list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(ctx, env, func(st *store.Store) error {
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tROLE\tNAME\tLAST USED\tREVOKED")
		page := store.Page{Limit: store.MaxLimit}
		for {
			keys, next, err := st.ListKeys(ctx, passerelle.System, page)
			if err != nil {
				return err
			}
			for _, k := range keys {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Role, k.Name, timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
			}
			if next == nil {
				break
			}
			page.After = next
		}
		return tw.Flush()
	})
}

func keysRevoke(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "keys", "keys revoke ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"keys revoke: give the key's id"}
	}
	id, err := uuid.Parse(fs.Arg(0))
	if err != nil {
		return usageError{"keys revoke: not a key id: " + fs.Arg(0)}
	}
	return withStore(ctx, env, func(st *store.Store) error {
		k, err := st.RevokeKey(ctx, passerelle.System, id)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(env.Stdout, "Revoked key %s (%s).\n", k.ID, k.Name)
		return nil
	})
}

// keysRotateData re-seals, in batches and while the service runs, every
// value sealed with a key other than PASSERELLE_DATA_KEY (docs/privacy.md).
func keysRotateData(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "keys", "keys rotate-data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if env.Config.DataKey == "" {
		return usageError{"keys rotate-data: set PASSERELLE_DATA_KEY to the new key, and the old ones in PASSERELLE_DATA_KEYS_PREVIOUS"}
	}
	return withStore(ctx, env, func(st *store.Store) error {
		n, err := st.RotateData(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Re-sealed %d value(s) with data key %q.\n", n, strings.SplitN(env.Config.DataKey, ":", 2)[0])
		return nil
	})
}

// withStore opens the database for a command that needs no River worker.
func withStore(ctx context.Context, env *Env, fn func(*store.Store) error) error {
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, nil)
	keys, err := env.Config.dataKeys()
	if err != nil {
		return err
	}
	st.SetDataKeys(keys)
	return fn(st)
}

// cliError shows a passerelle.Error as its message and fields.
func cliError(err error) error {
	var msg = passerelle.ErrorMessage(err)
	if passerelle.ErrorCode(err) == passerelle.EInternal {
		return err
	}
	return fmt.Errorf("%s%s", msg, fieldsOf(err))
}

func fieldsOf(err error) string {
	var out string
	if e, ok := asPasserelle(err); ok {
		for _, f := range e.Fields {
			out += fmt.Sprintf("\n  %s: %s", f.Location, f.Message)
		}
	}
	return out
}

func optionalUUID(flagName, v string) (*uuid.UUID, error) {
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, usageError{fmt.Sprintf("%s: not a UUID: %q", flagName, v)}
	}
	return &id, nil
}

func asPasserelle(err error) (*passerelle.Error, bool) {
	var e *passerelle.Error
	ok := errors.As(err, &e)
	return e, ok
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
