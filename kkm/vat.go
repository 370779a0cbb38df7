package kkm

import "fmt"

// VATRate is the VAT rate of a receipt line. VAT is always included in the price. The zero value,
// VATDefault, stands for "the register's default rate" in a draft; a computed Receipt always holds a
// resolved rate (VATNone or a percentage). It is stored and sent to JSON as text ("default", "none",
// "0", "5", "10", "16"), so the journal does not depend on the order of the constants.
type VATRate uint8

// The VAT rates of Kazakhstan from 01.01.2026 (Tax Code of 18.07.2025), plus "not subject to VAT".
const (
	VATDefault VATRate = iota // in a draft: the register's default rate (Settings.DefaultVATRate)
	VATNone                   // without VAT: the seller is not a VAT payer, or the item is exempt
	VAT0                      // 0 %
	VAT5                      // 5 %
	VAT10                     // 10 %
	VAT16                     // 16 %, the base rate
)

// VATRates returns the rates a line can carry, from none to the base rate.
func VATRates() []VATRate { return []VATRate{VATNone, VAT0, VAT5, VAT10, VAT16} }

// Valid reports whether r is one of the defined rates (VATDefault included).
func (r VATRate) Valid() bool { return r <= VAT16 }

// Taxed reports whether lines at this rate carry a VAT entry (every rate but VATNone and VATDefault).
func (r VATRate) Taxed() bool { return r >= VAT0 && r <= VAT16 }

// Percent returns the rate in whole percent (0 for VATNone and VATDefault).
func (r VATRate) Percent() int64 {
	switch r {
	case VAT5:
		return 5
	case VAT10:
		return 10
	case VAT16:
		return 16
	}
	return 0
}

// WirePercent returns the rate as the protocol's Tax.percent: thousandths of a percent (16 % = 16000).
func (r VATRate) WirePercent() uint32 { return uint32(r.Percent() * 1000) }

// String returns the text form used in JSON: "default", "none", "0", "5", "10" or "16".
func (r VATRate) String() string {
	switch r {
	case VATDefault:
		return "default"
	case VATNone:
		return "none"
	case VAT0:
		return "0"
	case VAT5:
		return "5"
	case VAT10:
		return "10"
	case VAT16:
		return "16"
	}
	return fmt.Sprintf("VATRate(%d)", uint8(r))
}

// MarshalText encodes the rate as its String form.
func (r VATRate) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, newError(ErrVATRateInvalid, "Rate", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes the String form of a rate.
func (r *VATRate) UnmarshalText(b []byte) error {
	// A switch on string(b) does not copy b; ParseVATRate is only for the error's text.
	switch string(b) {
	case "default":
		*r = VATDefault
	case "none":
		*r = VATNone
	case "0":
		*r = VAT0
	case "5":
		*r = VAT5
	case "10":
		*r = VAT10
	case "16":
		*r = VAT16
	default:
		_, err := ParseVATRate(string(b))
		return err
	}
	return nil
}

// ParseVATRate parses the String form of a rate ("default", "none", "0", "5", "10", "16").
func ParseVATRate(s string) (VATRate, error) {
	switch s {
	case "default":
		return VATDefault, nil
	case "none":
		return VATNone, nil
	case "0":
		return VAT0, nil
	case "5":
		return VAT5, nil
	case "10":
		return VAT10, nil
	case "16":
		return VAT16, nil
	}
	return 0, newError(ErrVATRateInvalid, "Rate", s)
}

// VATIncluded returns the VAT included in sum at rate r: round(sum × rate / (100 + rate)), rounded
// half up to the tiyn. It is 0 for VATNone, VATDefault and 0 %. sum must not be negative.
func VATIncluded(sum Money, r VATRate) Money {
	p := r.Percent()
	if p == 0 || sum <= 0 {
		return 0
	}
	// sum ≤ MaxMoney < 2^63/16, so sum×p does not overflow.
	d := int64(100 + p)
	n := int64(sum) * p
	return Money((2*n + d) / (2 * d))
}
