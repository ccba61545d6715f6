package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/passerelle-dev/passerelle/api"
)

func runOpenAPI(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "openapi", "openapi [--json]")
	asJSON := fs.Bool("json", false, "print JSON instead of YAML")
	if err := fs.Parse(args); err != nil {
		return err
	}
	doc, err := openAPIDocument(*asJSON)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(doc)
	return err
}

// openAPIDocument renders the spec exactly as committed in openapi/openapi.yaml:
// built with no dependencies and the documented public base URL, so that it
// does not vary with the local configuration.
func openAPIDocument(asJSON bool) ([]byte, error) {
	srv := api.New(api.Deps{Version: "v1", PublicBaseURL: defaultPublicBaseURL()})
	if asJSON {
		b, err := json.MarshalIndent(srv.OpenAPI(), "", "  ")
		if err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
		return append(b, '\n'), nil
	}
	b, err := srv.OpenAPI().YAML()
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b, nil
}

func defaultPublicBaseURL() string {
	for _, ev := range envVars {
		if ev.Name == "PUBLIC_BASE_URL" {
			return ev.Default
		}
	}
	return ""
}
