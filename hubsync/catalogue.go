package hubsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ekassa-go/ekassa/hub"
	"github.com/ekassa-go/ekassa/storage"
)

// The other direction: the owner's catalogue, one for all shops, comes down from the hub into
// the register's own catalogue. The Puller asks for the changes after the version the journal's
// settings hold (storage.Journal.CatalogueVersion) and applies each page with its version in one
// transaction (ApplyHubItems), so a pull cut off anywhere resumes from what was applied. It runs
// beside the Pusher, never in a sale's path: a sale reads the local catalogue only, which stays
// whole whether the hub answers or not.

// CatalogueSource is the hub's side of a pull (*hub.Client).
type CatalogueSource interface {
	CatalogueChanges(ctx context.Context, after int64, limit int) (hub.CatalogueChanges, error)
}

// CatalogueSink is the register's catalogue (*storage.Journal).
type CatalogueSink interface {
	CatalogueVersion(ctx context.Context) (int64, error)
	ApplyHubItems(ctx context.Context, items []storage.HubItem, version int64) error
}

// Puller pulls the organization's catalogue from the hub into the register's.
type Puller struct {
	hub  CatalogueSource
	sink CatalogueSink
	cfg  Config // Batch (the page, 1 000 by default), Poll, MinPause, MaxPause, After

	wake chan struct{}

	mu     sync.Mutex
	status PullStatus
}

// PullStatus is what the puller last did.
type PullStatus struct {
	Version  int64     // the catalogue version the register holds
	LastPull time.Time // the last successful exchange with the hub
	Err      error     // the last failure, nil after a success
	// Up is why the register's own changes did not go up at the last sync (hub.ErrForbidden
	// while the owner does not let registers edit), nil when they did or there were none.
	Up error
	// Sent counts the register's changes the hub has answered since the puller started.
	Sent int
}

// The register's own catalogue changes go up before each pull, when the hub and the journal can
// (the hub's client and storage.Journal both do): the items changed here, with the hub version
// each was based on, and the hub's answers written back (storage.Journal.HubItemsSent; the rule
// of a conflict is the hub's version, hub/catalogue_registers.go). A hub that does not let
// registers edit refuses them; they stay marked and go up once the owner allows it. None of it is
// in a sale's way: the change is in the journal when the screen saves it, and goes up from there.

// CatalogueUpload is the hub's side of the register's own changes (*hub.Client).
type CatalogueUpload interface {
	PutRegisterItems(ctx context.Context, items []hub.RegisterItem) ([]hub.RegisterItemResult, error)
}

// CatalogueChanges is the register's side of its own changes (*storage.Journal).
type CatalogueChanges interface {
	PendingHubItems(ctx context.Context, limit int) ([]storage.PendingHubItem, error)
	HubItemsSent(ctx context.Context, sent []storage.HubItemSent) error
}

