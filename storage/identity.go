package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The journal's identity in its own bytes (issue 15, item 2: a file written over in place).
//
// The path check (fault.go, checkFile) compares the device and inode at the path with the ones
// opened: it finds a journal deleted, renamed, or replaced by another file. An older copy written
// over the file in place (`cp old.db journal.db` while the app runs: same inode) passes it, and
// SQLite does not notice either: it keeps serving pages from its cache and from its WAL, and reads
// the rest from the older file, so the journal becomes a mixture that may hold its newest rows
// and lose older ones, or lose the newest. So every write transaction is also checked against
// what the files themselves hold, read with pread past SQLite and its cache:
//
//   - the database file's size and the whole page of the chain table's row, which every write
//     transaction changes (the write counter and this process's nonce, `chain.writes` and
//     `chain.opener`): a checkpoint of any transaction rewrites that page in the database file,
//     so an older copy of the file differs from the current one exactly when it lacks something
//     checkpointed (a copy taken after the last checkpoint is the same bytes: nothing is lost);
//   - the WAL's size (it may only grow between two writes of this process) and the frame header
//     of the last frame this process committed, which carries the WAL's salts (new each time
//     SQLite starts the WAL again) and its cumulative checksum of every frame before it (the WAL's
//     header when it holds no frame): a WAL replaced by another (also by an older copy of itself,
//     which is shorter or holds frames of an earlier generation there) differs there. Frames
//     appended after it are not looked for: that is a second writer, which the OS lock keeps out.
//
// After each of its own write transactions and checkpoints the journal reads these bytes again
// and keeps them (fileMark); before the next write transaction it reads them and compares. Any
// difference is a change nobody but another writer made, since every write of this process runs
// under writeMu: it is treated like a file gone (ErrJournalGone), and the recovery file is
// written from what the process itself knows (recovery.go). The WAL's size is kept too. Until
// the WAL first starts again the last frame committed is the file's last frame and is found with
// one pread; after that SQLite writes the new generation over the old one in place (the file
// keeps its size, journal.go), and the last commit frame is found by reading the frame headers
// from the previous one on, a transaction's few frames.
//
// The cost on every write: the two stat calls of the path check (their sizes are used too), two
// preads before, a stat and two preads after (a pread more a frame once the WAL is written over);
// the database file's part is read again only after this process checkpointed (checkpoint.go).
// BenchmarkCheckFile: 15 µs of CPU with the path check.

// stampWriteSQL changes the chain row in every write transaction (inTx).
const stampWriteSQL = `UPDATE chain SET writes = writes + 1, opener = ? WHERE id = 1`

// walHeaderSize and walFrameHeaderSize are the sizes of the WAL's header and of a frame's header
// (SQLite file format, §4.1).
const (
	walHeaderSize      = 32
	walFrameHeaderSize = 24
)

// fileMark is what the journal's files hold after this process's last write, as read past SQLite.
type fileMark struct {
	dbSize    int64
	chainPage []byte // the chain table's page in the database file

	walSize   int64                    // the WAL file's size
	walHeader [walHeaderSize]byte      // zero when the WAL is empty
	lastOff   int64                    // the offset of the last commit frame's header, -1 when none
	lastFrame [walFrameHeaderSize]byte // that frame's header
}

// identity is what the journal needs to read its files past SQLite.
type identity struct {
	db, wal   *os.File // opened read-only at Open, so a pread costs no open
	pageSize  int64
	chainPage int64 // the chain table's root page, a leaf: it holds one row
	nonce     []byte
	mark      fileMark
	// dbWritten is set when this process may have written the database file since the mark (a
	// checkpoint): the next mark reads it again. SQLite checkpoints only when this process asks
	// (wal_autocheckpoint is off, checkpoint.go), so between checkpoints the database file's mark
	// stands and a commit reads only the WAL's.
	dbWritten bool
	// copying is set while a checkpoint copies the WAL into the database file beside the writes
	// (checkpoint.go): the database file's part is not compared then, and is marked again after.
	copying bool
	scratch []byte // the page changed reads, kept between writes
	frames  []byte // the frames walkCommits reads, kept between writes
}

// walInUse is how much of the WAL file its current generation holds: up to the end of the last
// commit frame, the header alone when none. The file may be longer (journal.go keeps it at its
// size when the WAL starts again, so a commit overwrites it in place), so this, not the file's
// size, says how much a checkpoint has to copy.
func (id *identity) walInUse() int64 {
	if id.mark.lastOff < 0 {
		return min(id.mark.walSize, walHeaderSize)
	}
	return id.mark.lastOff + walFrameHeaderSize + id.pageSize
}

