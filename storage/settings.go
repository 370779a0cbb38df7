package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ekassa-go/ekassa/kkm"
)

// Settings are kept as one JSON row rather than a table of columns: kkm.Settings is read and
// written whole (the settings screen saves all of it at once, the register needs all of it), is a
// few hundred bytes, and is never searched by field. One row keeps a save atomic, and a setting
// added by a later version needs no migration: its JSON tag is simply absent from an older row and
// decodes to the zero value.

// Settings returns the saved settings, and false when none were ever saved (a new register).
func (j *Journal) Settings(ctx context.Context) (kkm.Settings, bool, error) {
	var s kkm.Settings
	var content []byte
	err := j.db.QueryRowContext(ctx, `SELECT content FROM settings WHERE id = 1`).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("storage: load settings: %w", err)
	}
	if err := json.Unmarshal(content, &s); err != nil {
		return s, false, fmt.Errorf("storage: decode settings: %w", err)
	}
	return s, true, nil
}

// SaveSettings replaces the settings, all but the hub catalogue's cursor (CatalogueVersion):
// that belongs to the catalogue's puller (ApplyHubItems moves it), and a settings form opened
// before a pull would otherwise write its older value back and make the next pull start over.
func (j *Journal) SaveSettings(ctx context.Context, s kkm.Settings) error {
	return j.inTx(ctx, func(tx *Tx) error {
		if err := keepCatalogueCursor(ctx, tx, &s); err != nil {
			return err
		}
		return saveSettings(ctx, tx, j.seal, s)
	})
}

// keepCatalogueCursor puts the stored settings' CatalogueVersion into s: only the puller moves it.
func keepCatalogueCursor(ctx context.Context, tx *Tx, s *kkm.Settings) error {
	var content []byte
	err := tx.QueryRowContext(ctx, `SELECT content FROM settings WHERE id = 1`).Scan(&content)
	if errors.Is(err, sql.ErrNoRows) {
		s.CatalogueVersion = 0 // nothing pulled into a register that had no settings
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: load settings: %w", err)
	}
	var stored struct {
		CatalogueVersion int64 `json:"catalogue_version"`
	}
	if err := json.Unmarshal(content, &stored); err != nil {
		return fmt.Errorf("storage: decode settings: %w", err)
	}
	s.CatalogueVersion = stored.CatalogueVersion
	return nil
}

// SaveConnection stores, in one transaction, what connecting a register to the OFD changes:
// the settings s (the registration, system ID, address), the OFD link changed by link (read,
// changed by link and written back, as UpdateLinkState does, so a REQNUM taken meanwhile is not
// overwritten; link should leave LastReqnum alone), and, when state is not nil, the register
// state (the shift reconciled with the OFD's view of it). It returns the link as stored. If
// anything fails, or the app dies half-way, none of the three has changed: settings and link
// never hold tokens or registrations of two different connections.
func (j *Journal) SaveConnection(ctx context.Context, s kkm.Settings, link func(*LinkState), state *kkm.State) (LinkState, error) {
	var stateJSON []byte
	if state != nil {
		var err error
		if stateJSON, err = json.Marshal(*state); err != nil {
			return LinkState{}, fmt.Errorf("storage: encode state: %w", err)
		}
	}
	var l LinkState
	err := j.inTx(ctx, func(tx *Tx) error {
		if err := keepCatalogueCursor(ctx, tx, &s); err != nil {
			return err
		}
		if err := saveSettings(ctx, tx, j.seal, s); err != nil {
			return err
		}
		var err error
		if l, err = scanLink(tx.StmtContext(ctx, j.st.readLink).QueryRowContext(ctx)); err != nil {
			return err
		}
		if link != nil {
			link(&l)
		}
		j.noteLink()
		if err := writeLink(ctx, tx, l); err != nil {
			return err
		}
		if stateJSON != nil {
			if err := j.saveStateTx(ctx, tx, stateJSON, int64(state.Refusals)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return LinkState{}, err
	}
	return l, nil
}

// saveSettings replaces the settings through q (the database or a transaction).
func saveSettings(ctx context.Context, q linkDB, seal sealer, s kkm.Settings) error {
	content, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: encode settings: %w", err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO settings (id, content, mac) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET content = excluded.content, mac = excluded.mac`, content, seal.settingsMAC(content)); err != nil {
		return fmt.Errorf("storage: save settings: %w", err)
	}
	return nil
}

// AddCashier stores a new cashier and returns it with its ID set. An operator code another
// cashier has is refused with ErrDuplicateOperatorCode.
func (j *Journal) AddCashier(ctx context.Context, c kkm.Cashier) (kkm.Cashier, error) {
	c.ID = 0
	content, err := json.Marshal(c)
	if err != nil {
		return c, fmt.Errorf("storage: encode cashier: %w", err)
	}
	var id int64
	err = j.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO cashiers (operator_code, name, content) VALUES (?, ?, ?)
			RETURNING id`, int64(c.OperatorCode), c.Name, content).Scan(&id); err != nil {
			return cashierError(c, err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE cashiers SET mac = ? WHERE id = ?`,
			j.seal.cashierMAC(id, int64(c.OperatorCode), content), id)
		return err
	})
	if err != nil {
		return c, err
	}
	c.ID = id
	return c, nil
}

