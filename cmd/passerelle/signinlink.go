package main

import (
	"context"
	"fmt"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web"
)

// runSigninLink prints a console sign-in link for an adviser or a company user, without email:
// `make run` uses it so that a newcomer is inside the console in one click.
// It is the same single-use, 15-minute link the sign-in form mails.
func runSigninLink(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "signin-link", "signin-link --email ADDRESS")
	email := fs.String("email", "", "the adviser's `address`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || fs.NArg() != 0 {
		fs.Usage()
		return usageError{"signin-link: --email is required"}
	}
	pool, err := openPool(ctx, env.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	links, err := store.New(pool, nil).CreateSigninLinks(ctx, *email)
	if err != nil {
		return cliError(err)
	}
	if len(links) == 0 {
		return usageError{fmt.Sprintf("signin-link: no adviser or company user has the email %s", *email)}
	}
	for _, l := range links {
		fmt.Fprintln(env.Stdout, web.LinkURL(env.Config.PublicBaseURL, l.Token))
	}
	return nil
}
