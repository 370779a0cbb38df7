package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"
)

// The answer log: how a draining backlog pays for each OFD answer with less than a SQLite
// transaction.
//
// The OFD replays only the last request and every request carries the previous answer's token,
// so each answer must be durable before the next document leaves (issue 16: one durable write
// per answer is the floor). In SQLite that write is a transaction of four WAL pages and three
// statements (CompleteAndAssignNext's), ~1.5–2× a bare durable insert beside it. While a backlog
// drains, each answer is instead appended to a small file beside the journal, written over in
// place and synced with fdatasync: one short write into space allocated when the file was made,
// ~0.55 of a bare insert here (the file's size never changes, so the sync flushes no metadata).
// The answers logged are applied to SQLite in one transaction every answerFoldAt of them, and
// before anything else touches the journal: every write transaction applies them first in its
// own transaction (inTx), every read of the outbox, the answers or the link waits for them
// (settle), and Open applies what a crash left. So SQLite holds every answer whenever anything
// else reads it, and an answer is durable (in the log) before the sender sees it.
//
// A record is valid only as the next link of a chain that starts at SQLite's oldest waiting
// entry: it answers that entry's stored request (TOKEN and REQNUM), and each record after it
// answers the request the record before gave its next entry. Its fiscal seal (the journal's
// key, seal.go) must hold, and its checksum. Replay stops at the first record that is not the
// next link: a torn write (the record was never synced, so its next request never left), or the
// records of an earlier batch that the file still holds past the newest ones (their entries are
// done in SQLite already). A torn record loses nothing: its sync never returned, so its next
// request never left, and the entry goes again with the request SQLite or the record before
// holds, which the OFD answers again. Like SQLite's WAL by default (powersafe overwrite), the log
// assumes that a write cut by a power loss damages no byte outside the range it wrote: a record's
// neighbours in the same disk sector stay whole.

// answerLogSuffix names the answer log beside the journal file.
const answerLogSuffix = "-answers"

// AnswerLogFile returns the answer log of the journal at path.
func AnswerLogFile(path string) string { return path + answerLogSuffix }

// answerLogSize is the log's allocated size: written with zeros once when it is made, then only
// written over. At ~200 bytes a record it holds more than answerFoldAt records.
const answerLogSize = 256 << 10

// answerFoldAt is how many logged answers are applied to SQLite at once while a backlog drains
// (a transaction of ~3 statements per answer and one fsync, ~30 µs an answer).
var answerFoldAt = 256

// answerRecordMagic starts every record ("EKA1").
const answerRecordMagic = 0x454b4131

// answerHeaderSize is a record's header: the magic, the payload's length and its CRC-32C.
const answerHeaderSize = 12

// answerMaxPayload bounds a record's payload (a QR link is a few hundred bytes at most).
const answerMaxPayload = 8 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// answerRecord is one OFD answer to a drained document and the request it gave the next.
type answerRecord struct {
	seq      int64   // the entry answered
	answered Request // the request it answered (as stored for seq)
	sign     string  // the fiscal sign, when signOK (an answer may carry none)
	signOK   bool
	qr       string
	at       int64  // when the answer was stored, in ms
	mac      []byte // the fiscal seal of (seq, sign, qr, at)
	token    uint32 // the answer's TOKEN: the link's token from now on
	next     int64  // the entry given its request, 0 when none
	nextReq  Request
}

// encode appends the record (header and payload) to b.
func (r *answerRecord) encode(b []byte) []byte {
	start := len(b)
	b = append(b, make([]byte, answerHeaderSize)...)
	p := len(b)
	b = binary.AppendVarint(b, r.seq)
	b = binary.BigEndian.AppendUint32(b, r.answered.Token)
	b = binary.BigEndian.AppendUint16(b, r.answered.Reqnum)
	b = binary.AppendVarint(b, optMillis(r.answered.OfflineBegin))
	if r.signOK {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendBytes(b, []byte(r.sign))
	b = appendBytes(b, []byte(r.qr))
	b = binary.AppendVarint(b, r.at)
	b = appendBytes(b, r.mac)
	b = binary.BigEndian.AppendUint32(b, r.token)
	b = binary.AppendVarint(b, r.next)
	b = binary.BigEndian.AppendUint32(b, r.nextReq.Token)
	b = binary.BigEndian.AppendUint16(b, r.nextReq.Reqnum)
	b = binary.AppendVarint(b, optMillis(r.nextReq.OfflineBegin))
	payload := b[p:]
	binary.BigEndian.PutUint32(b[start:], answerRecordMagic)
	binary.BigEndian.PutUint32(b[start+4:], uint32(len(payload)))
	binary.BigEndian.PutUint32(b[start+8:], crc32.Checksum(payload, castagnoli))
	return b
}

// errNoRecord ends a log's records: zeros, a torn write, or bytes that are not a record.
var errNoRecord = errors.New("storage: answer log: no record")

// decodeAnswerRecord reads the record at the start of b and returns it with its length. It
// never panics on any input (FuzzDecodeAnswerRecord).
func decodeAnswerRecord(b []byte) (answerRecord, int, error) {
	var r answerRecord
	if len(b) < answerHeaderSize || binary.BigEndian.Uint32(b) != answerRecordMagic {
		return r, 0, errNoRecord
	}
	n := binary.BigEndian.Uint32(b[4:])
	if n > answerMaxPayload || uint64(n) > uint64(len(b)-answerHeaderSize) {
		return r, 0, errNoRecord
	}
	payload := b[answerHeaderSize : answerHeaderSize+int(n)]
	if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(b[8:]) {
		return r, 0, errNoRecord
	}
	d := decoder{b: payload}
	r.seq = d.varint()
	r.answered.Token = d.u32()
	r.answered.Reqnum = d.u16()
	r.answered.OfflineBegin = fromOptMillis(d.varint())
	r.signOK = d.byte() == 1
	r.sign = string(d.bytes())
	r.qr = string(d.bytes())
	r.at = d.varint()
	r.mac = d.bytes()
	r.token = d.u32()
	r.next = d.varint()
	r.nextReq.Token = d.u32()
	r.nextReq.Reqnum = d.u16()
	r.nextReq.OfflineBegin = fromOptMillis(d.varint())
	if d.err != nil || len(d.b) != 0 {
		return answerRecord{}, 0, errNoRecord
	}
	return r, answerHeaderSize + int(n), nil
}

// optMillis is t in ms, 0 for the zero time.
func optMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return toMillis(t)
}

