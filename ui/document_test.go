package ui

import (
	"context"
)

// Document reads a document of the fake journal by its sequence number.
func (r *fakeRegister) Document(_ context.Context, seq int64) (IssuedDocument, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range r.docs {
		if d.Seq == seq {
			return d, nil
		}
	}
	return IssuedDocument{}, ErrNotFound
}
