package kkm

import (
	"unicode"
	"unicode/utf8"
)

// Limits of the names a receipt prints and the OFD receives.
const (
	MaxItemNameLength    = 128 // characters in an item's name
	MaxCashierNameLength = 64  // characters in a cashier's name
	MaxVATCertificateLen = 16  // digits in the VAT certificate's series or number
	MaxNTINLength        = 20  // digits in an item's НКТ product code (LineDraft.NTIN)
)

// ValidateItemName checks an item's name as a receipt line will: not too long, no control or
// format characters. (An empty name is ErrLineNameEmpty, checked where the mode is known.)
func ValidateItemName(name string) error {
	return checkText(name, MaxItemNameLength, ErrLineNameInvalid)
}

// ValidateNTIN checks an item's product code in the National Catalogue of Goods (НКТ), the
// protocol's commodity ntin: empty (the code is optional), or digits only, at most MaxNTINLength
// of them (ErrLineNTIN).
func ValidateNTIN(ntin string) error {
	if len(ntin) > MaxNTINLength {
		return newError(ErrLineNTIN, "Max", MaxNTINLength)
	}
	for i := 0; i < len(ntin); i++ {
		if ntin[i] < '0' || ntin[i] > '9' {
			return newError(ErrLineNTIN, "Max", MaxNTINLength)
		}
	}
	return nil
}

// checkText refuses with code a name longer than max characters, not valid UTF-8, or holding
// control or format characters (a NUL, an escape sequence, a line break, a right-to-left mark):
// such a name would break the printed receipt's layout and travels to the OFD as it is.
func checkText(s string, max int, code Code) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return newError(code, "Max", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return newError(code, "Max", max)
		}
	}
	return nil
}
