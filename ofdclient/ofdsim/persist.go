package ofdsim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient"
)

// The emulator's ledgers kept on disk (Options.StateFile), for the app's demo, whose register
// must find its OFD as it left it after a kill: the same token, the last answer to replay, the
// shifts, counters and receipts, the last Z.
//
// The file is a log of what changed the ledgers, not a picture of them: the emulator's seed,
// each register added, each token reset or block, and each document request that reached a
// ledger, with the emulator's clock when it arrived. Loading replays the log through the same
// code that answered it the first time; the ledgers' rules are deterministic given the seed, the
// clock and the requests, so every field of every ledger — including ones added later — comes
// back without a second description of the ledger to keep in step (and to get wrong). A record
// is appended and fsynced before the answer leaves, so an answer the register saw is always in
// the file; a request whose record was written but whose answer was lost is replayed on load,
// and the register's retry with the same TOKEN and REQNUM gets the stored answer again.
//
// A record is its length (4 bytes, little endian), the CRC-32 of its body (4 bytes) and its body:
// a kind byte and the kind's content. A torn last record (the process killed inside a write)
// was never answered and is cut off; a bad record before the last is an error.

// Record kinds.
const (
	recSeed     = 'S' // the seed, 8 bytes: the first record
	recRegister = 'R' // a RegisterConfig as JSON
	recToken    = 'T' // SetToken: id, token
	recBlock    = 'B' // Block/Unblock: JSON blockRecord
	recExchange = 'X' // a document request: the clock (time.MarshalBinary, length-prefixed) and the whole frame
)

type blockRecord struct {
	ID      uint32
	Blocked bool
	Info    string
}

// maxRecord bounds a record's length when loading: a larger length is damage, not a record.
const maxRecord = 64 << 20

// stateLog is the open state file.
type stateLog struct {
	f   *os.File
	err error // the first write that failed: the file no longer follows the ledgers
}

// append writes one record and syncs it.
func (sl *stateLog) append(kind byte, body []byte) error {
	if sl.err != nil {
		return sl.err
	}
	rec := make([]byte, 8, 9+len(body))
	rec = append(rec, kind)
	rec = append(rec, body...)
	binary.LittleEndian.PutUint32(rec[0:4], uint32(len(rec)-8))
	binary.LittleEndian.PutUint32(rec[4:8], crc32.ChecksumIEEE(rec[8:]))
	if _, err := sl.f.Write(rec); err != nil {
		sl.err = fmt.Errorf("ofdsim: writing the state file: %w", err)
		return sl.err
	}
	if err := sl.f.Sync(); err != nil {
		sl.err = fmt.Errorf("ofdsim: syncing the state file: %w", err)
		return sl.err
	}
	return nil
}

// readRecords reads the records of a state file. It returns the offset where the good records
// end, which is short of the file's size only after a torn last record.
func readRecords(b []byte, each func(kind byte, body []byte) error) (int64, error) {
	off := 0
	for off < len(b) {
		if len(b)-off < 9 {
			return int64(off), nil // torn header
		}
		n := int(binary.LittleEndian.Uint32(b[off : off+4]))
		sum := binary.LittleEndian.Uint32(b[off+4 : off+8])
		end := off + 8 + n
		if n < 1 || n > maxRecord || end > len(b) || crc32.ChecksumIEEE(b[off+8:end]) != sum {
			if end >= len(b) || n > maxRecord {
				return int64(off), nil // the last record, torn by a kill inside its write
			}
			return int64(off), fmt.Errorf("ofdsim: the state file is damaged at byte %d", off)
		}
		if err := each(b[off+8], b[off+9:end]); err != nil {
			return int64(off), err
		}
		off = end
	}
	return int64(off), nil
}

