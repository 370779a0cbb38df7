package pricelist

import "unicode/utf8"

// cp1251High maps the bytes 0x80–0xBF of Windows-1251 (0x98 is unassigned); 0xC0–0xFF are
// А–я in order.
var cp1251High = [64]rune{
	'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ',
	'ђ', '‘', '’', '“', '”', '•', '–', '—', utf8.RuneError, '™', 'љ', '›', 'њ', 'ќ', 'ћ', 'џ',
	'\u00a0', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u00ad', '®', 'Ї',
	'°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї',
}

// fromWindows1251 decodes a file saved in Windows-1251, the encoding 1С and Excel use for CSV on a
// Russian Windows. It refuses (ok false) a file that is not plausibly one: an unassigned byte, or
// fewer than nine in ten of its non-ASCII bytes being Cyrillic letters (a file in another
// encoding, or binary), or more than one in ten touching a Latin letter (Latin-1's «Café»,
// whose accented letters fall on Cyrillic ones), so that such a file is refused by name instead of imported garbled.
// Kazakh letters beyond Russian's (ә ғ қ ң ө ұ ү һ) do not exist in Windows-1251: a list that has
// them was saved in UTF-8 or lost them already.
func fromWindows1251(data []byte) ([]byte, bool) {
	high, letters, mixed := 0, 0, 0
	latin := func(i int) bool {
		if i < 0 || i >= len(data) {
			return false
		}
		c := data[i] | 0x20
		return c >= 'a' && c <= 'z'
	}
	out := make([]byte, 0, len(data)+len(data)/2)
	for i, b := range data {
		if b < 0x80 {
			out = append(out, b)
			continue
		}
		high++
		if latin(i-1) || latin(i+1) {
			mixed++ // «Café»: a Latin letter inside the word, as in Latin-1, not in Russian text
		}
		var r rune
		switch {
		case b >= 0xC0:
			r = 'А' + rune(b-0xC0)
			letters++
		default:
			r = cp1251High[b-0x80]
			if r == utf8.RuneError {
				return nil, false
			}
			if r == 'Ё' || r == 'ё' || r == 'І' || r == 'і' {
				letters++
			}
		}
		out = utf8.AppendRune(out, r)
	}
	if letters*10 < high*9 || mixed*10 > high {
		return nil, false
	}
	return out, true
}
