package hub

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's versions, applied in order, each in one transaction; the number of
// the last one applied is kept in hub_schema. A hub never runs on a schema newer than it knows.
var migrations = [][]string{
	1: {
		`CREATE TABLE organizations (
			id         BIGSERIAL PRIMARY KEY,
			name       TEXT        NOT NULL,
			created_at TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
		// credentials: who may do what. kind 'owner' reads its organization; kind 'register'
		// pushes to its register. Only the SHA-256 of the secret is kept.
		`CREATE TABLE credentials (
			digest          BYTEA PRIMARY KEY,
			kind            TEXT   NOT NULL CHECK (kind IN ('owner', 'register')),
			organization_id BIGINT NOT NULL REFERENCES organizations(id),
			register_id     BIGINT,
			created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
			CHECK ((kind = 'register') = (register_id IS NOT NULL))
		)`,
		// registers: one row per register, with the head of the chain the hub holds of it.
		`CREATE TABLE registers (
			id              BIGSERIAL PRIMARY KEY,
			organization_id BIGINT NOT NULL REFERENCES organizations(id),
			serial          TEXT   NOT NULL UNIQUE, -- ЗНМ
			name            TEXT   NOT NULL,
			head_seq        BIGINT NOT NULL DEFAULT 0,
			head_hash       BYTEA  NOT NULL DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000',
			pushed_at       TIMESTAMPTZ
		)`,
		`ALTER TABLE credentials ADD FOREIGN KEY (register_id) REFERENCES registers(id)`,
		// documents: every document of every register, as pushed. content is the register's JSON.
		`CREATE TABLE documents (
			register_id  BIGINT      NOT NULL REFERENCES registers(id),
			seq          BIGINT      NOT NULL,
			uuid         UUID        NOT NULL UNIQUE,
			kind         TEXT        NOT NULL,
			shift_number BIGINT      NOT NULL,
			number       BIGINT      NOT NULL,
			issued_at    TIMESTAMPTZ NOT NULL,
			total        BIGINT      NOT NULL, -- tiyn
			offline      BOOLEAN     NOT NULL,
			content      JSONB       NOT NULL,
			prev_hash    BYTEA       NOT NULL,
			hash         BYTEA       NOT NULL,
			received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
			PRIMARY KEY (register_id, seq)
		)`,
		`CREATE INDEX documents_by_time ON documents (register_id, issued_at)`,
		`CREATE INDEX documents_by_shift ON documents (register_id, shift_number, number)`,
	},
	2: {
		// The trading point (shop) a register works in, for the owner's figures by shop.
		`ALTER TABLE registers ADD COLUMN shop TEXT NOT NULL DEFAULT ''`,
		// The owner's figures read receipts of an organization by time.
		`CREATE INDEX documents_receipts_by_time ON documents (issued_at, register_id) WHERE kind = 'receipt'`,
	},
	3: {
		// The register's live state as of its last push (RegisterState as JSON).
		`ALTER TABLE registers ADD COLUMN state JSONB`,
	},
	4: {
		// Onboarding (the manual's steps 1–6). An owner's account by e-mail, confirmed by a code.
		`CREATE TABLE accounts (
			email           TEXT PRIMARY KEY,
			code_digest     BYTEA,       -- SHA-256 of the confirmation code while one is pending
			code_expires_at TIMESTAMPTZ,
			attempts        INTEGER NOT NULL DEFAULT 0,
			organization_id BIGINT REFERENCES organizations(id), -- set once confirmed
			created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
		// The organization as bound by its ЭЦП: the IIN/BIN from the certificate that signed the
		// hub's challenge, and its legal address.
		`ALTER TABLE organizations ADD COLUMN iin_bin TEXT`,
		`ALTER TABLE organizations ADD COLUMN certificate BYTEA`,
		`ALTER TABLE organizations ADD COLUMN legal_address TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE organizations ADD COLUMN challenge BYTEA`,
		`CREATE TABLE trade_points (
			id              BIGSERIAL PRIMARY KEY,
			organization_id BIGINT NOT NULL REFERENCES organizations(id),
			name            TEXT NOT NULL,
			region          TEXT NOT NULL,
			locality        TEXT NOT NULL,
			street          TEXT NOT NULL,
			house           TEXT NOT NULL,
			apartment       TEXT NOT NULL DEFAULT ''
		)`,
		// A register's application to the OFD and the tax authority, and its outcome.
		`CREATE TABLE applications (
			register_id     BIGINT PRIMARY KEY REFERENCES registers(id),
			trade_point_id  BIGINT NOT NULL REFERENCES trade_points(id),
			model           TEXT NOT NULL,
			year            INTEGER NOT NULL,
			tariff          TEXT NOT NULL,
			connection      TEXT NOT NULL,
			status          TEXT NOT NULL CHECK (status IN ('sent', 'awaiting_kgd', 'registered', 'error')),
			reference       TEXT NOT NULL DEFAULT '', -- the OFD cabinet's reference of the application
			error           TEXT NOT NULL DEFAULT '',
			system_id       BIGINT,                   -- given once registered: «Подключить кассу»
			token           BIGINT,
			updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
	},
	5: {
		// The owner's figures read an hourly rollup of receipts, kept in the push's own
		// transaction (rollupSQL), instead of every receipt of a month: a month over 100 registers
		// is some 70 000 rollup rows rather than a million documents (docs/hub.md, BenchmarkMonthReport).
		// An hour in UTC is an hour in Kazakhstan (UTC+5), so the hour-of-day grouping reads it too.
		`CREATE TABLE receipt_hours (
			register_id  BIGINT      NOT NULL REFERENCES registers(id),
			hour         TIMESTAMPTZ NOT NULL, -- the receipts' hour, truncated in UTC
			cashier_code TEXT        NOT NULL, -- '' when the receipt names none
			cashier_name TEXT        NOT NULL,
			receipts     BIGINT      NOT NULL,
			revenue      BIGINT      NOT NULL, -- tiyn, each operation with its sign
			PRIMARY KEY (register_id, hour, cashier_code)
		)`,
		// A period's rows of every register, read from the index alone (an index-only scan of
		// some 90 000 entries for a month beside the month before, over 100 registers).
		`CREATE INDEX receipt_hours_by_hour ON receipt_hours (hour, register_id) INCLUDE (cashier_code, cashier_name, receipts, revenue)`,
		// The documents already held, rolled up once.
		`INSERT INTO receipt_hours (register_id, hour, cashier_code, cashier_name, receipts, revenue)
			SELECT ` + rollupSelect + ` FROM documents d WHERE d.kind = 'receipt' GROUP BY 1, 2, 3`,
	},
	6: {
		// The journal safe off the phone (safe.go). A document's content is kept as the register's
		// exact bytes (json, not jsonb, which reorders keys): they are hashed in the register's
		// chain, and a restored journal must verify. Documents pushed before keep jsonb's text.
		`ALTER TABLE documents ALTER COLUMN content TYPE json USING content::json`,
		// A return's original in the register's journal: hashed there, not in the content.
		`ALTER TABLE documents ADD COLUMN parent_seq BIGINT NOT NULL DEFAULT 0`,
		// The OFD's answers to a register's documents, pushed once each in seq order; refused
		// marks a document the OFD never counted (the owner's figures leave it out).
		`ALTER TABLE registers ADD COLUMN answered_seq BIGINT NOT NULL DEFAULT 0`,
		`CREATE TABLE register_answers (
			register_id BIGINT  NOT NULL,
			seq         BIGINT  NOT NULL,
			refused     BOOLEAN NOT NULL,
			answer      JSONB   NOT NULL, -- the register's outbox entry and answer, with their seals
			PRIMARY KEY (register_id, seq),
			FOREIGN KEY (register_id, seq) REFERENCES documents (register_id, seq)
		)`,
		// The register's sealed snapshot (key, state, link, waiting queue), encrypted on the
		// register with its credential: the hub stores it and cannot read it.
		`CREATE TABLE register_safes (
			register_id BIGINT PRIMARY KEY REFERENCES registers(id),
			head_seq    BIGINT NOT NULL,
			sealed      BYTEA  NOT NULL,
			updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
	},
	7: {
		// One catalogue for all shops (catalogue.go): the organization's items, each with the
		// organization's catalogue version of its last change. The version counter is one row
		// per organization, locked by every change, so versions grow in commit order and a
		// register's cursor never skips a change committed late.
		`CREATE TABLE catalogue_versions (
			organization_id BIGINT PRIMARY KEY REFERENCES organizations(id),
			version         BIGINT NOT NULL
		)`,
		`CREATE TABLE catalogue_items (
			organization_id BIGINT NOT NULL REFERENCES organizations(id),
			key             UUID   NOT NULL,  -- the item's name across the organization's registers
			version         BIGINT NOT NULL,
			code            TEXT   NOT NULL,  -- the article code, '' when none
			content         JSONB  NOT NULL,  -- the item (kkm.Item) without a register's ID
			changed_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
			PRIMARY KEY (organization_id, key)
		)`,
		`CREATE UNIQUE INDEX catalogue_items_by_version ON catalogue_items (organization_id, version)`,
		`CREATE UNIQUE INDEX catalogue_items_by_code ON catalogue_items (organization_id, code) WHERE code <> ''`,
		// Each barcode (its kkm key) on one item of the organization, as on each register.
		`CREATE TABLE catalogue_barcodes (
			organization_id BIGINT NOT NULL,
			code            TEXT   NOT NULL,
			key             UUID   NOT NULL,
			PRIMARY KEY (organization_id, code),
			FOREIGN KEY (organization_id, key) REFERENCES catalogue_items (organization_id, key)
		)`,
	},
	8: {
		// The daily rollup (days in Kazakhstan) beside the hourly one: the owner's figures by shop,
		// register and cashier over whole days read it (a month over 100 registers: some 6 000
		// rows instead of 45 000). Filled from the hourly rollup, which already leaves out refusals.
		`CREATE TABLE receipt_days (
			register_id  BIGINT      NOT NULL REFERENCES registers(id),
			day          TIMESTAMPTZ NOT NULL, -- 00:00 in Kazakhstan (UTC+5)
			cashier_code TEXT        NOT NULL,
			cashier_name TEXT        NOT NULL,
			receipts     BIGINT      NOT NULL,
			revenue      BIGINT      NOT NULL,
			PRIMARY KEY (register_id, day, cashier_code)
		)`,
		`CREATE INDEX receipt_days_by_day ON receipt_days (day, register_id) INCLUDE (cashier_code, cashier_name, receipts, revenue)`,
		`INSERT INTO receipt_days (register_id, day, cashier_code, cashier_name, receipts, revenue)
			SELECT register_id, ` + kzDay("hour") + `, cashier_code, MAX(cashier_name), SUM(receipts), SUM(revenue)
			FROM receipt_hours GROUP BY 1, 2, 3`,
	},
	9: {
		// The rollup by month in Kazakhstan and hour of the day (0–23 there), for the owner's
		// figures by the hour of the day: a whole month of 100 registers is 2 400 rows of it instead
		// of some 45 000 hourly ones (docs/hub.md). Kept in the push's transaction like the others
		// (rollupMonthsSQL) and filled from the hourly rollup, which already leaves out refusals.
		`CREATE TABLE receipt_month_hours (
			register_id BIGINT      NOT NULL REFERENCES registers(id),
			month       TIMESTAMPTZ NOT NULL, -- the 1st, 00:00 in Kazakhstan (UTC+5)
			hod         SMALLINT    NOT NULL, -- the hour of the day in Kazakhstan
			receipts    BIGINT      NOT NULL,
			revenue     BIGINT      NOT NULL, -- tiyn, each operation with its sign
			PRIMARY KEY (register_id, month, hod)
		)`,
		`CREATE INDEX receipt_month_hours_by_month ON receipt_month_hours (month, register_id) INCLUDE (hod, receipts, revenue)`,
		monthsFromHoursSQL,
	},
	10: {
		// Whether the owner lets the organization's registers change its catalogue
		// (catalogue_registers.go); off until the owner turns it on.
		`ALTER TABLE organizations ADD COLUMN registers_edit_catalogue BOOLEAN NOT NULL DEFAULT false`,
	},
	11: {
		// A register's documents are kept as pushed, at least five years (issue 18.7; the
		// register's owner keeps the fiscal documents that long): the database itself refuses to
		// change one, to delete one younger than five years, or to empty the table, whatever
		// program or person connects to it. A hub never needs to: a push only inserts, the
		// rollups and refusals live in tables of their own, and a month's partition would be
		// detached and archived, not deleted (docs/hub.md).
		`CREATE FUNCTION documents_kept() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'DELETE' AND OLD.issued_at < now() - interval '5 years' THEN
				RETURN OLD;
			END IF;
			RAISE EXCEPTION 'hub: documents are kept as pushed for at least 5 years: % refused', TG_OP
				USING ERRCODE = 'integrity_constraint_violation';
		END $$`,
		`CREATE TRIGGER documents_kept BEFORE UPDATE OR DELETE ON documents
			FOR EACH ROW EXECUTE FUNCTION documents_kept()`,
		`CREATE TRIGGER documents_kept_whole BEFORE TRUNCATE ON documents
			FOR EACH STATEMENT EXECUTE FUNCTION documents_kept()`,
	},
}

// monthsFromHoursSQL fills the rollup by month and hour of the day from the hourly one (an hour in
// UTC is one hour in Kazakhstan).
var monthsFromHoursSQL = `INSERT INTO receipt_month_hours (register_id, month, hod, receipts, revenue)
	SELECT register_id, ` + kzMonth("hour") + `, ` + kzHour("hour") + `, SUM(receipts), SUM(revenue)
	FROM receipt_hours GROUP BY 1, 2, 3`

// Migrate brings the database's schema up to the newest version this hub knows, and refuses a
// schema newer than that.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS hub_schema (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("hub: schema table: %w", err)
	}
	for {
		done, err := migrateOne(ctx, pool)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if any, in one transaction that holds a lock on the
// schema table, so two hubs starting at once do not both apply it.
func migrateOne(ctx context.Context, pool *pgxpool.Pool) (done bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE hub_schema IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM hub_schema`).Scan(&version); err != nil {
			return err
		}
		last := len(migrations) - 1
		switch {
		case version > last:
			return fmt.Errorf("hub: the database's schema is version %d, newer than this hub's %d", version, last)
		case version == last:
			done = true
			return nil
		}
		for _, stmt := range migrations[version+1] {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("hub: migration %d: %w", version+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM hub_schema`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO hub_schema (version) VALUES ($1)`, version+1)
		return err
	})
	return done, err
}