// UpdateCashier replaces cashier c.ID (ErrNotFound when there is none).
func (j *Journal) UpdateCashier(ctx context.Context, c kkm.Cashier) error {
	content, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("storage: encode cashier: %w", err)
	}
	return j.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cashiers SET operator_code = ?, name = ?, content = ?, mac = ? WHERE id = ?`,
			int64(c.OperatorCode), c.Name, content, j.seal.cashierMAC(c.ID, int64(c.OperatorCode), content), c.ID)
		if err != nil {
			return cashierError(c, err)
		}
		return mustAffect(res, fmt.Sprintf("cashier %d", c.ID))
	})
}

// DeleteCashier removes cashier id (ErrNotFound when there is none). The documents they issued
// keep their Operator.
func (j *Journal) DeleteCashier(ctx context.Context, id int64) error {
	return j.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cashiers WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("storage: delete cashier %d: %w", id, err)
		}
		return mustAffect(res, fmt.Sprintf("cashier %d", id))
	})
}

// Cashier returns cashier id.
func (j *Journal) Cashier(ctx context.Context, id int64) (kkm.Cashier, error) {
	return j.oneCashier(ctx, fmt.Sprintf("cashier %d", id), `id = ?`, id)
}

// CashierByOperatorCode returns the cashier with operator code code.
func (j *Journal) CashierByOperatorCode(ctx context.Context, code uint32) (kkm.Cashier, error) {
	ctx, err := whole(ctx) // the statements run whole (journal.go)
	if err != nil {
		return kkm.Cashier{}, err
	}
	// Asked on every sale (the cashier the receipt names): a hot read (statements.go).
	var c kkm.Cashier
	err = j.hotRead(func(held func(*sql.Stmt) *sql.Stmt) error {
		c, err = scanCashier(held(j.st.cashierByCode).QueryRowContext(ctx, int64(code)))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound(fmt.Sprintf("cashier with operator code %d", code))
	}
	return c, err
}

// cashierByCodeSQL reads the cashier with an operator code (CashierByOperatorCode).
const cashierByCodeSQL = `SELECT id, content FROM cashiers WHERE operator_code = ?`

// Cashiers lists every cashier by name.
func (j *Journal) Cashiers(ctx context.Context) ([]kkm.Cashier, error) {
	rows, err := j.db.QueryContext(ctx, `SELECT id, content FROM cashiers ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("storage: list cashiers: %w", err)
	}
	defer rows.Close()
	var out []kkm.Cashier
	for rows.Next() {
		c, err := scanCashier(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: list cashiers: %w", err)
	}
	return out, nil
}

// oneCashier reads the cashier matching where.
func (j *Journal) oneCashier(ctx context.Context, what, where string, arg any) (kkm.Cashier, error) {
	c, err := scanCashier(j.db.QueryRowContext(ctx, `SELECT id, content FROM cashiers WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound(what)
	}
	return c, err
}

// scanCashier decodes one (id, content) row.
func scanCashier(s scanner) (kkm.Cashier, error) {
	var c kkm.Cashier
	var id int64
	var content []byte
	if err := s.Scan(&id, &content); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, err
		}
		return c, fmt.Errorf("storage: read cashier: %w", err)
	}
	if err := json.Unmarshal(content, &c); err != nil {
		return c, fmt.Errorf("storage: decode cashier %d: %w", id, err)
	}
	c.ID = id
	return c, nil
}

// cashierError turns a unique-constraint failure into ErrDuplicateOperatorCode.
func cashierError(c kkm.Cashier, err error) error {
	if strings.Contains(err.Error(), "UNIQUE constraint failed: cashiers.operator_code") {
		return fmt.Errorf("%w: %d", ErrDuplicateOperatorCode, c.OperatorCode)
	}
	return fmt.Errorf("storage: save cashier %q: %w", c.Name, err)
}

// mustAffect returns ErrNotFound (naming what) when res changed no row.
func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
