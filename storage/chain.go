package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
)

// The hash chain.
//
// Every document row stores
//
//	hash = SHA-256(prev_hash || row bytes)
//
// where prev_hash is the previous row's hash (32 zero bytes before the first row) and the row bytes
// are, in this order: seq (8 bytes, big endian), kind (4-byte big-endian length, then the bytes),
// shift number (4), number in shift (4), issue time in Unix milliseconds (8), total in tiyn (8),
// offline flag (1), offline number (4, 0 when none), parent seq (8, 0 when none), parent number
// (4-byte length, then the bytes; empty when none), and the content
// (4-byte length, then the JSON bytes exactly as stored). So every column that a query trusts is
// covered, not only the JSON.
//
// The chain table keeps the head (the last row's seq and hash, updated by every Commit) and the
// last verified point. Verify finds:
//   - an edited row: its hash no longer matches its bytes;
//   - a deleted row: a gap in seq, or the chain ending before the head;
//   - an inserted row: a row whose prev_hash is not the hash before it, or one beyond the head.
//
// The OFD's later answer (fiscal sign, QR link) lives in fiscal_results, outside the chain: the
// document is final when issued, and the answer arrives after, sometimes days after.

// hashSize is the length of a SHA-256 hash.
const hashSize = sha256.Size

// chainRow is what the hash covers of one document row.
type chainRow struct {
	seq           int64
	kind          string
	shiftNumber   uint32
	number        uint32
	issuedAt      int64 // Unix milliseconds
	total         int64
	offline       bool
	offlineNumber uint32
	parentSeq     int64
	parentNumber  string
	content       []byte
}

// rowHash returns the chain hash of r after prev: HMAC-SHA256(key, prev || r's bytes), or for a
// legacy journal being verified before its re-keying SHA-256(prev || r's bytes).
func (c *chainHasher) rowHash(prev []byte, r chainRow) []byte {
	h := c.h
	h.Reset()
	var b [8]byte
	h.Write(prev)
	put64 := func(v uint64) { binary.BigEndian.PutUint64(b[:], v); h.Write(b[:8]) }
	put32 := func(v uint32) { binary.BigEndian.PutUint32(b[:4], v); h.Write(b[:4]) }
	put64(uint64(r.seq))
	put32(uint32(len(r.kind)))
	h.Write([]byte(r.kind))
	put32(r.shiftNumber)
	put32(r.number)
	put64(uint64(r.issuedAt))
	put64(uint64(r.total))
	if r.offline {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	put32(r.offlineNumber)
	put64(uint64(r.parentSeq))
	put32(uint32(len(r.parentNumber)))
	h.Write([]byte(r.parentNumber))
	put32(uint32(len(r.content)))
	h.Write(r.content)
	return h.Sum(nil)
}

// chainColumns are the columns scanChainRow reads.
const chainColumns = `seq, kind, shift_number, number, issued_at, total, offline,
	COALESCE(offline_number, 0), COALESCE(parent_seq, 0), COALESCE(parent_number, ''), content, prev_hash, hash`

// scanChainRow reads one row of chainColumns: the hashed bytes, and the stored prev and hash.
func scanChainRow(s scanner) (chainRow, []byte, []byte, error) {
	var r chainRow
	var storedPrev, stored []byte
	err := s.Scan(&r.seq, &r.kind, &r.shiftNumber, &r.number, &r.issuedAt, &r.total, &r.offline,
		&r.offlineNumber, &r.parentSeq, &r.parentNumber, &r.content, &storedPrev, &stored)
	return r, storedPrev, stored, err
}

// VerifyResult says how far a verification went.
type VerifyResult struct {
	From    int64 // the first row checked
	Last    int64 // the last row checked (the chain's head when the chain holds)
	Checked int64 // how many rows were checked
}

// Verify walks the hash chain from row fromSeq (1 for the whole journal) to the head and returns
// a *ChainError (ErrChainBroken) naming the first row that does not hold. The row before fromSeq
// is trusted as the anchor. When the walk started at or before the last verified point and
// succeeded, the head becomes the new verified point, so VerifyFromCheckpoint stays cheap.
func (j *Journal) Verify(ctx context.Context, fromSeq int64) (VerifyResult, error) {
	if fromSeq < 1 {
		fromSeq = 1
	}
	res := VerifyResult{From: fromSeq}
	var headSeq, verifiedSeq int64
	var headHash, verifiedHash []byte
	if err := j.db.QueryRowContext(ctx,
		`SELECT head_seq, head_hash, verified_seq, verified_hash FROM chain WHERE id = 1`).
		Scan(&headSeq, &headHash, &verifiedSeq, &verifiedHash); err != nil {
		return res, fmt.Errorf("storage: verify: read chain head: %w", err)
	}
	prev := make([]byte, hashSize)
	if fromSeq > 1 {
		err := j.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, fromSeq-1).Scan(&prev)
		if err == sql.ErrNoRows {
			return res, &ChainError{Seq: fromSeq - 1, Reason: "row missing"}
		}
		if err != nil {
			return res, fmt.Errorf("storage: verify: %w", err)
		}
	}
	last, n, err := j.walk(ctx, fromSeq, prev, headSeq, headHash)
	res.Last, res.Checked = last, n
	if err != nil {
		return res, err
	}
	if fromSeq <= verifiedSeq+1 && last > verifiedSeq {
		if err := j.recordVerified(ctx, last); err != nil {
			return res, err
		}
	}
	return res, nil
}

