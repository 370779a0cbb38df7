package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// A migration brings the schema from version-1 to version. Versions count from 1; the journal's
// version is kept in PRAGMA user_version, which SQLite stores in the file header and changes
// inside the migration's own transaction, so a migration is applied whole or not at all.
type migration struct {
	version    int
	statements []string
}

// migrations lists every schema change in order. Append only: a released migration never changes.
func migrations() []migration {
	return []migration{{
		version: 1,
		statements: []string{
			// documents: the journal proper. content is the kkm.Document as JSON; the other columns
			// are copies of it for indexes, and all of them are covered by hash (see chain.go).
			`CREATE TABLE documents (
				seq            INTEGER PRIMARY KEY,  -- 1, 2, 3, ... without gaps
				kind           TEXT    NOT NULL,
				shift_number   INTEGER NOT NULL,
				number         INTEGER NOT NULL,     -- number within the shift
				issued_at      INTEGER NOT NULL,     -- Unix milliseconds
				total          INTEGER NOT NULL,     -- tiyn
				offline        INTEGER NOT NULL,     -- 0 or 1
				offline_number INTEGER,              -- NULL unless issued offline with a number
				parent_seq     INTEGER REFERENCES documents(seq), -- a return's original, when in this journal
				parent_number  TEXT,                 -- a return's original as named (fiscal sign or offline number)
				content        BLOB    NOT NULL,
				prev_hash      BLOB    NOT NULL,
				hash           BLOB    NOT NULL
			)`,
			`CREATE INDEX documents_by_shift ON documents(shift_number, number)`,
			`CREATE INDEX documents_by_time ON documents(issued_at)`,
			`CREATE INDEX documents_by_offline_number ON documents(offline_number) WHERE offline_number IS NOT NULL`,
			`CREATE INDEX documents_by_parent ON documents(parent_seq) WHERE parent_seq IS NOT NULL`,
			`CREATE INDEX documents_by_parent_number ON documents(parent_number) WHERE parent_number IS NOT NULL`,
			// chain: the head of the hash chain (the last row written) and the last verified point.
			`CREATE TABLE chain (
				id            INTEGER PRIMARY KEY CHECK (id = 1),
				head_seq      INTEGER NOT NULL,
				head_hash     BLOB    NOT NULL,
				verified_seq  INTEGER NOT NULL,
				verified_hash BLOB    NOT NULL
			)`,
			`INSERT INTO chain VALUES (1, 0, zeroblob(32), 0, zeroblob(32))`,
			// fiscal_results: the OFD's answer to a document, kept outside the hashed content
			// because it arrives later (possibly days later, after an offline spell).
			`CREATE TABLE fiscal_results (
				seq         INTEGER PRIMARY KEY REFERENCES documents(seq),
				fiscal_sign TEXT,                  -- NULL when the answer carries none (cash in/out, Z)
				qr_link     TEXT    NOT NULL,
				answered_at INTEGER NOT NULL        -- Unix milliseconds
			)`,
			`CREATE INDEX fiscal_results_by_sign ON fiscal_results(fiscal_sign) WHERE fiscal_sign IS NOT NULL`,
			// outbox: one row per fiscal document, sent oldest first.
			`CREATE TABLE outbox (
				seq           INTEGER PRIMARY KEY REFERENCES documents(seq),
				queued_at     INTEGER NOT NULL,    -- Unix milliseconds (the document's time)
				token         INTEGER,             -- the request's TOKEN, set before it first leaves
				reqnum        INTEGER,             -- the request's REQNUM, likewise
				offline_begin INTEGER,             -- offline_period begin sent with it, Unix ms
				done_at       INTEGER              -- NULL while waiting
			)`,
			`CREATE INDEX outbox_waiting ON outbox(seq) WHERE done_at IS NULL`,
			// ofd_link: the link's own state, one row.
			`CREATE TABLE ofd_link (
				id            INTEGER PRIMARY KEY CHECK (id = 1),
				token         INTEGER NOT NULL,
				last_reqnum   INTEGER NOT NULL,
				offline_since INTEGER,             -- Unix milliseconds, NULL when online
				blocked_code  INTEGER NOT NULL,    -- 0 when not blocked, else the OFD result code
				info_text     TEXT    NOT NULL
			)`,
			`INSERT INTO ofd_link VALUES (1, 0, 0, NULL, 0, '')`,
			// register_state: kkm.State as JSON, one row, replaced by every Commit.
			`CREATE TABLE register_state (
				id      INTEGER PRIMARY KEY CHECK (id = 1),
				content BLOB NOT NULL
			)`,
			// settings: kkm.Settings as JSON, one row (see settings.go for why).
			`CREATE TABLE settings (
				id      INTEGER PRIMARY KEY CHECK (id = 1),
				content BLOB NOT NULL
			)`,
			`CREATE TABLE cashiers (
				id            INTEGER PRIMARY KEY,
				operator_code INTEGER NOT NULL UNIQUE,
				name          TEXT    NOT NULL,
				content       BLOB    NOT NULL     -- kkm.Cashier as JSON
			)`,
		},
	}, {
		// 2: history's access paths and the analytics aggregates (history.go, analytics.go).
		version:    2,
		statements: historyAndAnalyticsMigration(),
	}, {
		// 3: documents_by_shift (shift_number, number) goes: every Commit wrote it, and since
		// migration 2 no query needs it. A shift's documents are listed through
		// documents_history_shift (shift_number, seq), and a receipt by shift and number
		// (ReceiptByNumber) is found on documents_history_number (number, seq) within the shift's
		// seqs, which documents_history_shift gives. documents_by_time stays: it turns a period into
		// seqs (periodSeqs); so does documents_history_number, the number search of History.
		version: 3,
		statements: []string{
			`DROP INDEX IF EXISTS documents_by_shift`,
		},
	}, {
		// 4: documents the OFD refused for their content (design.md §3 invariant 11; refused.go).
		// refusals marks them, outside the hash chain like fiscal_results; outbox.amended is a
		// waiting document as it must now be sent (a Z report queued behind a refused receipt
		// loses it from its counters), the chained content staying as issued;
		// register_state.refusals counts the refusals taken out of the saved state, so a Commit
		// of a state computed before one is refused instead of undoing it.
		version: 4,
		statements: []string{
			`CREATE TABLE refusals (
				seq        INTEGER PRIMARY KEY REFERENCES documents(seq),
				code       INTEGER NOT NULL,   -- the OFD's result code
				text       TEXT    NOT NULL,   -- the OFD's result text
				refused_at INTEGER NOT NULL    -- Unix milliseconds
			)`,
			`ALTER TABLE outbox ADD COLUMN amended BLOB`,
			`ALTER TABLE register_state ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0`,
		},
	}, {
		// 5: the catalogue (catalogue.go): items and their barcodes. Outside the hash chain: an
		// item is not a document, and a receipt carries its own copy of what it sold.
		version:    5,
		statements: catalogueMigration(),
	}, {
		// 6: the analytics rollups per day and month, and their watermark (analytics_rollup.go).
		version:    6,
		statements: analyticsRollupMigration(),
	}, {
		// 7: the rollups refilled so that the watermark's month holds its days before it: this
		// month and this year read months, not 30 days of items (analytics_rollup.go).
		version:    7,
		statements: analyticsRollupRefillMigration(),
	}, {
		// 8: the seal (seal.go). The key's ID in the chain table (NULL until the journal is
		// sealed: Open then re-keys it), a MAC on the state, the settings, each cashier and each
		// OFD answer, and the seal's own events.
		version: 8,
		statements: []string{
			`ALTER TABLE chain ADD COLUMN key_id BLOB`,
			`ALTER TABLE register_state ADD COLUMN mac BLOB`,
			`ALTER TABLE settings ADD COLUMN mac BLOB`,
			`ALTER TABLE cashiers ADD COLUMN mac BLOB`,
			`ALTER TABLE fiscal_results ADD COLUMN mac BLOB`,
			`ALTER TABLE refusals ADD COLUMN mac BLOB`,
			// Empty in use (every answer is sealed as it is stored); it keeps SealBulkAnswers'
			// search for unsealed answers cheap for the bulk generator.
			`CREATE INDEX fiscal_results_unsealed ON fiscal_results(seq) WHERE mac IS NULL`,
			`CREATE TABLE journal_events (
				id     INTEGER PRIMARY KEY,
				at     INTEGER NOT NULL,  -- Unix milliseconds
				kind   TEXT    NOT NULL,
				detail TEXT    NOT NULL,
				mac    BLOB    NOT NULL
			)`,
		},
	}, {
		// The journal's identity in its own bytes (identity.go): every write transaction stamps
		// the chain row, so the chain's page changes with each.
		version: 9,
		statements: []string{
			`ALTER TABLE chain ADD COLUMN writes INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE chain ADD COLUMN opener BLOB`,
		},
	}, {
		// 10: the hub's name of a catalogue item pulled from the owner's hub (catalogue_hub.go),
		// at most one local item per hub item.
		version: 10,
		statements: []string{
			`ALTER TABLE items ADD COLUMN hub_key TEXT`,
			`CREATE UNIQUE INDEX items_by_hub_key ON items(hub_key) WHERE hub_key IS NOT NULL`,
		},
	}, {
		// The analytics aggregates are folded from the documents behind a watermark instead of
		// written by every Commit (analytics_fold.go); a journal written before had them written
		// up to its last document.
		version: 11,
		statements: []string{
			`ALTER TABLE analytics_rollup ADD COLUMN folded_seq INTEGER NOT NULL DEFAULT 0`,
			`UPDATE analytics_rollup SET folded_seq = (SELECT COALESCE(MAX(seq), 0) FROM documents)`,
		},
	}, {
		// 12: the OFD link's state moves into the chain row (issue 16: a page fewer per commit).
		// Every write transaction rewrites the chain row's page already (its stamp, identity.go),
		// and the writes that change the link (an online receipt's request, every OFD answer)
		// wrote the link's own one-row table besides: one WAL page and one statement more. In
		// the chain row the link's write is the stamp's, one statement, one page. ofd_link stays
		// as a view of those columns for reading; every write names the chain's columns.
		version: 12,
		statements: []string{
			`ALTER TABLE chain ADD COLUMN link_token INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE chain ADD COLUMN link_reqnum INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE chain ADD COLUMN link_offline_since INTEGER`,
			`ALTER TABLE chain ADD COLUMN link_blocked_code INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE chain ADD COLUMN link_info_text TEXT NOT NULL DEFAULT ''`,
			`UPDATE chain SET (link_token, link_reqnum, link_offline_since, link_blocked_code, link_info_text) =
				(SELECT token, last_reqnum, offline_since, blocked_code, info_text FROM ofd_link WHERE id = 1)
				WHERE id = 1 AND EXISTS (SELECT 1 FROM ofd_link WHERE id = 1)`,
			`DROP TABLE ofd_link`,
			`CREATE VIEW ofd_link AS SELECT id, link_token AS token, link_reqnum AS last_reqnum,
				link_offline_since AS offline_since, link_blocked_code AS blocked_code, link_info_text AS info_text
				FROM chain`,
		},
	}, {
		// 13: the register's own catalogue changes go up to the owner's hub (catalogue_hub.go):
		// the hub version an item's copy is based on, and the mark of a change made here and not
		// yet answered by the hub (0: none).
		version: 13,
		statements: []string{
			`ALTER TABLE items ADD COLUMN hub_version INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE items ADD COLUMN hub_changed INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX items_hub_changed ON items(hub_changed) WHERE hub_changed > 0`,
		},
	}, {
		// 14: the outbox's waiting entries found from a watermark in the chain row instead of
		// the partial index outbox_waiting, which every receipt's Commit (its entry joins it)
		// and every OFD answer (its entry leaves it) wrote: one WAL page each (issue 16).
		// chain.outbox_done_seq is a seq at or below which every outbox entry is done; a waiting
		// entry is one above it with done_at NULL (both conditions: the watermark narrows, the
		// column decides), found on the outbox's primary key. Entries are done oldest first
		// (only the oldest waiting can be answered or refused), so the triggers move the
		// watermark to each entry done, and only when no entry between is still waiting: a
		// watermark above a waiting entry would hide it from the sender, so it never moves
		// past one, whatever writes the outbox (a restore from the hub, the fixture).
		version: 14,
		statements: []string{
			`ALTER TABLE chain ADD COLUMN outbox_done_seq INTEGER NOT NULL DEFAULT 0`,
			`UPDATE chain SET outbox_done_seq = COALESCE((SELECT MIN(seq) FROM outbox WHERE done_at IS NULL) - 1,
				(SELECT MAX(seq) FROM outbox), 0) WHERE id = 1`,
			`DROP INDEX outbox_waiting`,
			`CREATE TRIGGER outbox_done_update AFTER UPDATE OF done_at ON outbox
				WHEN OLD.done_at IS NULL AND NEW.done_at IS NOT NULL
				BEGIN ` + moveOutboxWatermarkSQL + ` END`,
			`CREATE TRIGGER outbox_done_insert AFTER INSERT ON outbox
				WHEN NEW.done_at IS NOT NULL
				BEGIN ` + moveOutboxWatermarkSQL + ` END`,
		},
	}, {
		// 15: the register state moves into the chain row too (issue 16: a page and a statement
		// fewer per receipt). Every Commit rewrote both the chain row (its head and stamp) and the
		// state's one-row table: now one UPDATE of one row writes both. The state is ~2.2 kB of
		// JSON, so the row still fits its page (4 061 bytes before a row overflows; beyond, it
		// would take an overflow page, as many pages as before). register_state stays as a view
		// for reading (no row before the first state, as before), and an UPDATE of the view lands
		// in the chain row (the INSTEAD OF trigger), so a tool or a test that edits the state
		// edits what the journal holds.
		version: 15,
		statements: []string{
			`ALTER TABLE chain ADD COLUMN state_content BLOB`,
			`ALTER TABLE chain ADD COLUMN state_refusals INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE chain ADD COLUMN state_mac BLOB`,
			`UPDATE chain SET (state_content, state_refusals, state_mac) =
				(SELECT content, refusals, mac FROM register_state WHERE id = 1)
				WHERE id = 1 AND EXISTS (SELECT 1 FROM register_state WHERE id = 1)`,
			`DROP TABLE register_state`,
			`CREATE VIEW register_state AS SELECT id, state_content AS content, state_refusals AS refusals,
				state_mac AS mac FROM chain WHERE state_content IS NOT NULL`,
			`CREATE TRIGGER register_state_update INSTEAD OF UPDATE ON register_state
				BEGIN UPDATE chain SET state_content = NEW.content, state_refusals = NEW.refusals,
					state_mac = NEW.mac WHERE id = 1; END`,
		},
	}, {
		// The search keys leave the commit (issue 16, item 1; keys.go): the seven indexes the
		// history and the lookups walk move from documents to document_keys, filled at the next
		// pause, so a receipt's commit writes three pages instead of nine.
		version:    16,
		statements: documentKeysMigration(),
	}}
}

