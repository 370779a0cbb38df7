package storage

import (
	"context"
)

// commitHook, when set, is called at the named points of Commit's transaction: "begin" (the
// chain head read, nothing written), "written" (everything written, not committed, tx still
// open) and "committed" (after the commit, before Commit returns; tx is nil). It is a seam for the
// crash test, which runs the real Commit in a child process and kills it at one of these points;
// nothing sets it outside tests.
var commitHook func(ctx context.Context, tx *Tx, point string)
