package kkm

// ValidateIINBIN checks an IIN (individual) or BIN (business) identification number: exactly 12
// digits whose last is the check digit of the Kazakh algorithm. The first 11 digits are weighted
// 1, 2, …, 11 and summed modulo 11; if that gives 10, they are weighted 3, 4, …, 11, 1, 2 and summed
// modulo 11 again; if that too gives 10 the number is invalid, otherwise the result must equal the
// 12th digit. Errors: ErrIINBINLength, ErrIINBINDigits, ErrIINBINCheckDigit.
func ValidateIINBIN(s string) error {
	if len(s) != 12 {
		return newError(ErrIINBINLength, "Input", s)
	}
	var d [12]int
	for i := 0; i < 12; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return newError(ErrIINBINDigits, "Input", s)
		}
		d[i] = int(c - '0')
	}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += (i + 1) * d[i]
	}
	check := sum % 11
	if check == 10 {
		sum = 0
		for i := 0; i < 11; i++ {
			sum += ((i+2)%11 + 1) * d[i]
		}
		check = sum % 11
	}
	if check == 10 || check != d[11] {
		return newError(ErrIINBINCheckDigit, "Input", s)
	}
	return nil
}
