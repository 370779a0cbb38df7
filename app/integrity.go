package app

import (
	"context"
	"errors"

	"github.com/ekassa-go/ekassa/storage"
)

// The journal's seal at run time (issue 15, item 5; storage/seal.go, docs/security.md).
//
// NewRuntime checks the tip before the first sale (storage.Journal.VerifyTip: the last document,
// the state sealed to it, the settings and the cashiers — a few rows, whatever the journal's
// size) and then verifies the whole journal in the background (VerifyAll). A change found by
// either does not close the app: issuing stops with the change itself as the refusal (a
// *storage.ChainError that says what changed, translated), the status line shows
// ui.BlockJournal with the change as its Fault, and history, reports and backups stay readable. The way out is a
// restore from a backup (which brings its own verified seal), or «Проверить журнал» again once
// the file is put back.

// setIntegrity records a change found in the journal; nil clears it.
func (rt *Runtime) setIntegrity(err error) {
	rt.mu.Lock()
	rt.integrity = err
	rt.mu.Unlock()
	rt.changed()
}

// Integrity returns the change found in the journal, or nil.
func (rt *Runtime) Integrity() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.integrity
}

// isChange reports whether err says the journal was changed (as opposed to a failure to read).
func isChange(err error) bool { return errors.Is(err, storage.ErrChainBroken) }

// verifyInBackground runs VerifyAll once, off the issuing path; a change it finds stops issuing.
func (rt *Runtime) verifyInBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	rt.verifyMu.Lock()
	rt.stopVerify, rt.verifyDone = cancel, done
	rt.verifyMu.Unlock()
	go func() {
		defer close(done)
		if _, err := rt.journal.VerifyAll(ctx); err != nil {
			if isChange(err) {
				rt.setIntegrity(err)
			} else if ctx.Err() == nil {
				rt.logf("journal: background verification: %v", err)
			}
		}
	}()
}

// cancelVerify stops the background verification, if it runs, and waits for it. Callers must not
// hold mu (the verification takes it to report a change).
func (rt *Runtime) cancelVerify() {
	rt.verifyMu.Lock()
	stop, done := rt.stopVerify, rt.verifyDone
	rt.stopVerify, rt.verifyDone = nil, nil
	rt.verifyMu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