// VerifyFromCheckpoint checks that the last verified row is still as it was and verifies the rows
// written since. The app runs it at start: its cost is that of the new rows only.
func (j *Journal) VerifyFromCheckpoint(ctx context.Context) (VerifyResult, error) {
	var verifiedSeq int64
	var verifiedHash []byte
	if err := j.db.QueryRowContext(ctx, `SELECT verified_seq, verified_hash FROM chain WHERE id = 1`).
		Scan(&verifiedSeq, &verifiedHash); err != nil {
		return VerifyResult{}, fmt.Errorf("storage: verify: read checkpoint: %w", err)
	}
	if verifiedSeq > 0 {
		var h []byte
		err := j.db.QueryRowContext(ctx, `SELECT hash FROM documents WHERE seq = ?`, verifiedSeq).Scan(&h)
		if err == sql.ErrNoRows {
			return VerifyResult{}, &ChainError{Seq: verifiedSeq, Reason: "verified row missing"}
		}
		if err != nil {
			return VerifyResult{}, fmt.Errorf("storage: verify: %w", err)
		}
		if !bytes.Equal(h, verifiedHash) {
			return VerifyResult{}, &ChainError{Seq: verifiedSeq, Reason: "verified row's hash changed"}
		}
	}
	return j.Verify(ctx, verifiedSeq+1)
}

// walk checks rows from seq from on with the journal's key (see walkRows).
func (j *Journal) walk(ctx context.Context, from int64, prev []byte, headSeq int64, headHash []byte) (int64, int64, error) {
	return walkRows(ctx, j.db, j.seal.key, from, prev, headSeq, headHash)
}

// walkRows checks rows from seq from on, starting with prev as the hash before, and that the
// chain ends exactly at the recorded head; key nil checks a legacy unkeyed chain. It returns the
// last row checked and how many were checked.
func walkRows(ctx context.Context, q querier, key []byte, from int64, prev []byte, headSeq int64, headHash []byte) (int64, int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+chainColumns+` FROM documents WHERE seq >= ? ORDER BY seq`, from)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: verify: %w", err)
	}
	defer rows.Close()
	hs := newChainHasher(key)
	want := from
	last := from - 1
	var n int64
	for rows.Next() {
		r, storedPrev, stored, err := scanChainRow(rows)
		if err != nil {
			return last, n, fmt.Errorf("storage: verify: %w", err)
		}
		switch {
		case r.seq != want:
			return last, n, &ChainError{Seq: want, Reason: fmt.Sprintf("row missing (next row is %d)", r.seq)}
		case r.seq > headSeq:
			return last, n, &ChainError{Seq: r.seq, Reason: fmt.Sprintf("row beyond the chain's head %d", headSeq)}
		case !bytes.Equal(storedPrev, prev):
			return last, n, &ChainError{Seq: r.seq, Reason: "previous hash does not match the row before"}
		}
		h := hs.rowHash(prev, r)
		if !bytes.Equal(h, stored) {
			return last, n, &ChainError{Seq: r.seq, Reason: "content does not match its hash"}
		}
		prev, last, want = h, r.seq, r.seq+1
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return last, n, fmt.Errorf("storage: verify: %w", err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return last, n, fmt.Errorf("storage: verify: %w", err)
	}
	if last < headSeq {
		return last, n, &ChainError{Seq: last + 1, Reason: fmt.Sprintf("rows %d..%d missing", last+1, headSeq)}
	}
	if last == headSeq && last > 0 && !bytes.Equal(prev, headHash) {
		return last, n, &ChainError{Seq: last, Reason: "last row's hash differs from the chain's head"}
	}
	return last, n, nil
}
