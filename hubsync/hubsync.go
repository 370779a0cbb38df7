// Package hubsync pushes the register's journal to the owner's hub (package hub), from the hub's
// own cursor and apart from the checkout and the OFD queue (design.md §3 invariant 12): a sale
// never waits for it, a hub that is down only delays the push, and a register offline for days
// catches up in order when the hub is back.
//
// Nothing is kept on the register for it: the hub's cursor (the last seq it holds and that row's
// hash) says where to go on, so a push repeated after a crash or a lost answer is harmless (the
// hub stores a document it already holds once, by its UUID) and a journal that no longer matches
// the hub's copy (restored from an older backup, rewritten) is told apart by the hub as a fork.
// Each document's UUID is derived from the register's serial number and the document's seq, so
// the same document always carries the same key.
//
// With Config.Safe set it also pushes the journal's safe after the documents (the OFD's answers
// and a sealed snapshot, storage/hubsafe.go), and Restore rebuilds a new phone's journal from it.
//
// It imports storage (the feed) and hub (the wire), never kkm's rules or the UI.
//
// It must not import delivery, ui or app (nor Fyne).
package hubsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/google/uuid"
)

// Source is the journal's feed of chain rows.
type Source interface {
	ChainRows(ctx context.Context, after int64, limit int) ([]storage.ChainRow, error)
}

// Hub is the hub's side of a push (*hub.Client).
type Hub interface {
	Cursor(ctx context.Context) (hub.Cursor, error)
	Push(ctx context.Context, docs []hub.Document, state *hub.RegisterState) (hub.PushResult, error)
}

// Config tunes a Pusher; zero values take the defaults.
type Config struct {
	Batch    int           // documents per push (200)
	Poll     time.Duration // how often to look for new documents without a Wake (30 s)
	MinPause time.Duration // the first pause after a failure (1 s), doubling up to MaxPause
	MaxPause time.Duration // (5 min)
	// After waits like time.After; tests replace it.
	After func(time.Duration) <-chan time.Time
	// State reads the register's live state for the owner; nil sends none.
	State func() hub.RegisterState
	// Safe, when set, is the journal's safe (storage.Journal.SafeCopy): after the documents, the
	// OFD's answers and the sealed snapshot go to the hub too, so a new phone can restore the
	// register from it (the hub must then be a SafeHub). Passphrase seals the snapshot: the
	// register's hub credential.
	Safe       SafeSource
	Passphrase string
}

// SafeSource is the journal's safe: its answers from a cursor and its sealed snapshot.
type SafeSource interface {
	SafeCopy(ctx context.Context, answersAfter int64, passphrase string) (storage.SafeCopy, error)
}

// SafeHub is the hub's side of the safe (*hub.Client).
type SafeHub interface {
	PutSafe(ctx context.Context, push hub.SafePush) (hub.Cursor, error)
}

// Status is what the pusher last did, for the owner's screens.
type Status struct {
	Cursor   int64     // the last seq the hub is known to hold
	LastPush time.Time // the last successful exchange with the hub
	Err      error     // the last failure, nil after a success
}

// Pusher pushes one register's journal to the hub.
type Pusher struct {
	src    Source
	hub    Hub
	serial string
	cfg    Config
	wake   chan struct{}

	mu       sync.Mutex
	status   Status
	known    bool              // status.Cursor came from the hub since the last failure
	sent     hub.RegisterState // the state the hub last took, its At left out
	answered int64             // the hub's answer cursor (valid while known)
	safeSent [32]byte          // the fingerprint of the safe the hub last took
}

// documentSpace is the UUID namespace of E-kassa documents.
var documentSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/ekassa-go/ekassa/document"))

// DocumentUUID is the idempotency key of the document at seq of the register with this serial
// number: the same for every push of it, different for every other register or seq.
func DocumentUUID(serial string, seq int64) uuid.UUID {
	return uuid.NewSHA1(documentSpace, fmt.Appendf(nil, "%s/%d", serial, seq))
}

// withDefaults fills the zero values of c: a batch of batch and a poll every poll (the pusher's
// and the puller's differ), pauses from a second doubling to five minutes, the real clock.
func (c Config) withDefaults(batch int, poll time.Duration) Config {
	if c.Batch <= 0 {
		c.Batch = batch
	}
	if c.Poll <= 0 {
		c.Poll = poll
	}
	if c.MinPause <= 0 {
		c.MinPause = time.Second
	}
	if c.MaxPause <= 0 {
		c.MaxPause = 5 * time.Minute
	}
	if c.After == nil {
		c.After = time.After
	}
	return c
}

