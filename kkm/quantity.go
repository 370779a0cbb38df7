package kkm

// QuantityOne is one whole unit.
const QuantityOne Quantity = 1000

// ParseQuantity parses a quantity as a cashier types it: "2,5" is 2500 thousandths, "1" is 1000,
// with the same grouping and separators as ParseMoney and at most three decimals. It refuses an
// empty input (ErrQuantityEmpty), a negative (ErrQuantityNegative), a fourth decimal
// (ErrQuantityTooManyDecs), more than MaxQuantity (ErrQuantityOverflow), zero (ErrQuantityZero:
// no line sells nothing) and anything else (ErrQuantitySyntax).
func ParseQuantity(s string) (Quantity, error) {
	v, f := parseDecimal(s, 3, int64(MaxQuantity))
	switch f {
	case decimalOK:
		if v == 0 {
			return 0, newError(ErrQuantityZero)
		}
		return Quantity(v), nil
	case decimalEmpty:
		return 0, newError(ErrQuantityEmpty)
	case decimalNegative:
		return 0, newError(ErrQuantityNegative, "Input", s)
	case decimalTooManyDecimals:
		return 0, newError(ErrQuantityTooManyDecs, "Input", s)
	case decimalOverflow:
		return 0, newError(ErrQuantityOverflow, "Input", s, "Max", MaxQuantity)
	}
	return 0, newError(ErrQuantitySyntax, "Input", s)
}

// String formats the quantity with a decimal comma, no-break-space grouping and no trailing zero
// decimals: 2500 is "2,5", 1000 is "1", 1234567 is "1 234,567".
func (q Quantity) String() string { return formatDecimal(int64(q), 3, true) }

// LocalNumber is String: the i18n layer shows a quantity in a message in the language's style.
func (q Quantity) LocalNumber() string { return q.String() }

// Whole reports whether the quantity is a whole number of units.
func (q Quantity) Whole() bool { return q%QuantityOne == 0 }
