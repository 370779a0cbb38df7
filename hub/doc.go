// Package hub is the owner's hub: a server over PostgreSQL that every register of an organization
// pushes its journal to, and that the owner reads across shops.
//
// The register never waits for the hub (design.md §3 invariant 12): it pushes from a cursor of its
// own, after its documents are durable in its own journal and independently of the OFD queue. So
// the hub's job at ingest is to keep what it is given exactly once and in the register's order:
//
//   - every document carries a UUID, its idempotency key; a push repeated after a crash or a lost
//     answer stores nothing twice (the same UUID with the same hash is a no-op);
//   - each register's documents form a hash chain (seq, prev_hash, hash, as in the register's
//     journal); the hub accepts a document only as the next link of the chain it holds, so a gap
//     (a seq skipped) or a fork (another document at a seq already held, or a prev_hash that is
//     not the hash held before it) is refused with a clear error and changes nothing.
//
// Beside its documents a register keeps its safe here (safe.go): the OFD's answers and a snapshot
// of its state, OFD link and seal key, sealed on the register with its own credential, so that a
// new phone can restore the register (hubsync.Restore). The owner's figures read rollups kept in
// the push's transaction (analytics.go), and leave out what the OFD refused.
//
// The organization's catalogue is the hub's too (catalogue.go): the owner changes it, every
// register pulls its changes from a version cursor, and when the owner allows it a register's own
// changes come up and are decided by the hub's version (catalogue_registers.go).
//
// Access is by credential: a register's credential pushes to that register only; an owner's
// credential reads the registers of its own organization only. Credentials are random and kept
// as SHA-256 digests. All traffic is TLS (Server.ListenAndServeTLS).
//
// The hub imports none of the register's journal, sender or screens (storage, delivery, ui, app),
// and no SQLite; of kkm only the IIN/BIN check of an application (onboarding.go). It
// keeps each document's content as the register sent it (JSON) beside the columns it indexes, so
// a register and a hub of different versions still agree on what was pushed.
package hub
