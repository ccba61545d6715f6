package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

// TestClassify: connection failures become EUnavailable; the database's own
// answers (no row, a constraint, a bad query) and errors that already carry a
// code pass unchanged.
func TestClassify(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, tc := range []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"connection refused", fmt.Errorf("store: authenticate: %w", refused), true},
		{"acquire deadline", fmt.Errorf("failed to connect: %w", context.DeadlineExceeded), true},
		{"lost mid-query", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"no rows", pgx.ErrNoRows, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"invalid text", &pgconn.PgError{Code: "22021"}, false},
		{"client gone", context.Canceled, false},
		{"a domain error", passerelle.Errorf(passerelle.ENotFound, "Offer not found."), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := classify(tc.err)
			require.Equal(t, tc.unavailable, IsUnavailable(err), "%v", err)
			if tc.unavailable {
				require.Equal(t, passerelle.EUnavailable, passerelle.ErrorCode(err))
				require.ErrorIs(t, err, tc.err, "the cause stays for logs")
				require.Same(t, err, classify(err), "classified once")
			} else {
				require.Equal(t, tc.err, err)
			}
		})
	}
}
