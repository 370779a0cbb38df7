package kkm

import "time"

// CheckOfflineLimit applies the autonomous-mode limit (72 hours by default): the register may not
// issue documents once the oldest document waiting in the outbox (oldestQueued) is limit old or
// older, until the queue drains. A zero oldestQueued means the outbox is empty. The refusal is
// ErrOfflineLimit with the limit in hours.
func CheckOfflineLimit(oldestQueued, now time.Time, limit time.Duration) error {
	if oldestQueued.IsZero() {
		return nil
	}
	if now.Sub(oldestQueued) >= limit {
		return newError(ErrOfflineLimit, "Hours", int64(limit/time.Hour), "Since", oldestQueued)
	}
	return nil
}

// OfflineTimeLeft returns how long the register may still work offline: limit minus the age of
// the oldest queued document, never negative; the whole limit when the outbox is empty.
func OfflineTimeLeft(oldestQueued, now time.Time, limit time.Duration) time.Duration {
	if oldestQueued.IsZero() {
		return limit
	}
	left := limit - now.Sub(oldestQueued)
	if left < 0 {
		return 0
	}
	return left
}
