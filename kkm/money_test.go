package kkm

import (
	"errors"
	"math"
	"testing"
)

// wantCode asserts that err carries code (nil code: no error).
func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if !errors.Is(err, code) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	var e interface{ MessageID() string }
	if !errors.As(err, &e) || e.MessageID() != string(code) {
		t.Fatalf("error %v has no MessageID %s", err, code)
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		code Code
	}{
		{"1 234,50", 123450, ""},
		{"1234.5", 123450, ""},
		{"1234", 123400, ""},
		{"0,05", 5, ""},
		{"0", 0, ""},
		{"1\u00a0234,50", 123450, ""},
		{"1\u202f234\u00a0567,89 ₸", 123456789, ""},
		{"1 234,50 ₸", 123450, ""},
		{"  12,3  ", 1230, ""},
		{"12,", 1200, ""},
		{",5", 50, ""},
		{"999 999 999 999,99", MaxMoney, ""},
		{"1 000 000 000 000", 0, ErrMoneyOverflow}, // the 13-digit amounts start here
		{"9999999999999", 0, ErrMoneyOverflow},
		{"", 0, ErrMoneyEmpty},
		{"   ", 0, ErrMoneyEmpty},
		{"-5", 0, ErrMoneyNegative},
		{"−5", 0, ErrMoneyNegative},
		{"1,234", 0, ErrMoneyTooManyDecimals},
		{"0.001", 0, ErrMoneyTooManyDecimals},
		{"10 000 000 000 000", 0, ErrMoneyOverflow},
		{"99999999999999999999999", 0, ErrMoneyOverflow},
		{"abc", 0, ErrMoneySyntax},
		{"1,2,3", 0, ErrMoneySyntax},
		{"1,234.50", 0, ErrMoneySyntax},
		{"1  234", 0, ErrMoneySyntax},
		{"1 ,5", 0, ErrMoneySyntax},
		{",", 0, ErrMoneySyntax},
		{"+5", 0, ErrMoneySyntax},
		{"1e3", 0, ErrMoneySyntax},
		{"5₸₸", 0, ErrMoneySyntax},
		{"١٢", 0, ErrMoneySyntax},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if tt.code != "" {
			if !errors.Is(err, tt.code) {
				t.Errorf("ParseMoney(%q) error = %v, want %s", tt.in, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		m                  Money
		str, format, plain string
	}{
		{0, "0,00", "0,00\u00a0₸", "0.00"},
		{5, "0,05", "0,05\u00a0₸", "0.05"},
		{123450, "1\u00a0234,50", "1\u00a0234,50\u00a0₸", "1234.50"},
		{100000000, "1\u00a0000\u00a0000,00", "1\u00a0000\u00a0000,00\u00a0₸", "1000000.00"},
		{-123456, "-1\u00a0234,56", "-1\u00a0234,56\u00a0₸", "-1234.56"},
		{MaxMoney, "999\u00a0999\u00a0999\u00a0999,99", "999\u00a0999\u00a0999\u00a0999,99\u00a0₸", "999999999999.99"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%d.String() = %q, want %q", tt.m, got, tt.str)
		}
		if got := tt.m.Format(); got != tt.format {
			t.Errorf("%d.Format() = %q, want %q", tt.m, got, tt.format)
		}
		if got := tt.m.Decimal(); got != tt.plain {
			t.Errorf("%d.Decimal() = %q, want %q", tt.m, got, tt.plain)
		}
	}
}

func TestMoneyWire(t *testing.T) {
	for _, m := range []Money{0, 1, 99, 100, 123456, MaxMoney, math.MaxInt64} {
		b, c, err := m.Wire()
		if err != nil {
			t.Fatalf("%d.Wire(): %v", m, err)
		}
		if c > 99 {
			t.Fatalf("%d.Wire() coins = %d", m, c)
		}
		back, err := MoneyFromWire(b, c)
		if err != nil || back != m {
			t.Fatalf("MoneyFromWire(%d, %d) = %d, %v; want %d", b, c, back, err, m)
		}
	}
	if b, c, _ := Money(123456).Wire(); b != 1234 || c != 56 {
		t.Errorf("1234,56 on the wire = %d/%d", b, c)
	}
	_, _, err := Money(-1).Wire()
	wantCode(t, err, ErrMoneyNegative)
	_, err = MoneyFromWire(1, 100)
	wantCode(t, err, ErrMoneyCoins)
	_, err = MoneyFromWire(math.MaxUint64, 0)
	wantCode(t, err, ErrMoneyOverflow)
	_, err = MoneyFromWire(math.MaxInt64/100, 8)
	wantCode(t, err, ErrMoneyOverflow)
}

func TestMulQuantity(t *testing.T) {
	tests := []struct {
		price Money
		q     Quantity
		want  Money
		code  Code
	}{
		{100000, 1000, 100000, ""},
		{100000, 2500, 250000, ""},
		{999, 1500, 1499, ""},  // 14,985 → 14,99 (half up)
		{333, 1500, 500, ""},   // 4,995 → 5,00
		{1, 1, 0, ""},          // 0,00001 → 0
		{1, 500, 1, ""},        // 0,005 → 0,01 (half up)
		{1, 499, 0, ""},        // 0,00499 → 0
		{12345, 333, 4111, ""}, // 41,11885 → 41,11
		{MaxMoney, 1000, MaxMoney, ""},
		{MaxMoney, 1001, 0, ErrLineOverflow},
		{MaxMoney, MaxQuantity, 0, ErrLineOverflow},
		{-1, 1000, 0, ErrLineOverflow},
	}
	for _, tt := range tests {
		got, err := MulQuantity(tt.price, tt.q)
		if tt.code != "" {
			wantCode(t, err, tt.code)
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("MulQuantity(%d, %d) = %d, %v; want %d", tt.price, tt.q, got, err, tt.want)
		}
	}
}

func TestMoneyPercent(t *testing.T) {
	tests := []struct {
		m    Money
		bp   int64
		want Money
	}{
		{100000, 1000, 10000},
		{12345, 1000, 1235}, // 1234,5 → 1235
		{12344, 1000, 1234},
		{999, 250, 25}, // 24,975 → 25
		{1, 10000, 1},
		{0, 5000, 0},
	}
	for _, tt := range tests {
		got, err := tt.m.Percent(tt.bp)
		if err != nil || got != tt.want {
			t.Errorf("%d.Percent(%d) = %d, %v; want %d", tt.m, tt.bp, got, err, tt.want)
		}
	}
	_, err := MaxMoney.Percent(20000)
	wantCode(t, err, ErrReceiptOverflow)
}

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want Quantity
		code Code
	}{
		{"2,5", 2500, ""},
		{"1", 1000, ""},
		{"0,001", 1, ""},
		{"1 000", 1000000, ""},
		{"1.234", 1234, ""},
		{"1 000 000", MaxQuantity, ""},
		{"1 000 000,001", 0, ErrQuantityOverflow},
		{"", 0, ErrQuantityEmpty},
		{"0", 0, ErrQuantityZero},
		{"0,000", 0, ErrQuantityZero},
		{"1,2345", 0, ErrQuantityTooManyDecs},
		{"-1", 0, ErrQuantityNegative},
		{"1 000 000 000", 0, ErrQuantityOverflow},
		{"два", 0, ErrQuantitySyntax},
		{"1,,5", 0, ErrQuantitySyntax},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.in)
		if tt.code != "" {
			if !errors.Is(err, tt.code) {
				t.Errorf("ParseQuantity(%q) error = %v, want %s", tt.in, err, tt.code)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseQuantity(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestQuantityString(t *testing.T) {
	tests := []struct {
		q    Quantity
		want string
	}{
		{1000, "1"},
		{2500, "2,5"},
		{1, "0,001"},
		{1234567, "1\u00a0234,567"},
		{10, "0,01"},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("Quantity(%d).String() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1 234,50", "1234.5", "1234", "0,05", "1\u00a0234,50 ₸", "-1", "1,234", ",", "", "99999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.MessageID() == "" {
				t.Fatalf("ParseMoney(%q): untyped error %v", s, err)
			}
			return
		}
		if m < 0 || m > MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d out of range", s, m)
		}
		for _, form := range []string{m.String(), m.Format(), m.Decimal()} {
			back, err := ParseMoney(form)
			if err != nil || back != m {
				t.Fatalf("round trip of %q via %q = %d, %v; want %d", s, form, back, err, m)
			}
		}
	})
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"2,5", "1", "0,001", "1 000", "1,2345", "-1", "0", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.MessageID() == "" {
				t.Fatalf("ParseQuantity(%q): untyped error %v", s, err)
			}
			return
		}
		if q <= 0 || q > MaxQuantity {
			t.Fatalf("ParseQuantity(%q) = %d out of range", s, q)
		}
		back, err := ParseQuantity(q.String())
		if err != nil || back != q {
			t.Fatalf("round trip of %q via %q = %d, %v", s, q.String(), back, err)
		}
	})
}