// New returns a pusher of the journal src of the register with serial number serial.
func New(src Source, h Hub, serial string, cfg Config) *Pusher {
	cfg = cfg.withDefaults(200, 30*time.Second)
	return &Pusher{src: src, hub: h, serial: serial, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake asks for a push soon: the runtime calls it after each commit. It never blocks.
func (p *Pusher) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Status returns what the pusher last did.
func (p *Pusher) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Sync pushes everything the hub does not hold yet and returns how many documents it stored.
func (p *Pusher) Sync(ctx context.Context) (int, error) {
	n, err := p.sync(ctx)
	p.mu.Lock()
	p.status.Err = err
	if err != nil {
		p.known = false // ask the hub again: the answer to the failed push may have arrived
	} else {
		p.status.LastPush = time.Now()
	}
	p.mu.Unlock()
	return n, err
}

func (p *Pusher) sync(ctx context.Context) (int, error) {
	p.mu.Lock()
	known, cursor := p.known, p.status.Cursor
	p.mu.Unlock()
	if !known {
		c, err := p.hub.Cursor(ctx)
		if err != nil {
			return 0, fmt.Errorf("hubsync: asking the hub where to go on: %w", err)
		}
		cursor = c.Seq
		p.setCursor(c)
		p.mu.Lock()
		p.answered = c.Answered
		p.mu.Unlock()
	}
	stored := 0
	for {
		rows, err := p.src.ChainRows(ctx, cursor, p.cfg.Batch)
		if err != nil {
			return stored, err
		}
		state := p.state()
		if len(rows) == 0 {
			if state != nil {
				// Nothing new to push, but the register's state changed: the owner sees it now.
				if _, err := p.hub.Push(ctx, nil, state); err != nil {
					return stored, fmt.Errorf("hubsync: pushing the register's state: %w", err)
				}
				p.tookState(*state)
			}
			if p.cfg.Safe == nil {
				return stored, nil
			}
			moved, err := p.pushSafe(ctx, cursor)
			if err != nil || !moved {
				return stored, err
			}
			continue // documents were committed meanwhile: they go first
		}
		docs := make([]hub.Document, len(rows))
		for i, r := range rows {
			docs[i] = hub.Document{
				UUID: DocumentUUID(p.serial, r.Seq), Seq: r.Seq, Kind: r.Kind, ShiftNumber: r.ShiftNumber,
				Number: r.Number, IssuedAt: r.IssuedAt, Total: r.Total, Offline: r.Offline, ParentSeq: r.ParentSeq, Content: r.Content,
				PrevHash: r.PrevHash, Hash: r.Hash,
			}
		}
		res, err := p.hub.Push(ctx, docs, state)
		if err != nil {
			return stored, fmt.Errorf("hubsync: pushing seq %d–%d: %w", rows[0].Seq, rows[len(rows)-1].Seq, err)
		}
		if state != nil {
			p.tookState(*state)
		}
		stored += res.Stored
		if res.Cursor.Seq <= cursor {
			return stored, fmt.Errorf("hubsync: the hub did not move on from seq %d", cursor)
		}
		cursor = res.Cursor.Seq
		p.setCursor(res.Cursor)
	}
}

// pushSafe pushes the OFD's answers after the hub's answer cursor and the sealed snapshot, when
// they changed since the hub last took them. The snapshot must belong to the head the hub holds
// (cursor); moved says the journal went on past it, so the new documents must be pushed first.
func (p *Pusher) pushSafe(ctx context.Context, cursor int64) (moved bool, err error) {
	sh, ok := p.hub.(SafeHub)
	if !ok {
		return false, errors.New("hubsync: this hub takes no safe")
	}
	for {
		p.mu.Lock()
		answered, sent := p.answered, p.safeSent
		p.mu.Unlock()
		c, err := p.cfg.Safe.SafeCopy(ctx, answered, p.cfg.Passphrase)
		if err != nil {
			return false, err
		}
		if c.HeadSeq != cursor {
			return true, nil
		}
		if c.Fingerprint == sent && len(c.Answers) == 0 {
			return false, nil
		}
		push := hub.SafePush{HeadSeq: c.HeadSeq, HeadHash: c.HeadHash, Sealed: c.Sealed}
		for _, a := range c.Answers {
			data, err := json.Marshal(a)
			if err != nil {
				return false, err
			}
			push.Answers = append(push.Answers, hub.Answer{Seq: a.Seq, Refused: a.Refusal != nil, Data: data})
		}
		res, err := sh.PutSafe(ctx, push)
		if err != nil {
			return false, fmt.Errorf("hubsync: pushing the journal's safe at seq %d: %w", c.HeadSeq, err)
		}
		p.mu.Lock()
		p.answered, p.safeSent = res.Answered, c.Fingerprint
		p.mu.Unlock()
		if !c.More {
			return false, nil
		}
	}
}

// state returns the register's state when it differs from what the hub last took, else nil.
func (p *Pusher) state() *hub.RegisterState {
	if p.cfg.State == nil {
		return nil
	}
	st := p.cfg.State()
	cmp := st
	cmp.At = time.Time{}
	p.mu.Lock()
	same := cmp == p.sent
	p.mu.Unlock()
	if same {
		return nil
	}
	return &st
}

func (p *Pusher) tookState(st hub.RegisterState) {
	st.At = time.Time{}
	p.mu.Lock()
	p.sent = st
	p.mu.Unlock()
}

func (p *Pusher) setCursor(c hub.Cursor) {
	p.mu.Lock()
	p.status.Cursor, p.known = c.Seq, true
	p.mu.Unlock()
}

// Run pushes until ctx ends: at once, then after every Wake or Poll, and after a failure with a
// pause that doubles up to MaxPause. A gap or a fork (the journal no longer matches the hub's
// copy) is kept in Status for the owner and retried at the longest pause. It returns ctx's error.
func (p *Pusher) Run(ctx context.Context) error {
	pause := p.cfg.MinPause
	for {
		wait := p.cfg.Poll
		if _, err := p.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait = pause
			if errors.Is(err, hub.ErrFork) || errors.Is(err, hub.ErrGap) {
				wait = p.cfg.MaxPause
			}
			pause = min(pause*2, p.cfg.MaxPause)
		} else {
			pause = p.cfg.MinPause
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.wake:
		case <-p.cfg.After(wait):
		}
	}
}
