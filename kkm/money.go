package kkm

import (
	"math"
	"math/bits"
	"strings"
)

// CurrencySign is the tenge sign written after an amount.
const CurrencySign = "₸"

// ParseMoney parses an amount as a cashier types it: "1 234,50", "1234.5", "1234", "0,05", with
// digits optionally grouped by spaces or no-break spaces, a decimal comma or point, at most two
// decimals, and optionally the tenge sign after it ("1 234,50 ₸"). It refuses, with typed errors,
// an empty input (ErrMoneyEmpty), a negative amount (ErrMoneyNegative), a third decimal
// (ErrMoneyTooManyDecimals), more than MaxMoney (ErrMoneyOverflow) and anything else
// (ErrMoneySyntax). Zero is accepted; the rules that forbid it are the caller's.
func ParseMoney(s string) (Money, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, CurrencySign)
	v, f := parseDecimal(t, 2, int64(MaxMoney))
	switch f {
	case decimalOK:
		return Money(v), nil
	case decimalEmpty:
		return 0, newError(ErrMoneyEmpty)
	case decimalNegative:
		return 0, newError(ErrMoneyNegative, "Input", s)
	case decimalTooManyDecimals:
		return 0, newError(ErrMoneyTooManyDecimals, "Input", s)
	case decimalOverflow:
		return 0, newError(ErrMoneyOverflow, "Input", s, "Max", MaxMoney)
	}
	return 0, newError(ErrMoneySyntax, "Input", s)
}

// String formats the amount for Kazakhstan without the currency sign: "1 234,50". Digits are
// grouped by threes with a NO-BREAK SPACE (U+00A0), the grouping space of the kk and ru locales,
// which also keeps an amount from being broken across lines; the decimal separator is a comma and
// there are always two decimals. A negative amount (a revenue) starts with "-".
func (m Money) String() string { return formatDecimal(int64(m), 2, false) }

// LocalNumber is String: the i18n layer shows an amount in a message in the language's style.
func (m Money) LocalNumber() string { return m.String() }

// Format formats the amount with the tenge sign after a no-break space: "1 234,50 ₸".
func (m Money) Format() string { return m.String() + "\u00a0" + CurrencySign }

// Decimal formats the amount as a plain decimal with a point and two decimals and no grouping,
// "1234.50": the form of the QR link's s= parameter and of exports.
func (m Money) Decimal() string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u
	}
	c := u % 100
	s := uitoa(u/100) + "." + string(rune('0'+c/10)) + string(rune('0'+c%10))
	if neg {
		return "-" + s
	}
	return s
}

// Wire splits a non-negative amount into the protocol's Money{bills, coins}: whole tenge and tiyn
// (0–99). A negative amount cannot be sent and yields ErrMoneyNegative.
func (m Money) Wire() (bills uint64, coins uint32, err error) {
	if m < 0 {
		return 0, 0, newError(ErrMoneyNegative, "Input", m.String())
	}
	return uint64(m / 100), uint32(m % 100), nil
}

// MoneyFromWire joins the protocol's Money{bills, coins} into an amount. It refuses coins above 99
// (ErrMoneyCoins) and amounts beyond int64 tiyn (ErrMoneyOverflow).
func MoneyFromWire(bills uint64, coins uint32) (Money, error) {
	if coins > 99 {
		return 0, newError(ErrMoneyCoins, "Coins", coins)
	}
	if bills > (math.MaxInt64-uint64(coins))/100 {
		return 0, newError(ErrMoneyOverflow, "Max", Money(math.MaxInt64))
	}
	return Money(bills*100 + uint64(coins)), nil
}

// MulQuantity returns price × quantity rounded half up to the tiyn (quantity is in thousandths).
// Both must be non-negative; a product above MaxMoney yields ErrLineOverflow (a line's sum is one
// Money on the wire, limits.go).
func MulQuantity(price Money, q Quantity) (Money, error) {
	if price < 0 || q < 0 {
		return 0, newError(ErrLineOverflow, "Max", MaxMoney)
	}
	hi, lo := bits.Mul64(uint64(price), uint64(q))
	// Half up: (price×q + 500) / 1000.
	lo, carry := bits.Add64(lo, 500, 0)
	hi += carry
	if hi >= 1000 {
		return 0, newError(ErrLineOverflow, "Max", MaxMoney)
	}
	v, _ := bits.Div64(hi, lo, 1000)
	if v > uint64(MaxMoney) {
		return 0, newError(ErrLineOverflow, "Max", MaxMoney)
	}
	return Money(v), nil
}

// Percent returns amount × basisPoints / 10000 rounded half up to the tiyn (basisPoints are
// hundredths of a percent: 1000 is 10 %). Both must be non-negative; above MaxMoney yields
// ErrReceiptOverflow.
func (m Money) Percent(basisPoints int64) (Money, error) {
	if m < 0 || basisPoints < 0 {
		return 0, newError(ErrModifierInvalid)
	}
	hi, lo := bits.Mul64(uint64(m), uint64(basisPoints))
	lo, carry := bits.Add64(lo, 5000, 0)
	hi += carry
	if hi >= 10000 {
		return 0, newError(ErrReceiptOverflow, "Max", MaxMoney)
	}
	v, _ := bits.Div64(hi, lo, 10000)
	if v > uint64(MaxMoney) {
		return 0, newError(ErrReceiptOverflow, "Max", MaxMoney)
	}
	return Money(v), nil
}

// addMoney returns a + b, or false when the sum leaves int64.
func addMoney(a, b Money) (Money, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}
