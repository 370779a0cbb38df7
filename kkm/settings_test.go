package kkm

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *Settings)
		code Code
	}{
		{"defaults", func(s *Settings) {}, ""},
		{"payer", func(s *Settings) { *s = payerSettings() }, ""},
		{"address", func(s *Settings) { s.OFDAddress = "test.oofd.kz:7777" }, ""},
		{"name too long", func(s *Settings) { s.RegisterName = strings.Repeat("қ", 65) }, ErrSettingsRegisterName},
		{"name 64 letters", func(s *Settings) { s.RegisterName = strings.Repeat("қ", 64) }, ""},
		{"max sum negative", func(s *Settings) { s.MaxReceiptSum = -1 }, ErrSettingsMaxSum},
		{"max sum huge", func(s *Settings) { s.MaxReceiptSum = MaxMoney + 1 }, ErrSettingsMaxSum},
		{"payer without rate", func(s *Settings) { *s = payerSettings(); s.DefaultVATRate = VATNone }, ErrSettingsVATRate},
		{"payer without certificate", func(s *Settings) { *s = payerSettings(); s.VATCertificateNumber = "" }, ErrSettingsVATCertificate},
		{"certificate letters", func(s *Settings) { *s = payerSettings(); s.VATCertificateSeries = "AB" }, ErrSettingsVATCertificate},
		{"offline limit zero", func(s *Settings) { s.OfflineLimit = 0 }, ErrSettingsOfflineLimit},
		{"offline limit above 72 h", func(s *Settings) { s.OfflineLimit = 73 * time.Hour }, ErrSettingsOfflineLimit},
		{"shift limit 12 h", func(s *Settings) { s.ShiftLimit = 12 * time.Hour }, ""},
		{"shift limit above 24 h", func(s *Settings) { s.ShiftLimit = 25 * time.Hour }, ErrSettingsShiftLimit},
		{"address without port", func(s *Settings) { s.OFDAddress = "test.oofd.kz" }, ErrSettingsOFDAddress},
		{"address bad port", func(s *Settings) { s.OFDAddress = "test.oofd.kz:http" }, ErrSettingsOFDAddress},
		{"address no host", func(s *Settings) { s.OFDAddress = ":7777" }, ErrSettingsOFDAddress},
		{"seller BIN", func(s *Settings) { s.Reg.OrgIINBIN = "990120400004" }, ErrSettingsSellerIINBIN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.edit(&s)
			wantCode(t, s.Validate(), tt.code)
		})
	}
	// The seller's IIN/BIN error wraps the check's own.
	s := DefaultSettings()
	s.Reg.OrgIINBIN = "12"
	if err := s.Validate(); !errors.Is(err, ErrIINBINLength) {
		t.Errorf("wrapped cause lost: %v", err)
	}
}

func TestSettingsJSON(t *testing.T) {
	s := payerSettings()
	s.SystemID, s.Token, s.SerialNumber = 1234, 987654321, "EKG4096173850227"
	s.DefaultVATRate = VAT10
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"default_vat_rate":"10"`) || !strings.Contains(string(b), `"offline_limit":259200000000000`) {
		t.Errorf("unexpected JSON %s", b)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, back, s)
	}
	if err := json.Unmarshal([]byte(`{"default_vat_rate":"12"}`), &back); !errors.Is(err, ErrVATRateInvalid) {
		t.Errorf("12 %% accepted: %v", err)
	}
}

func TestVATRateText(t *testing.T) {
	for _, r := range append([]VATRate{VATDefault}, VATRates()...) {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back VATRate
		if err := back.UnmarshalText(b); err != nil || back != r {
			t.Errorf("%s: %v %v", b, back, err)
		}
	}
	if _, err := VATRate(9).MarshalText(); !errors.Is(err, ErrVATRateInvalid) {
		t.Error("invalid rate marshalled")
	}
	if VAT16.WirePercent() != 16000 || VAT5.WirePercent() != 5000 || VATNone.WirePercent() != 0 {
		t.Error("wire percent")
	}
}

func FuzzSettingsJSON(f *testing.F) {
	b, _ := json.Marshal(payerSettings())
	f.Add(b)
	f.Add([]byte(`{"default_vat_rate":"none","offline_limit":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Settings
		if json.Unmarshal(b, &s) != nil {
			return
		}
		if err := s.Validate(); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
		}
	})
}

