package kkm

import (
	"errors"
	"testing"
)

func TestValidateIINBIN(t *testing.T) {
	tests := []struct {
		in   string
		code Code
	}{
		{"870412300416", ""},
		{"990120400003", ""},
		{"000101500051", ""},
		{"123456789013", ""},
		{"377835337400", ""}, // first pass gives 10, second 0
		{"625851781286", ""}, // first pass gives 10, second 6
		{"870412300415", ErrIINBINCheckDigit},
		{"123456789012", ErrIINBINCheckDigit},
		{"351263605670", ErrIINBINCheckDigit}, // both passes give 10: never valid
		{"351263605671", ErrIINBINCheckDigit},
		{"", ErrIINBINLength},
		{"87041230041", ErrIINBINLength},
		{"8704123004160", ErrIINBINLength},
		{"87041230041a", ErrIINBINDigits},
		{"８７０４１２３００４", ErrIINBINLength}, // full-width digits are longer in bytes
		{"87041230 416", ErrIINBINDigits},
	}
	for _, tt := range tests {
		err := ValidateIINBIN(tt.in)
		if tt.code == "" {
			if err != nil {
				t.Errorf("ValidateIINBIN(%q) = %v, want nil", tt.in, err)
			}
			continue
		}
		if !errors.Is(err, tt.code) {
			t.Errorf("ValidateIINBIN(%q) = %v, want %s", tt.in, err, tt.code)
		}
	}
}

// TestIINBINOneValidCheckDigit checks that for every 11-digit prefix tried, at most one check digit is
// valid, and none when both passes give 10.
func TestIINBINOneValidCheckDigit(t *testing.T) {
	for _, prefix := range []string{"87041230041", "37783533740", "35126360567", "00000000000", "99999999999"} {
		valid := 0
		for d := byte('0'); d <= '9'; d++ {
			if ValidateIINBIN(prefix+string(d)) == nil {
				valid++
			}
		}
		want := 1
		if prefix == "35126360567" {
			want = 0
		}
		if valid != want {
			t.Errorf("prefix %s: %d valid check digits, want %d", prefix, valid, want)
		}
	}
}

func FuzzValidateIINBIN(f *testing.F) {
	for _, s := range []string{"870412300416", "351263605670", "", "abc", "12345678901x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateIINBIN(s)
		if err == nil {
			if len(s) != 12 {
				t.Fatalf("%q accepted with length %d", s, len(s))
			}
			// Changing the check digit must make it invalid.
			alt := s[:11] + string('0'+(s[11]-'0'+1)%10)
			if ValidateIINBIN(alt) == nil {
				t.Fatalf("%q and %q both valid", s, alt)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
