package app

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/ui"
)

// codeIterations is the PBKDF2-SHA256 work factor of quick-access codes: a 4–6 digit code has at
// most a million values, so the hash must be slow (tens of milliseconds on a phone) and salted,
// and the wait after wrong codes (codeGuard) does the rest.
const codeIterations = 120_000

// hashCode derives the stored hash of a quick-access code.
func hashCode(code string, salt []byte) []byte {
	key, err := pbkdf2.Key(sha256.New, code, salt, codeIterations, 32)
	if err != nil {
		// Only a key length out of range fails, and 32 is not.
		panic(err)
	}
	return key
}

// codeGuard imposes a growing wait after wrong quick-access codes: none for the first three, then
// 30 s, doubling up to 15 minutes. A right code resets it. The count and the end of the wait are
// kept in a file beside the journal (CodeWaitFile, 0600), so a restart of the app does not start
// the guessing afresh; without a file (a test's guard) it lives in memory only.
type codeGuard struct {
	now     func() time.Time
	path    string // where the wait is kept; "" for memory only
	mu      sync.Mutex
	wrong   int
	nextTry time.Time
}

func newCodeGuard(now func() time.Time) *codeGuard { return &codeGuard{now: now} }

// CodeWaitFile is where the wrong-code wait of the journal at journalPath is kept.
func CodeWaitFile(journalPath string) string { return journalPath + ".codewait" }

// newPersistentCodeGuard is a codeGuard kept in the file at path, loaded from it.
func newPersistentCodeGuard(now func() time.Time, path string) *codeGuard {
	g := &codeGuard{now: now, path: path}
	if b, err := os.ReadFile(path); err == nil {
		var wrong int
		var next int64
		if _, err := fmt.Sscanf(string(b), "%d %d", &wrong, &next); err == nil && wrong >= 0 {
			g.wrong = wrong
			if next > 0 {
				g.nextTry = time.UnixMilli(next)
			}
		}
	}
	return g
}

// save writes the wait to the file (a temporary file renamed into place); called with mu held. A
// failure to write leaves the wait in memory: it still holds until the app stops.
func (g *codeGuard) save() {
	if g.path == "" {
		return
	}
	var next int64
	if !g.nextTry.IsZero() {
		next = g.nextTry.UnixMilli()
	}
	tmp := g.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d %d\n", g.wrong, next)), 0o600); err != nil {
		return
	}
	_ = os.Rename(tmp, g.path)
}

// The wait policy of codeGuard.
const (
	freeTries = 3
	firstWait = 30 * time.Second
	maxWait   = 15 * time.Minute
)

// check refuses a try made before the wait is over.
func (g *codeGuard) check() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now := g.now(); now.Before(g.nextTry) {
		return &ui.WrongCodeError{Wait: g.nextTry.Sub(now), TooEarly: true}
	}
	return nil
}

// failed records a wrong code and returns the refusal with the wait before the next try.
func (g *codeGuard) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.wrong++
	var wait time.Duration
	if g.wrong > freeTries {
		wait = firstWait << min(g.wrong-freeTries-1, 10)
		wait = min(wait, maxWait)
	}
	g.nextTry = g.now().Add(wait)
	g.save()
	return &ui.WrongCodeError{Wait: wait}
}

func (g *codeGuard) succeeded() {
	g.mu.Lock()
	if g.wrong != 0 || !g.nextTry.IsZero() {
		g.wrong, g.nextTry = 0, time.Time{}
		g.save()
	}
	g.mu.Unlock()
}

// HasProfile reports whether a cashier profile exists.
func (rt *Runtime) HasProfile(ctx context.Context) (bool, error) {
	cs, err := rt.journal.Cashiers(ctx)
	return len(cs) > 0, err
}

// Cashiers lists the cashiers of this device.
func (rt *Runtime) Cashiers(ctx context.Context) ([]kkm.Cashier, error) {
	return rt.journal.Cashiers(ctx)
}

// CreateCashier creates the first cashier of a device, its administrator, with a salted slow hash
// of the quick-access code (the first start). Once a device has cashiers, more are added by an
// administrator (AddCashier): a second "first" profile is refused with ErrProfileExists.
func (rt *Runtime) CreateCashier(ctx context.Context, p ui.NewCashier) (kkm.Cashier, error) {
	if !validCode(p.Code) {
		return kkm.Cashier{}, ui.ErrCodeFormat
	}
	existing, err := rt.journal.Cashiers(ctx)
	if err != nil {
		return kkm.Cashier{}, err
	}
	if len(existing) > 0 {
		return kkm.Cashier{}, ErrProfileExists
	}
	c := kkm.Cashier{Name: p.Name, Email: p.Email, Role: kkm.RoleCashier, OperatorCode: 1}
	if len(existing) == 0 {
		c.Role = kkm.RoleAdministrator
	}
	for _, e := range existing {
		c.OperatorCode = max(c.OperatorCode, e.OperatorCode+1)
	}
	if err := c.Validate(); err != nil {
		return kkm.Cashier{}, err
	}
	c.CodeSalt = make([]byte, 16)
	if _, err := rand.Read(c.CodeSalt); err != nil {
		return kkm.Cashier{}, err
	}
	c.CodeHash = hashCode(p.Code, c.CodeSalt)
	c, err = rt.journal.AddCashier(ctx, c)
	if err != nil {
		return kkm.Cashier{}, err
	}
	return c, nil
}

// CheckCode returns the cashier whose quick-access code this is.
func (rt *Runtime) CheckCode(ctx context.Context, code string) (kkm.Cashier, error) {
	if err := rt.codes.check(); err != nil {
		return kkm.Cashier{}, err
	}
	cs, err := rt.journal.Cashiers(ctx)
	if err != nil {
		return kkm.Cashier{}, err
	}
	if validCode(code) {
		for _, c := range cs {
			if subtle.ConstantTimeCompare(hashCode(code, c.CodeSalt), c.CodeHash) == 1 {
				rt.codes.succeeded()
				return c, nil
			}
		}
	}
	return kkm.Cashier{}, rt.codes.failed()
}

// validCode reports whether code is 4–6 digits.
func validCode(code string) bool {
	if len(code) < 4 || len(code) > 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
