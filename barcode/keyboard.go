package barcode

import (
	"strings"
	"time"
)

// Defaults of KeyboardScanner, from how scanners and people type: a scanner in keyboard mode sends
// a character every few milliseconds (1–20 ms at the usual USB and Bluetooth rates) and ends with
// Enter; a person rarely types two keys within 50 ms, and never a dozen in a row.
const (
	DefaultMaxGap    = 50 * time.Millisecond
	DefaultMinLength = 8 // the shortest barcode worth a scan, an EAN-8
)

// KeyboardScanner tells a barcode scanner acting as a keyboard from a person typing by the pace of
// the keys: a run of at least MinLength characters, each within MaxGap of the one before, ended by
// Enter within MaxGap too, is a scan; anything slower is typing and is dropped. It is fed from a
// window's key events (Rune, Enter) with the time each came, so tests can replay any pace; it
// starts no timer and is not safe for concurrent use (key events arrive on one goroutine).
//
// A group separator (GS, ASCII 29) that the scanner sends as a character is kept; one it drops
// (many keyboard layouts cannot type it) is left for the code's parser to restore.
type KeyboardScanner struct {
	MaxGap    time.Duration // 0 means DefaultMaxGap
	MinLength int           // 0 means DefaultMinLength
	// OnScan gets each scanned code, without its Enter.
	OnScan func(code string)

	buf  strings.Builder
	n    int       // characters in buf
	last time.Time // when the last key came
}

func (k *KeyboardScanner) gap() time.Duration {
	if k.MaxGap > 0 {
		return k.MaxGap
	}
	return DefaultMaxGap
}

// Rune takes a character typed at time at. A character that comes later than MaxGap after the one
// before starts a new run: what was gathered was typed, not scanned.
func (k *KeyboardScanner) Rune(r rune, at time.Time) {
	if k.n > 0 && at.Sub(k.last) > k.gap() {
		k.Reset()
	}
	k.buf.WriteRune(r)
	k.n++
	k.last = at
}

// Enter takes the Enter key at time at and reports whether it ended a scan (then OnScan has the
// code). A slow Enter, or one after too few characters, ends nothing and clears the run.
func (k *KeyboardScanner) Enter(at time.Time) bool {
	min := k.MinLength
	if min <= 0 {
		min = DefaultMinLength
	}
	code, n, fast := k.buf.String(), k.n, k.n > 0 && at.Sub(k.last) <= k.gap()
	k.Reset()
	if !fast || n < min {
		return false
	}
	if k.OnScan != nil {
		k.OnScan(code)
	}
	return true
}

// Reset drops the characters gathered so far.
func (k *KeyboardScanner) Reset() {
	k.buf.Reset()
	k.n = 0
}

// Pending reports how many characters of a possible scan are gathered.
func (k *KeyboardScanner) Pending() int { return k.n }
