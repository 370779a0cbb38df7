package kkm

import (
	"errors"
	"testing"
)

// TestVATRateTextForms: every rate's text form reads back as the rate, through ParseVATRate and
// through UnmarshalText (the journal's JSON), and anything else is refused by both with
// ErrVATRateInvalid and leaves the rate as it was.
func TestVATRateTextForms(t *testing.T) {
	want := map[VATRate]string{VATDefault: "default", VATNone: "none", VAT0: "0", VAT5: "5", VAT10: "10", VAT16: "16"}
	for r, text := range want {
		if got := r.String(); got != text {
			t.Errorf("%d.String() = %q, want %q", uint8(r), got, text)
		}
		if p, err := ParseVATRate(text); err != nil || p != r {
			t.Errorf("ParseVATRate(%q) = %v, %v", text, p, err)
		}
		var u VATRate
		if err := u.UnmarshalText([]byte(text)); err != nil || u != r {
			t.Errorf("UnmarshalText(%q) = %v, %v", text, u, err)
		}
		m, err := r.MarshalText()
		if err != nil || string(m) != text {
			t.Errorf("%v.MarshalText() = %q, %v", r, m, err)
		}
	}
	for _, bad := range []string{"", "12", "16%", "NONE", "default ", "1"} {
		if _, err := ParseVATRate(bad); !errors.Is(err, ErrVATRateInvalid) {
			t.Errorf("ParseVATRate(%q) = %v, want ErrVATRateInvalid", bad, err)
		}
		u := VAT10
		if err := u.UnmarshalText([]byte(bad)); !errors.Is(err, ErrVATRateInvalid) || u != VAT10 {
			t.Errorf("UnmarshalText(%q) = %v, left %v; want ErrVATRateInvalid and VAT10 kept", bad, err, u)
		}
	}
	if got := VATRate(9).String(); got != "VATRate(9)" {
		t.Errorf("an undefined rate prints %q", got)
	}
}