func TestCashierValidate(t *testing.T) {
	tests := []struct {
		c    Cashier
		code Code
	}{
		{Cashier{Name: "Айгүл", Role: RoleCashier, OperatorCode: 7}, ""},
		{Cashier{Name: "Админ", Role: RoleAdministrator}, ""},
		{Cashier{Name: "", Role: RoleCashier}, ErrCashierName},
		{Cashier{Name: "X", Role: 0}, ErrCashierRole},
		{Cashier{Name: "X", Role: 4}, ErrCashierRole},
	}
	for _, tt := range tests {
		wantCode(t, tt.c.Validate(), tt.code)
	}
	if op := (Cashier{Name: "Айгүл", OperatorCode: 7}).Operator(); op != (Operator{Code: 7, Name: "Айгүл"}) {
		t.Errorf("operator %+v", op)
	}
}

func TestUnits(t *testing.T) {
	want := map[string]string{"796": "шт", "166": "кг", "163": "г", "112": "л", "006": "м", "055": "м²", "778": "упак", "5114": "услуга", "356": "час"}
	for code, name := range want {
		u, ok := UnitByCode(code)
		if !ok || u.NameRU != name || u.NameKK == "" {
			t.Errorf("unit %s = %+v, %v", code, u, ok)
		}
	}
	seen := map[string]bool{}
	for _, u := range Units() {
		if seen[u.Code] {
			t.Errorf("duplicate unit %s", u.Code)
		}
		seen[u.Code] = true
	}
	if u, _ := UnitByCode(UnitPiece); u.Fractional {
		t.Error("pieces are fractional")
	}
	if u, _ := UnitByCode("166"); !u.Fractional {
		t.Error("kilograms are not fractional")
	}
	if _, ok := UnitByCode("nope"); ok {
		t.Error("unknown unit found")
	}
}

func TestSerialNumber(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		s, err := NewSerialNumber()
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateSerialNumber(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if seen[s] {
			t.Fatalf("duplicate %s", s)
		}
		seen[s] = true
	}
	// Deterministic from a fixed source: bytes ≥ 250 are skipped.
	src := strings.NewReader(string([]byte{250, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255, 12, 13, 14}))
	s, err := newSerialNumber(src)
	if err != nil || s != "EKG1234567890128" { // Luhn: 4+1+0+9+7+7+3+5+8+3+4+1 = 52 → 8
		t.Fatalf("newSerialNumber = %q, %v", s, err)
	}
	if _, err := newSerialNumber(strings.NewReader("short")); err == nil {
		t.Error("short source accepted")
	}
	tests := []struct {
		in   string
		code Code
	}{
		{"EKG1234567890128", ""},
		{"EKG1234567890123", ErrSerialNumberCheckDigit},
		{"EKG123456789012", ErrSerialNumberFormat},
		{"XXX1234567890123", ErrSerialNumberFormat},
		{"EKG12345678901a3", ErrSerialNumberFormat},
		{"", ErrSerialNumberFormat},
	}
	for _, tt := range tests {
		wantCode(t, ValidateSerialNumber(tt.in), tt.code)
	}
}

func TestMessageIDs(t *testing.T) {
	ids := MessageIDs()
	seen := map[string]bool{}
	for _, id := range ids {
		if !strings.HasPrefix(id, "err.") || seen[id] {
			t.Errorf("bad or duplicate message ID %q", id)
		}
		seen[id] = true
	}
	// Every code the tests above expect must be listed; spot-check the ones most likely forgotten.
	for _, c := range []Code{ErrCashierRole, ErrSettingsRegisterName, ErrReturnModeMismatch, ErrCounterOverflow, ErrMoneyCoins} {
		if !seen[string(c)] {
			t.Errorf("%s missing from MessageIDs", c)
		}
	}
	e := newError(ErrPaymentsShort, "Total", Money(100), "Paid", Money(50))
	if e.MessageID() != "err.receipt.payments_short" || e.TemplateData()["Paid"] != Money(50) ||
		e.Error() != "kkm: err.receipt.payments_short Paid=0,50 Total=1,00" {
		t.Errorf("error %q %v", e.Error(), e.TemplateData())
	}
	if ErrReceiptEmpty.MessageID() != ErrReceiptEmpty.Error() {
		t.Error("Code's MessageID and Error differ")
	}
}