// openIdentity opens the journal's files for reading, finds the chain table's page, makes this
// process's nonce and keeps the first mark.
func (j *Journal) openIdentity(ctx context.Context) error {
	var id identity
	var err error
	if err := j.hold.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&id.pageSize); err != nil {
		return fmt.Errorf("storage: open %s: page size: %w", j.path, err)
	}
	if err := j.hold.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'chain'`).
		Scan(&id.chainPage); err != nil {
		return fmt.Errorf("storage: open %s: the chain's page: %w", j.path, err)
	}
	id.nonce = make([]byte, 16)
	if _, err := rand.Read(id.nonce); err != nil {
		return fmt.Errorf("storage: open %s: %w", j.path, err)
	}
	if id.db, err = os.Open(j.path); err != nil {
		return fmt.Errorf("storage: open %s: %w", j.path, err)
	}
	if id.wal, err = os.Open(j.path + "-wal"); err != nil {
		id.db.Close()
		return fmt.Errorf("storage: open %s: %w", j.path, err)
	}
	id.dbWritten = true
	if id.mark, err = id.readMark(); err != nil {
		id.db.Close()
		id.wal.Close()
		return fmt.Errorf("storage: open %s: %w", j.path, err)
	}
	j.id = &id // the first write transaction stamps the chain row with the nonce (inTx)
	return nil
}

// nonce is this process's nonce, stamped in the chain row by every write (nil before Open ends).
func (j *Journal) nonce() []byte {
	if j.id == nil {
		return nil
	}
	return j.id.nonce
}

// closeIdentity lets the files go.
func (j *Journal) closeIdentity() {
	if j.id == nil {
		return
	}
	j.id.db.Close()
	j.id.wal.Close()
}

// readChainPage reads the chain's page from the database file (short, or empty, at the end of a
// file whose last pages are still only in the WAL) into a new buffer.
func (id *identity) readChainPage() ([]byte, error) {
	return id.readChainPageInto(make([]byte, id.pageSize))
}

// readChainPageInto reads the chain's page into page (pageSize bytes), which it returns resliced.
func (id *identity) readChainPageInto(page []byte) ([]byte, error) {
	n, err := id.db.ReadAt(page, (id.chainPage-1)*id.pageSize)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read the chain's page: %w", err)
	}
	return page[:n], nil
}

// readMark reads the files' mark now: the database file's part only when this process may have
// written it since the last mark. The WAL's last commit frame is looked for after the one kept
// (the frames of the last transaction) while the WAL is in the same generation.
func (id *identity) readMark() (fileMark, error) {
	m := id.mark
	if id.dbWritten {
		fi, err := id.db.Stat()
		if err != nil {
			return m, fmt.Errorf("stat the database file: %w", err)
		}
		if m.chainPage, err = id.readChainPage(); err != nil {
			return m, err
		}
		m.dbSize = fi.Size()
		id.dbWritten = false
	}
	fi, err := id.wal.Stat()
	if err != nil {
		return m, fmt.Errorf("stat the WAL: %w", err)
	}
	m.walSize, m.lastOff, m.walHeader, m.lastFrame = fi.Size(), -1, [walHeaderSize]byte{}, [walFrameHeaderSize]byte{}
	if m.walSize < walHeaderSize {
		return m, nil
	}
	if _, err := id.wal.ReadAt(m.walHeader[:], 0); err != nil {
		return m, fmt.Errorf("read the WAL header: %w", err)
	}
	frame := walFrameHeaderSize + id.pageSize
	if m.walHeader == id.mark.walHeader && id.mark.lastOff >= walHeaderSize {
		// The same generation as the last mark: this process's transaction since then is a few
		// frames after that mark's last commit.
		m.lastOff, m.lastFrame = id.mark.lastOff, id.mark.lastFrame
		return m, id.walkCommits(&m, id.mark.lastOff+frame)
	}
	// A generation new since the last mark. While the WAL has only grown its last frame is the
	// last commit; once it has started again over its old frames, walk from its start.
	if off := walHeaderSize + (m.walSize-walHeaderSize)/frame*frame - frame; off >= walHeaderSize && id.isCommit(&m, off) {
		m.lastOff = off
		return m, nil
	}
	return m, id.walkCommits(&m, walHeaderSize)
}

// walFramesRead is how many frames walkCommits reads with one pread.
const walFramesRead = 16

// walkCommits reads the WAL's frame headers from offset off on, walFramesRead frames a read,
// up to the first frame of another generation (the older frames the current one is written
// over) or the file's end, and keeps the last commit frame of the current one in m. A frame
// header a pread was one syscall a frame, ~10 of them on every write once the WAL had started
// again (profiled).
func (id *identity) walkCommits(m *fileMark, off int64) error {
	frame := walFrameHeaderSize + id.pageSize
	if want := int(walFramesRead * frame); len(id.frames) != want {
		id.frames = make([]byte, want)
	}
	for off+frame <= m.walSize {
		n := min(int64(len(id.frames)), (m.walSize-off)/frame*frame)
		buf := id.frames[:n]
		if _, err := id.wal.ReadAt(buf, off); err != nil {
			return fmt.Errorf("read the WAL: %w", err)
		}
		for at := int64(0); at < n; at, off = at+frame, off+frame {
			h := buf[at : at+walFrameHeaderSize]
			if !bytes.Equal(h[8:16], m.walHeader[16:24]) {
				return nil // an older generation's frame: this one ended before
			}
			if binary.BigEndian.Uint32(h[4:8]) != 0 {
				m.lastOff = off
				copy(m.lastFrame[:], h)
			}
		}
	}
	return nil
}

// isCommit reads the frame header at off into m and reports whether it is a commit frame of the
// WAL's current generation (its salts are the header's).
func (id *identity) isCommit(m *fileMark, off int64) bool {
	if _, err := id.wal.ReadAt(m.lastFrame[:], off); err != nil {
		return false
	}
	return bytes.Equal(m.lastFrame[8:16], m.walHeader[16:24]) && binary.BigEndian.Uint32(m.lastFrame[4:8]) != 0
}

// changed compares the files with the last mark: which of them no longer holds what this
// process left (neither, when nobody else wrote). seen is the path check's stat of both.
//
// The database file: its size and the chain's page. The WAL: it may only have grown since (a
// smaller one was written over), and the header of the last frame this process committed, which
// carries the WAL's salts and its cumulative checksum of every frame up to it, must be the same
// (when there is none, the WAL's header). Frames appended after it by another writer are not
// looked for: the OS lock keeps other copies of the app out (lock.go), and an older copy
// written over the WAL differs at or before that frame.
func (id *identity) changed(seen fileID) (db, wal bool, err error) {
	m := &id.mark
	switch {
	case id.copying:
		// This process is writing the database file (checkpoint.go).
	case seen.db.Size() != m.dbSize:
		db = true
	default:
		// Read into a buffer kept for it: a page allocated on every write was 8 KiB of every
		// sale's garbage (two writes), the largest after the receipt's own.
		if len(id.scratch) != int(id.pageSize) {
			id.scratch = make([]byte, id.pageSize)
		}
		page, err := id.readChainPageInto(id.scratch)
		if err != nil {
			return false, false, err
		}
		db = !bytes.Equal(page, m.chainPage)
	}
	size := seen.wal.Size()
	switch {
	case size < m.walSize:
		wal = true
	case m.lastOff >= 0:
		var f [walFrameHeaderSize]byte
		if _, err := id.wal.ReadAt(f[:], m.lastOff); err != nil {
			return db, false, fmt.Errorf("read the WAL: %w", err)
		}
		wal = f != m.lastFrame
	case m.walSize >= walHeaderSize:
		var h [walHeaderSize]byte
		if _, err := id.wal.ReadAt(h[:], 0); err != nil {
			return db, false, fmt.Errorf("read the WAL header: %w", err)
		}
		wal = h != m.walHeader
	default:
		// Empty after a truncating checkpoint: the next frames are this process's next write.
		wal = size != m.walSize
	}
	return db, wal, nil
}

// remark keeps the files' mark after this process wrote them.
func (j *Journal) remark() error {
	if j.id == nil {
		return nil
	}
	m, err := j.id.readMark()
	if err != nil {
		return fmt.Errorf("storage: journal %s: %w", j.path, err)
	}
	j.id.mark = m
	return nil
}

// checkIdentity compares the files with the mark this process left and, when another writer
// changed them, latches ErrJournalGone (recovery.go writes what the process knows first).
func (j *Journal) checkIdentity(ctx context.Context) error {
	if j.id == nil {
		return nil
	}
	db, wal, err := j.id.changed(j.seen)
	if err != nil {
		return j.fail(&FaultError{Code: ErrJournalIO, Path: j.path, Reason: "the storage failed", Err: err})
	}
	if !db && !wal {
		return nil
	}
	reason := "the journal file was written over by another program (an older copy?)"
	switch {
	case db && wal:
		reason = "the journal file and its WAL were written over by another program (an older copy?)"
	case wal:
		reason = "the journal's WAL was written over by another program"
	}
	return j.overwrittenFault(ctx, reason, db && wal)
}
