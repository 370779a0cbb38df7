package hubsync

import (
	"context"
	"fmt"
	"sync"
	"time"

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

	mu     sync.Mutex
	status PullStatus
}

// PullStatus is what the puller last did.
type PullStatus struct {
	Version  int64     // the catalogue version the register holds
	LastPull time.Time // the last successful exchange with the hub
	Err      error     // the last failure, nil after a success
}

// NewPuller returns a puller of h's catalogue into sink. Zero Config values take the Pusher's
// defaults, but a page of 1 000 items and a poll every 5 minutes.
func NewPuller(h CatalogueSource, sink CatalogueSink, cfg Config) *Puller {
	cfg = cfg.withDefaults(1000, 5*time.Minute)
	return &Puller{hub: h, sink: sink, cfg: cfg}
}

// Status returns what the puller last did.
func (p *Puller) Status() PullStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Sync pulls every change after the register's version and returns how many items it applied.
func (p *Puller) Sync(ctx context.Context) (int, error) {
	n, version, err := p.sync(ctx)
	p.mu.Lock()
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
			items[i] = storage.HubItem{Key: ci.Key.String(), Item: ci.Item}
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
		case <-p.cfg.After(wait):
		}
	}
}
