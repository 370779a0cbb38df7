package kkm

import "strings"

// decimalFault says why parseDecimal refused its input.
type decimalFault uint8

const (
	decimalOK decimalFault = iota
	decimalEmpty
	decimalSyntax
	decimalNegative
	decimalTooManyDecimals
	decimalOverflow
)

// isGroupSpace reports whether r may group digits: a space, a no-break space (U+00A0), a narrow
// no-break space (U+202F) or a thin space (U+2009).
func isGroupSpace(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// parseDecimal parses a non-negative decimal number as a cashier types it and returns it scaled
// by 10^frac, refusing more than frac decimals and values above max.
//
// Accepted: digits, optionally grouped by single spaces (any of isGroupSpace) between digits, then
// at most one decimal separator ("," or ".") and up to frac digits. Either side of the separator
// may be empty but not both ("12," is 12 and ",5" is 0.5). Leading and trailing spaces are ignored.
func parseDecimal(s string, frac int, max int64) (int64, decimalFault) {
	s = strings.TrimFunc(s, func(r rune) bool { return isGroupSpace(r) || r == '\t' || r == '\n' || r == '\r' })
	if s == "" {
		return 0, decimalEmpty
	}
	if s[0] == '-' || strings.HasPrefix(s, "−") {
		return 0, decimalNegative
	}
	if strings.Count(s, ",")+strings.Count(s, ".") > 1 {
		return 0, decimalSyntax
	}
	var (
		v         int64
		digits    int  // digits seen in total
		fracDigit int  // digits after the separator
		sep       bool // separator seen
		prevDigit bool // the previous rune was a digit
		pendSpace bool // a group space follows a digit and awaits the next digit
	)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if sep {
				fracDigit++
				if fracDigit > frac {
					return 0, decimalTooManyDecimals
				}
			}
			d := int64(r - '0')
			if v > (max-d)/10 {
				return 0, decimalOverflow
			}
			v = v*10 + d
			digits++
			prevDigit, pendSpace = true, false
		case isGroupSpace(r):
			if sep || !prevDigit {
				return 0, decimalSyntax
			}
			prevDigit, pendSpace = false, true
		case r == ',' || r == '.':
			if sep || pendSpace {
				return 0, decimalSyntax
			}
			sep, prevDigit = true, false
		default:
			return 0, decimalSyntax
		}
	}
	if digits == 0 || pendSpace {
		return 0, decimalSyntax
	}
	for i := fracDigit; i < frac; i++ {
		if v > max/10 {
			return 0, decimalOverflow
		}
		v *= 10
	}
	if v > max {
		return 0, decimalOverflow
	}
	return v, decimalOK
}

// formatDecimal formats v/10^frac with digits grouped by threes with a no-break space (U+00A0) and
// a decimal comma. With trim set, trailing zero decimals (and a bare comma) are dropped; otherwise
// exactly frac decimals are written.
func formatDecimal(v int64, frac int, trim bool) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	pow := uint64(1)
	for i := 0; i < frac; i++ {
		pow *= 10
	}
	ip, fp := u/pow, u%pow
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	is := uitoa(ip)
	for i, c := range is {
		if i > 0 && (len(is)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	if frac > 0 {
		fs := uitoa(fp)
		fs = strings.Repeat("0", frac-len(fs)) + fs
		if trim {
			fs = strings.TrimRight(fs, "0")
		}
		if fs != "" {
			b.WriteByte(',')
			b.WriteString(fs)
		}
	}
	return b.String()
}

// uitoa formats u in decimal.
func uitoa(u uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return string(buf[i:])
}
