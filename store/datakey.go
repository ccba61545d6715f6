package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle/internal/datakey"
)

// Article 9 data (RQTH) is sealed by the application with the data keys
// (internal/datakey): the database and its dumps hold only ciphertext and
// the id of the key that sealed it. A ciphertext is bound to its row and
// column, so it cannot be moved to another trainee.

// errNoDataKey is a configuration error: the process was started without
// PASSERELLE_DATA_KEY and met sealed data.
var errNoDataKey = errors.New("store: no data key (PASSERELLE_DATA_KEY) to seal or open RQTH")

// SetDataKeys sets the keys that seal and open article 9 data.
func (s *Store) SetDataKeys(r *datakey.Ring) { s.keys = r }

// rqthAAD binds a sealed RQTH to its trainee.
func rqthAAD(id uuid.UUID) []byte { return []byte("trainees.rqth:" + id.String()) }

// sealRQTH puts v, sealed, into args (rqth_sealed, rqth_key_id); nil stays
// nil.
func (s *Store) sealRQTH(args pgx.NamedArgs, id uuid.UUID, v *bool) error {
	args["rqth_sealed"], args["rqth_key_id"] = nil, nil
	if v == nil {
		return nil
	}
	if s.keys == nil {
		return errNoDataKey
	}
	args["rqth_sealed"], args["rqth_key_id"] = SealRQTH(s.keys, id, *v)
	return nil
}

// SealRQTH is trainee id's RQTH v as the trainees table stores it
// (rqth_sealed, rqth_key_id), for loaders that write rows in bulk.
func SealRQTH(r *datakey.Ring, id uuid.UUID, v bool) (sealed []byte, keyID string) {
	// One byte either way: a ciphertext's length must not tell true from
	// false.
	plain := []byte{'0'}
	if v {
		plain = []byte{'1'}
	}
	return r.Seal(plain, rqthAAD(id))
}

// openRQTH sets t.RQTH from what the row holds.
func (s *Store) openRQTH(t *Trainee) error {
	t.RQTH = nil
	if t.rqthSealed == nil || t.rqthKeyID == nil {
		return nil
	}
	if s.keys == nil {
		return errNoDataKey
	}
	plain, err := s.keys.Open(t.rqthSealed, *t.rqthKeyID, rqthAAD(t.ID))
	if err != nil {
		return fmt.Errorf("trainee %s rqth: %w", t.ID, err)
	}
	v := string(plain) == "1"
	t.RQTH = &v
	return nil
}

// RotateDataBatch is how many rows one transaction of RotateData re-seals.
const RotateDataBatch = 500

// RotateData re-seals with the current key every RQTH sealed with another
// one, and seals the clear values written before sealing existed, in
// batches of RotateDataBatch rows, each its own short transaction that skips
// rows locked by a request: the service keeps running, and every key of the
// ring still opens what it sealed until the last batch. It returns the rows
// re-sealed; run it again until it returns 0 if writes raced it.
func (s *Store) RotateData(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, wrap("rotate data", errNoDataKey)
	}
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id, rqth_sealed, rqth_key_id, rqth FROM trainees
				WHERE (rqth_key_id IS NOT NULL AND rqth_key_id <> $1) OR rqth IS NOT NULL
				ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, s.keys.CurrentID(), RotateDataBatch)
			if err != nil {
				return err
			}
			type row struct {
				id     uuid.UUID
				sealed []byte
				kid    *string
				clear  *bool
			}
			batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				err := r.Scan(&x.id, &x.sealed, &x.kid, &x.clear)
				return x, err
			})
			if err != nil {
				return err
			}
			ids := make([]uuid.UUID, len(batch))
			sealed := make([][]byte, len(batch))
			kids := make([]string, len(batch))
			for i, x := range batch {
				t := Trainee{ID: x.id, rqthSealed: x.sealed, rqthKeyID: x.kid}
				if err := s.openRQTH(&t); err != nil {
					return err
				}
				v := t.RQTH
				if x.clear != nil && v == nil {
					v = x.clear
				}
				args := pgx.NamedArgs{}
				if err := s.sealRQTH(args, x.id, v); err != nil {
					return err
				}
				ids[i] = x.id
				sealed[i], _ = args["rqth_sealed"].([]byte)
				kids[i], _ = args["rqth_key_id"].(string)
			}
			_, err = tx.Exec(ctx, `UPDATE trainees t SET rqth_sealed = u.sealed, rqth_key_id = u.kid, rqth = NULL
				FROM unnest($1::uuid[], $2::bytea[], $3::text[]) AS u(id, sealed, kid) WHERE t.id = u.id`, ids, sealed, kids)
			n = len(batch)
			return err
		})
		total += n
		if err != nil {
			return total, wrap("rotate data", err)
		}
		if n < RotateDataBatch {
			return total, nil
		}
	}
}
