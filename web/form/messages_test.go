package form

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// fieldMessages finds every message a FieldError of the store and notify
// packages can carry, in their source: the Message of a FieldError literal,
// and the message argument of the small helpers that build them (bad, need).
// A message built by concatenation is represented by its leading literal
// followed by "%s" (the catalogue's wildcard).
func fieldMessages(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{} // message → where
	fset := token.NewFileSet()
	for _, dir := range []string{"../../store", "../../notify"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if filepath.Ext(name) != ".go" || len(name) > 8 && name[len(name)-8:] == "_test.go" {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			add := func(e ast.Expr) {
				if msg, ok := literalMessage(e); ok {
					out[msg] = fset.Position(e.Pos()).String()
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "FieldError" {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Message" {
								add(kv.Value)
							}
						}
					}
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok {
						switch {
						case id.Name == "bad" && len(n.Args) >= 2:
							add(n.Args[1])
						case id.Name == "need" && len(n.Args) == 3:
							add(n.Args[2])
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// literalMessage reads a message: a string literal, or a concatenation with
// at least one literal, its other operands written "%s" ("must stay " + x →
// "must stay %s").
func literalMessage(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			x, okx := literalMessage(e.X)
			y, oky := literalMessage(e.Y)
			if !okx && !oky {
				return "", false
			}
			if !okx {
				x = "%s"
			}
			if !oky {
				y = "%s"
			}
			return x + y, true
		}
	}
	return "", false
}

// TestEveryStoreMessageHasFrench fails when a store or notify field error
// message has no French entry in the catalogue: add it to catalogue.go.
func TestEveryStoreMessageHasFrench(t *testing.T) {
	msgs := fieldMessages(t)
	if len(msgs) < 30 {
		t.Fatalf("found only %d messages: the source scan is broken", len(msgs))
	}
	for msg, where := range msgs {
		if _, ok := lookup(msg); !ok {
			t.Errorf("%s: no French for %q (web/form/catalogue.go)", where, msg)
		}
	}
}