// openState loads the state file at path into s (whose ledgers are still empty) and keeps it
// open for appending. A missing file is created with the seed as its first record.
func (s *Server) openState(path string) error {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ofdsim: reading the state file: %w", err)
	}
	if len(b) == 0 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("ofdsim: creating the state file: %w", err)
		}
		s.state = &stateLog{f: f}
		if err := s.state.append(recSeed, binary.LittleEndian.AppendUint64(nil, s.opts.Seed)); err != nil {
			f.Close()
			s.state = nil
			return err
		}
		return syncDir(path)
	}
	good, err := readRecords(b, s.replayRecord)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("ofdsim: opening the state file: %w", err)
	}
	if good < int64(len(b)) { // cut the torn record off, so the next one follows the good ones
		if err := f.Truncate(good); err != nil {
			f.Close()
			return fmt.Errorf("ofdsim: cutting a torn record off the state file: %w", err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("ofdsim: opening the state file: %w", err)
	}
	s.state = &stateLog{f: f}
	return nil
}

// syncDir makes a newly created file's name durable.
func syncDir(path string) error {
	d, err := os.Open(dirOf(path))
	if err != nil {
		return nil // not every system opens folders; the file's own sync still holds its content
	}
	defer d.Close()
	d.Sync()
	return nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			if i == 0 {
				return path[:1]
			}
			return path[:i]
		}
	}
	return "."
}

// replayRecord applies one loaded record to the ledgers. s.state is nil while loading, so
// nothing is written again.
func (s *Server) replayRecord(kind byte, body []byte) error {
	switch kind {
	case recSeed:
		if len(body) != 8 {
			return errors.New("ofdsim: the state file's seed record is damaged")
		}
		s.opts.Seed = binary.LittleEndian.Uint64(body)
		s.rng = newRNG(s.opts.Seed)
	case recRegister:
		var cfg RegisterConfig
		if err := json.Unmarshal(body, &cfg); err != nil {
			return fmt.Errorf("ofdsim: the state file's register record: %w", err)
		}
		s.ledgers[cfg.ID] = newLedger(cfg)
	case recToken:
		if len(body) != 8 {
			return errors.New("ofdsim: the state file's token record is damaged")
		}
		if l := s.ledgers[binary.LittleEndian.Uint32(body)]; l != nil {
			l.token, l.last = binary.LittleEndian.Uint32(body[4:]), nil
		}
	case recBlock:
		var r blockRecord
		if err := json.Unmarshal(body, &r); err != nil {
			return fmt.Errorf("ofdsim: the state file's block record: %w", err)
		}
		if l := s.ledgers[r.ID]; l != nil {
			l.blocked, l.info = r.Blocked, r.Info
		}
	case recExchange:
		if len(body) < 1 || int(body[0])+1 > len(body) {
			return errors.New("ofdsim: the state file's exchange record is damaged")
		}
		var now time.Time
		if err := now.UnmarshalBinary(body[1 : 1+body[0]]); err != nil {
			return fmt.Errorf("ofdsim: the state file's exchange record: %w", err)
		}
		frame, err := ofdclient.ReadFrame(bytes.NewReader(body[1+body[0]:]), maxRecord)
		if err != nil {
			return fmt.Errorf("ofdsim: the state file's exchange record: %w", err)
		}
		s.mu.Lock()
		s.exchangeLocked(frame.Header, frame.Payload, now, Fault{}, false)
		s.mu.Unlock()
	default:
		return fmt.Errorf("ofdsim: the state file has a record of unknown kind %q", kind)
	}
	return nil
}

// exchangeRecord is the body of a recExchange record.
func exchangeRecord(now time.Time, h ofdclient.Header, payload []byte) ([]byte, error) {
	t, err := now.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := append([]byte{byte(len(t))}, t...)
	h.Size = 0
	frame, err := h.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	binary.LittleEndian.PutUint32(frame[4:8], uint32(ofdclient.HeaderSize+len(payload)))
	return append(append(b, frame...), payload...), nil
}

// persistLocked appends a record to the state file, when there is one. Called with s.mu held.
func (s *Server) persistLocked(kind byte, body []byte) error {
	if s.state == nil {
		return nil
	}
	return s.state.append(kind, body)
}

// closeState closes the state file.
func (s *Server) closeState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != nil {
		s.state.f.Close()
		s.state.err = ErrServerClosed
	}
}