// NewPuller returns a puller of h's catalogue into sink. Zero Config values take the Pusher's
// defaults, but a page of 1 000 items and a poll every 5 minutes.
func NewPuller(h CatalogueSource, sink CatalogueSink, cfg Config) *Puller {
	cfg = cfg.withDefaults(1000, 5*time.Minute)
	return &Puller{hub: h, sink: sink, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Wake makes Run sync now rather than at its next poll: a catalogue change made on the register
// goes up at once (when the hub answers), not minutes later.
func (p *Puller) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Status returns what the puller last did.
func (p *Puller) Status() PullStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Sync pulls every change after the register's version and returns how many items it applied.
func (p *Puller) Sync(ctx context.Context) (int, error) {
	sent, up, err := p.up(ctx)
	var n int
	var version int64
	if err == nil {
		n, version, err = p.sync(ctx)
	}
	p.mu.Lock()
	p.status.Sent += sent
	p.status.Up = up
	p.status.Err = err
	if version > p.status.Version {
		p.status.Version = version
	}
	if err == nil {
		p.status.LastPull = time.Now()
	}
	p.mu.Unlock()
	return n, err
}

// up sends the register's own changes, a page at a time, and writes the hub's answers back. up is
// the hub's refusal of them (its owner does not allow registers to edit), which does not stop the
// pull; err is any other failure, which does.
func (p *Puller) up(ctx context.Context) (sent int, up, err error) {
	hubUp, ok := p.hub.(CatalogueUpload)
	here, ok2 := p.sink.(CatalogueChanges)
	if !ok || !ok2 {
		return 0, nil, nil
	}
	for {
		pending, err := here.PendingHubItems(ctx, p.cfg.Batch)
		if err != nil || len(pending) == 0 {
			return sent, nil, err
		}
		items := make([]hub.RegisterItem, len(pending))
		for i, c := range pending {
			items[i] = hub.RegisterItem{Base: c.Base, Item: c.Item}
			if c.Key != "" {
				key, err := uuid.Parse(c.Key)
				if err != nil {
					return sent, nil, fmt.Errorf("hubsync: item %d's hub key %q: %w", c.Item.ID, c.Key, err)
				}
				items[i].Key = key
			}
		}
		res, err := hubUp.PutRegisterItems(ctx, items)
		var re *hub.RemoteError
		if errors.Is(err, hub.ErrForbidden) || errors.As(err, &re) && (re.Status == http.StatusNotFound || re.Status == http.StatusMethodNotAllowed) {
			// Not allowed, or a hub older than registers' changes: they wait; the pull goes on.
			return sent, err, nil
		}
		if err != nil {
			return sent, nil, fmt.Errorf("hubsync: sending %d catalogue changes: %w", len(items), err)
		}
		if len(res) != len(pending) {
			return sent, nil, fmt.Errorf("hubsync: the hub answered %d of %d catalogue changes", len(res), len(pending))
		}
		back := make([]storage.HubItemSent, len(res))
		for i, r := range res {
			back[i] = storage.HubItemSent{ID: pending[i].Item.ID, Mark: pending[i].Mark, Outcome: r.Outcome,
				Hub: storage.HubItem{Key: r.Item.Key.String(), Version: r.Item.Version, Item: r.Item.Item}}
			if r.Outcome == hub.ItemRefused {
				back[i].Hub.Key = pending[i].Key
			}
		}
		if err := here.HubItemsSent(ctx, back); err != nil {
			return sent, nil, fmt.Errorf("hubsync: writing the hub's answers to catalogue changes: %w", err)
		}
		sent += len(res)
		if len(pending) < p.cfg.Batch {
			return sent, nil, nil
		}
	}
}

func (p *Puller) sync(ctx context.Context) (applied int, version int64, err error) {
	version, err = p.sink.CatalogueVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("hubsync: the catalogue's version: %w", err)
	}
	for {
		ch, err := p.hub.CatalogueChanges(ctx, version, p.cfg.Batch)
		if err != nil {
			return applied, version, fmt.Errorf("hubsync: asking the hub for catalogue changes after %d: %w", version, err)
		}
		if len(ch.Items) == 0 {
			return applied, version, nil
		}
		if ch.Version <= version {
			return applied, version, fmt.Errorf("hubsync: the hub's catalogue did not move on from %d", version)
		}
		items := make([]storage.HubItem, len(ch.Items))
		for i, ci := range ch.Items {
			items[i] = storage.HubItem{Key: ci.Key.String(), Version: ci.Version, Item: ci.Item}
		}
		if err := p.sink.ApplyHubItems(ctx, items, ch.Version); err != nil {
			return applied, version, fmt.Errorf("hubsync: applying catalogue changes %d–%d: %w", version+1, ch.Version, err)
		}
		applied += len(items)
		version = ch.Version
		if !ch.More {
			return applied, version, nil
		}
	}
}

// Run pulls until ctx ends: at once, then every Poll, and after a failure with a pause that
// doubles up to MaxPause. It returns ctx's error.
func (p *Puller) Run(ctx context.Context) error {
	pause := p.cfg.MinPause
	for {
		wait := p.cfg.Poll
		if _, err := p.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait = pause
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
