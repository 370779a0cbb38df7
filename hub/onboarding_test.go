package hub

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"
)

// TestConfirmationCodeLimits: five wrong codes spend the code, a code expires after 15 minutes,
// and a new sign-up sends a new code that works.
func TestConfirmationCodeLimits(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	mail := &MemoryMailer{}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	o := &Onboarding{Store: s, Mail: mail, Now: func() time.Time { return now }}
	code := func(email string) string { return regexp.MustCompile(`\d{6}`).FindString(mail.Last(email)) }

	if err := o.SignUp(ctx, "a@shop.kz"); err != nil {
		t.Fatal(err)
	}
	right := code("a@shop.kz")
	wrong := "000000"
	if right == wrong {
		wrong = "999999"
	}
	for i := 0; i < codeAttempts; i++ {
		if _, _, err := o.Confirm(ctx, "a@shop.kz", wrong); !errors.Is(err, ErrCodeWrong) {
			t.Fatalf("wrong code %d = %v", i+1, err)
		}
	}
	if _, _, err := o.Confirm(ctx, "a@shop.kz", right); !errors.Is(err, ErrCodeAttempts) {
		t.Fatalf("the right code after five wrong ones = %v, want ErrCodeAttempts", err)
	}

	if err := o.SignUp(ctx, "a@shop.kz"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(16 * time.Minute)
	if _, _, err := o.Confirm(ctx, "a@shop.kz", code("a@shop.kz")); !errors.Is(err, ErrCodeWrong) {
		t.Fatalf("an expired code = %v, want ErrCodeWrong", err)
	}
	if err := o.SignUp(ctx, "a@shop.kz"); err != nil {
		t.Fatal(err)
	}
	if _, secret, err := o.Confirm(ctx, "a@shop.kz", code("a@shop.kz")); err != nil || secret == "" {
		t.Fatalf("a fresh code = %v", err)
	}
	if _, _, err := o.Confirm(ctx, "nobody@shop.kz", "123456"); !errors.Is(err, ErrCodeWrong) {
		t.Fatalf("an unknown address = %v", err)
	}
}
