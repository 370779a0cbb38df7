package kkm

import "time"

// The way back after a wrong future date (issue 15, item 4; docs/fault-matrix.md, «Clocks»).
//
// A register whose clock was set ahead while nobody looked may have dated documents in the
// future, and those documents are final (a receipt cannot be annulled from 2026). «Time only moves
// forward» (design.md §3.8) would then refuse every document until the real date caught up. The
// rule that keeps time moving forward without that block:
//
//  1. The register's clock must agree with a trusted clock, the OFD's, which the app reads from the
//     OFD's answer; it also refuses to issue far ahead of the OFD's time in the first place.
//  2. Then the forward-only mark (State.LastDocumentTime) is moved back once to the OFD's time,
//     never before it, and the correction is kept in the state (ClockCorrection: the wrong time
//     and the OFD's), which the journal seals; no document is rewritten or re-dated.
//  3. A shift opened in the wrong future (its first document is after the mark) allows only its
//     Z report (ShiftExpired), dated at the true time; the next shift opens at the true time.
//
// Every document after the correction is dated at or after the OFD's time, so the order of the
// documents from the correction on is the order of real time again.

// ClockCorrection records a forward-only mark moved back to the OFD's time.
type ClockCorrection struct {
	WrongLast time.Time `json:"wrong_last"` // the last document's (future) time before the correction
	OFDTime   time.Time `json:"ofd_time"`   // the OFD's time the mark was moved back to
	By        Operator  `json:"by"`         // who corrected it
}

// CorrectClock returns the state with the forward-only mark moved back to ofdNow, the OFD's time,
// and c recorded. It refuses (ErrClockNothingToCorrect) when the last document is not after
// ofdNow by more than tolerance: the mark never moves back for a small drift.
func (s State) CorrectClock(ofdNow time.Time, by Operator, tolerance time.Duration) (State, error) {
	if !s.LastDocumentTime.After(ofdNow.Add(tolerance)) {
		return s, newError(ErrClockNothingToCorrect, "Last", s.LastDocumentTime, "OFD", ofdNow)
	}
	out := s.Clone()
	out.LastClockCorrection = &ClockCorrection{WrongLast: s.LastDocumentTime, OFDTime: ofdNow, By: by}
	out.LastDocumentTime = ofdNow
	return out, nil
}
