package hub

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the hub's database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the PostgreSQL database named by dsn and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("hub: the database's address: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// Pushes are short transactions that wait mostly on the commit's fsync; more of them in
		// flight let PostgreSQL flush several commits with one fsync (the default is max(4, CPUs)).
		cfg.MaxConns = 32
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("hub: connecting: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close closes the connections.
func (s *Store) Close() { s.pool.Close() }

// Principal is who a credential speaks for.
type Principal struct {
	Owner          bool  // an owner of the organization (reads); otherwise a register (pushes)
	OrganizationID int64 //
	RegisterID     int64 // the register, for a register's credential
}

// Organization is an owner's business.
type Organization struct {
	ID   int64
	Name string
}

// Register is one register of an organization as the hub knows it.
type Register struct {
	ID             int64
	OrganizationID int64
	Serial         string
	Name           string
	Shop           string // the trading point it works in
	Cursor         Cursor
	PushedAt       time.Time      // zero before the first push
	State          *RegisterState // as of the last push that carried one
}

// CreateOrganization adds an organization and returns it with an owner's credential for it. The
// credential is shown once: the hub keeps only its digest.
func (s *Store) CreateOrganization(ctx context.Context, name string) (Organization, string, error) {
	if name == "" || len(name) > 200 {
		return Organization{}, "", fmt.Errorf("%w: an organization's name must be 1–200 characters", ErrMalformed)
	}
	var org Organization
	var secret string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO organizations (name) VALUES ($1) RETURNING id, name`, name).
			Scan(&org.ID, &org.Name); err != nil {
			return err
		}
		var err error
		secret, err = addCredential(ctx, tx, "owner", org.ID, nil)
		return err
	})
	return org, secret, err
}

// AddRegister adds a register working in the trading point shop to an organization and returns it
// with the register's credential, shown once. A serial number already known to the hub is refused.
func (s *Store) AddRegister(ctx context.Context, orgID int64, serial, name, shop string) (Register, string, error) {
	if serial == "" || len(serial) > 64 || len(name) > 200 || len(shop) > 200 {
		return Register{}, "", fmt.Errorf("%w: a register needs a serial number (up to 64 characters), a name and a shop (up to 200)", ErrMalformed)
	}
	r := Register{OrganizationID: orgID, Serial: serial, Name: name, Shop: shop}
	var secret string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO registers (organization_id, serial, name, shop) VALUES ($1, $2, $3, $4)
			RETURNING id, head_seq, head_hash`, orgID, serial, name, shop).Scan(&r.ID, &r.Cursor.Seq, &r.Cursor.Hash); err != nil {
			return err
		}
		var err error
		secret, err = addCredential(ctx, tx, "register", orgID, &r.ID)
		return err
	})
	if isUniqueViolation(err) {
		return Register{}, "", fmt.Errorf("%w: %w: %s", ErrMalformed, ErrSerialTaken, serial)
	}
	return r, secret, err
}

// addCredential makes a random secret and keeps its digest.
func addCredential(ctx context.Context, tx pgx.Tx, kind string, orgID int64, registerID *int64) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw[:])
	d := digest(secret)
	_, err := tx.Exec(ctx, `INSERT INTO credentials (digest, kind, organization_id, register_id) VALUES ($1, $2, $3, $4)`,
		d[:], kind, orgID, registerID)
	return secret, err
}

func digest(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// Authenticate returns who secret speaks for, or ErrForbidden.
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if secret == "" || len(secret) > 256 {
		return Principal{}, ErrForbidden
	}
	d := digest(secret)
	var p Principal
	var kind string
	var reg *int64
	err := s.pool.QueryRow(ctx, `SELECT kind, organization_id, register_id FROM credentials WHERE digest = $1`, d[:]).
		Scan(&kind, &p.OrganizationID, &reg)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrForbidden
	}
	if err != nil {
		return Principal{}, err
	}
	p.Owner = kind == "owner"
	if reg != nil {
		p.RegisterID = *reg
	}
	return p, nil
}

// Push stores a register's documents, in order, as the next links of the chain the hub holds of
// it, all in one transaction: either every new document is stored or none is. Documents the hub
// already holds (the same UUID at the same seq with the same hash) are counted as duplicates and
// skipped, so a push repeated after a lost answer is harmless. Anything else out of place is a
// *ChainError (ErrGap, ErrFork, ErrMalformed).
func (s *Store) Push(ctx context.Context, registerID int64, docs []Document) (PushResult, error) {
	return s.PushWithState(ctx, registerID, docs, nil)
}

