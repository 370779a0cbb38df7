package kkm

import (
	"crypto/rand"
	"io"
)

// SerialNumberPrefix begins every serial number (ZNM) this software generates.
const SerialNumberPrefix = "EKG"

// NewSerialNumber generates the serial number (ZNM, заводской номер) of a new software register
// («Новая касса»). The format is SerialNumberPrefix, then 12 random decimal digits from
// crypto/rand, then one Luhn check digit over those 12 digits: "EKG" + 13 digits, 16 characters,
// e.g. "EKG4096173850227". Uniqueness is probabilistic: among n registers the chance that any two
// share a number is about n²/(2·10¹²), 5·10⁻⁵ for 10 000 registers; a caller that keeps the
// numbers already issued (the OFD's cabinet does) draws again on a clash.
func NewSerialNumber() (string, error) { return newSerialNumber(rand.Reader) }

// newSerialNumber generates a serial number from the random bytes of r.
func newSerialNumber(r io.Reader) (string, error) {
	digits := make([]byte, 0, 13)
	var buf [16]byte
	for len(digits) < 12 {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", err
		}
		for _, b := range buf {
			// Rejection sampling keeps the digits uniform: 250 is the largest multiple of 10 ≤ 256.
			if b < 250 && len(digits) < 12 {
				digits = append(digits, '0'+b%10)
			}
		}
	}
	digits = append(digits, '0'+luhnCheck(digits))
	return SerialNumberPrefix + string(digits), nil
}

// luhnCheck returns the Luhn check digit of a string of decimal digits.
func luhnCheck(digits []byte) byte {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}

// ValidateSerialNumber checks a serial number made by NewSerialNumber: the prefix, 13 digits and a
// correct check digit. Errors: ErrSerialNumberFormat, ErrSerialNumberCheckDigit.
func ValidateSerialNumber(s string) error {
	if len(s) != len(SerialNumberPrefix)+13 || s[:len(SerialNumberPrefix)] != SerialNumberPrefix {
		return newError(ErrSerialNumberFormat, "Input", s)
	}
	d := []byte(s[len(SerialNumberPrefix):])
	for _, c := range d {
		if c < '0' || c > '9' {
			return newError(ErrSerialNumberFormat, "Input", s)
		}
	}
	if luhnCheck(d[:12]) != d[12]-'0' {
		return newError(ErrSerialNumberCheckDigit, "Input", s)
	}
	return nil
}
