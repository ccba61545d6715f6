package main

import (
	"context"
	"fmt"

	"github.com/passerelle-dev/passerelle/api"
)

func runOpenAPI(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "openapi", "openapi [--json] [--3.0]")
	asJSON := fs.Bool("json", false, "print JSON instead of YAML")
	v30 := fs.Bool("3.0", false, "print the OpenAPI 3.0 rendering (openapi/openapi-3.0.yaml) instead of 3.1")
	if err := fs.Parse(args); err != nil {
		return err
	}
	doc, err := openAPIDocument(*asJSON, *v30)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(doc)
	return err
}

// openAPIDocument renders the spec exactly as committed in openapi/openapi.yaml
// (3.1) and openapi/openapi-3.0.yaml: built with no dependencies and a server
// URL template (base_url, by default PUBLIC_BASE_URL's), so that it does not
// vary with the local configuration. A server serves the same document with
// its PUBLIC_BASE_URL as the server URL.
func openAPIDocument(asJSON, v30 bool) ([]byte, error) {
	spec, err := api.New(api.Deps{}).Spec()
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	switch {
	case asJSON && v30:
		return append(spec.JSON30, '\n'), nil
	case asJSON:
		return append(spec.JSON, '\n'), nil
	case v30:
		return spec.YAML30, nil
	}
	return spec.YAML, nil
}