// moveOutboxWatermarkSQL moves the outbox's watermark to the entry NEW.seq just done, when
// every entry between the watermark and it is done too (migration 14's triggers).
const moveOutboxWatermarkSQL = `UPDATE chain SET outbox_done_seq = NEW.seq
	WHERE id = 1 AND NEW.seq > outbox_done_seq AND NOT EXISTS (SELECT 1 FROM outbox
		WHERE seq > chain.outbox_done_seq AND seq < NEW.seq AND done_at IS NULL);`

// SchemaVersion is the newest journal schema this build knows.
func SchemaVersion() int {
	m := migrations()
	return m[len(m)-1].version
}

// migrate applies every migration newer than the journal's version in one transaction, and
// refuses a journal newer than this build. One transaction, not one per migration: a fresh
// journal is made with one durable commit instead of one per migration (each an fsync, which a
// phone pays several times over at first start), and a journal is at one version or the next,
// never in between.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storage: migrate: begin: %w", err)
	}
	defer rollback(tx)
	// The version is read inside the write transaction, so two processes opening the same new
	// file cannot both apply a migration.
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("storage: read schema version: %w", err)
	}
	if v > SchemaVersion() {
		return &VersionError{Found: v, Supported: SchemaVersion()}
	}
	if v == SchemaVersion() {
		return nil
	}
	for _, m := range migrations() {
		if m.version <= v {
			continue
		}
		for _, s := range m.statements {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("storage: migration %d: %w", m.version, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion())); err != nil {
		return fmt.Errorf("storage: migrate: set version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storage: migrate: commit: %w", err)
	}
	return nil
}