// fromOptMillis undoes optMillis.
func fromOptMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return fromMillis(ms)
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// decoder reads a payload's fields; the first short read latches err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.err = errNoRecord
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errNoRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	if d.err != nil {
		return nil
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)-k) {
		d.err = errNoRecord
		return nil
	}
	d.b = d.b[k:]
	return append([]byte(nil), d.take(int(n))...)
}

func (d *decoder) byte() byte {
	if v := d.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if v := d.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

// answerLog is the open answer log: its file and where the next record goes.
type answerLog struct {
	f   *os.File
	off int64  // the next record's offset: 0 after every fold
	buf []byte // the record being written, kept to spare an allocation an answer
}

// errAnswerLogFull says a record does not fit after the ones logged: fold first.
var errAnswerLogFull = errors.New("storage: answer log full")

// openAnswerLog opens the answer log at path, making it (zeros over answerLogSize, synced, and
// its directory synced) when there is none or it is short, and returns it with the records it
// holds from its start, up to the first that is not one.
func openAnswerLog(path string) (*answerLog, []answerRecord, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: answer log: %w", err)
	}
	l := &answerLog{f: f}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("storage: answer log: %w", err)
	}
	if fi.Size() < answerLogSize {
		// Made (or made whole) once: zeros written, not a hole or fallocate's unwritten
		// extents, whose first write would change the file's metadata and make every sync a
		// journal commit of the file system.
		var records []answerRecord
		if fi.Size() > 0 {
			if records, err = l.read(fi.Size()); err != nil {
				f.Close()
				return nil, nil, err
			}
		}
		if err := l.allocate(fi.Size()); err != nil {
			f.Close()
			return nil, nil, err
		}
		return l, records, nil
	}
	records, err := l.read(answerLogSize)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return l, records, nil
}

// allocate writes zeros from `from` to answerLogSize and syncs the file and its directory.
func (l *answerLog) allocate(from int64) error {
	zeros := make([]byte, 64<<10)
	for off := from; off < answerLogSize; {
		n := min(int64(len(zeros)), answerLogSize-off)
		if _, err := l.f.WriteAt(zeros[:n], off); err != nil {
			return fmt.Errorf("storage: answer log: %w", err)
		}
		off += n
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("storage: answer log: %w", err)
	}
	return syncDir(filepath.Dir(l.f.Name()))
}

// read returns the records from the log's start, up to the first that is not one.
func (l *answerLog) read(size int64) ([]answerRecord, error) {
	b := make([]byte, size)
	if _, err := l.f.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("storage: answer log: %w", err)
	}
	var out []answerRecord
	for len(b) > 0 {
		r, n, err := decodeAnswerRecord(b)
		if err != nil {
			break
		}
		out = append(out, r)
		b = b[n:]
	}
	return out, nil
}

// append writes r after the records logged and makes it durable (dataSync) before it returns.
func (l *answerLog) append(r *answerRecord) error {
	l.buf = r.encode(l.buf[:0])
	if l.off+int64(len(l.buf)) > answerLogSize {
		return errAnswerLogFull
	}
	if _, err := l.f.WriteAt(l.buf, l.off); err != nil {
		return fmt.Errorf("storage: answer log: %w", err)
	}
	if err := dataSync(l.f); err != nil {
		return fmt.Errorf("storage: answer log: %w", err)
	}
	l.off += int64(len(l.buf))
	return nil
}

// restart makes the next record the log's first, once SQLite holds every record logged.
func (l *answerLog) restart() { l.off = 0 }

func (l *answerLog) close() error { return l.f.Close() }
