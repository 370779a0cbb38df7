// Package delivery is the register's sending policy: the [Sender] drains the journal's outbox
// to the OFD one document at a time, oldest first, and decides what each answer means for the
// register: accepted (the fiscal result is written back in the journal's transaction), offline
// (the network failed: retry with backoff, keep issuing until the offline limit), blocked (the
// OFD refused: stop until a person or the OFD acts), or set aside (a refused document leaves the
// queue with its refusal kept). [State] is the snapshot of the link the screens show.
//
// It sits between the wire and the journal: it imports ofdclient (frames, transport, requests,
// connect) and storage (the outbox and the link's persistent state) and kkm, and must not
// import app or ui. ofdclient must not import it back: the wire stays free of the journal.
//
// The tests here drive the sender end to end against the emulator (ofdclient/ofdsim) over
// loopback or through a switchable in-process network: the fault matrix (docs/fault-matrix.md),
// the conformance vectors, refusals, unsendable documents and the OFD 2026 changes.
package delivery
