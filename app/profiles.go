package app

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
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
// 30 s, doubling up to 15 minutes. A right code resets it. It lives in memory: a restart of the
// app asks for the code again anyway.
type codeGuard struct {
	now     func() time.Time
	mu      sync.Mutex
	wrong   int
	nextTry time.Time
}

func newCodeGuard(now func() time.Time) *codeGuard { return &codeGuard{now: now} }

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
	return &ui.WrongCodeError{Wait: wait}
}

func (g *codeGuard) succeeded() {
	g.mu.Lock()
	g.wrong, g.nextTry = 0, time.Time{}
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