// PushWithState is Push, and keeps the register's live state (when not nil) in the same
// transaction; a state older than the one held is ignored (pushes may race).
func (s *Store) PushWithState(ctx context.Context, registerID int64, docs []Document, state *RegisterState) (PushResult, error) {
	var res PushResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		res = PushResult{}
		// The register's row is the lock: one push at a time per register, in its order.
		var head Cursor
		if err := tx.QueryRow(ctx, `SELECT head_seq, head_hash FROM registers WHERE id = $1 FOR UPDATE`, registerID).
			Scan(&head.Seq, &head.Hash); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrForbidden
			}
			return err
		}
		batch := &pgx.Batch{}
		first := head.Seq // the documents stored by this push are (first, head.Seq]
		for _, d := range docs {
			if why := d.validate(); why != "" {
				return &ChainError{Seq: d.Seq, Want: head.Seq + 1, Err: ErrMalformed, Why: why}
			}
			if d.Seq <= head.Seq {
				if err := s.checkHeld(ctx, tx, registerID, d); err != nil {
					return &ChainError{Seq: d.Seq, Want: head.Seq + 1, Err: ErrFork, Why: err.Error()}
				}
				res.Duplicate++
				continue
			}
			if d.Seq != head.Seq+1 {
				return &ChainError{Seq: d.Seq, Want: head.Seq + 1, Err: ErrGap, Why: "documents are missing before it"}
			}
			if !bytes.Equal(d.PrevHash, head.Hash) {
				return &ChainError{Seq: d.Seq, Want: head.Seq + 1, Err: ErrFork, Why: "its prev_hash is not the hash of the document before it"}
			}
			batch.Queue(`INSERT INTO documents (register_id, seq, uuid, kind, shift_number, number, issued_at, total,
				offline, content, prev_hash, hash, parent_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				registerID, d.Seq, d.UUID, d.Kind, int64(d.ShiftNumber), int64(d.Number), d.IssuedAt, d.Total,
				d.Offline, string(d.Content), d.PrevHash, d.Hash, d.ParentSeq)
			head = Cursor{Seq: d.Seq, Hash: d.Hash}
			res.Stored++
		}
		if state != nil {
			batch.Queue(`UPDATE registers SET state = $2 WHERE id = $1
				AND (state IS NULL OR (state->>'at')::timestamptz <= ($2::jsonb->>'at')::timestamptz)`, registerID, state)
		}
		if res.Stored > 0 {
			batch.Queue(rollupSQL, registerID, first, head.Seq)
			batch.Queue(rollupDaysSQL, registerID, first, head.Seq)
			batch.Queue(rollupMonthsSQL, registerID, first, head.Seq)
			batch.Queue(`UPDATE registers SET head_seq = $2, head_hash = $3, pushed_at = now() WHERE id = $1`,
				registerID, head.Seq, head.Hash)
		}
		if batch.Len() > 0 {
			if err := tx.SendBatch(ctx, batch).Close(); err != nil {
				if isUniqueViolation(err) { // a UUID held for another register or seq
					return &ChainError{Seq: head.Seq, Want: head.Seq, Err: ErrFork, Why: "a document with this UUID is already held elsewhere"}
				}
				return err
			}
		}
		res.Cursor = head
		return nil
	})
	return res, err
}

// checkHeld returns nil when the hub holds d exactly (the same UUID and hash at d's seq).
func (s *Store) checkHeld(ctx context.Context, tx pgx.Tx, registerID int64, d Document) error {
	var held Document
	err := tx.QueryRow(ctx, `SELECT uuid, hash FROM documents WHERE register_id = $1 AND seq = $2`, registerID, d.Seq).
		Scan(&held.UUID, &held.Hash)
	if err != nil {
		return fmt.Errorf("no document held at this seq: %w", err)
	}
	if held.UUID != d.UUID || !bytes.Equal(held.Hash, d.Hash) {
		return errors.New("the hub holds another document at this seq")
	}
	return nil
}

// Cursor returns where the hub's copy of a register's chain ends.
func (s *Store) Cursor(ctx context.Context, registerID int64) (Cursor, error) {
	var c Cursor
	err := s.pool.QueryRow(ctx, `SELECT head_seq, head_hash, answered_seq FROM registers WHERE id = $1`, registerID).
		Scan(&c.Seq, &c.Hash, &c.Answered)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrForbidden
	}
	return c, err
}

// Registers lists an organization's registers with their cursors.
func (s *Store) Registers(ctx context.Context, orgID int64) ([]Register, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, organization_id, serial, name, shop, head_seq, head_hash, pushed_at, state
		FROM registers WHERE organization_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Register
	for rows.Next() {
		var r Register
		var pushed *time.Time
		if err := rows.Scan(&r.ID, &r.OrganizationID, &r.Serial, &r.Name, &r.Shop, &r.Cursor.Seq, &r.Cursor.Hash, &pushed, &r.State); err != nil {
			return nil, err
		}
		if pushed != nil {
			r.PushedAt = *pushed
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DocumentQuery selects an organization's documents for its owner: a period, optionally one
// register, and at most Limit documents in issue order.
type DocumentQuery struct {
	From, To   time.Time // [From, To)
	RegisterID int64     // 0 for every register of the organization
	Limit      int       // at most 500; 0 means 100
}

// Documents returns an organization's documents in a period, oldest first. Only the
// organization's own registers are ever read.
func (s *Store) Documents(ctx context.Context, orgID int64, q DocumentQuery) ([]Document, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.Limit > 500 {
		q.Limit = 500
	}
	rows, err := s.pool.Query(ctx, `SELECT d.uuid, d.seq, d.kind, d.shift_number, d.number, d.issued_at, d.total,
			d.offline, d.content, d.prev_hash, d.hash, d.register_id
		FROM documents d JOIN registers r ON r.id = d.register_id
		WHERE r.organization_id = $1 AND d.issued_at >= $2 AND d.issued_at < $3 AND ($4 = 0 OR d.register_id = $4)
		ORDER BY d.issued_at, d.register_id, d.seq LIMIT $5`, orgID, q.From, q.To, q.RegisterID, q.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		var shift, number int64
		var content []byte
		if err := rows.Scan(&d.UUID, &d.Seq, &d.Kind, &shift, &number, &d.IssuedAt, &d.Total, &d.Offline, &content,
			&d.PrevHash, &d.Hash, &d.RegisterID); err != nil {
			return nil, err
		}
		d.ShiftNumber, d.Number, d.Content = uint32(shift), uint32(number), content
		out = append(out, d)
	}
	return out, rows.Err()
}

// isUniqueViolation reports a PostgreSQL unique_violation (23505).
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
