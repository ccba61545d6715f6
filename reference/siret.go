package reference

import (
	"errors"
	"regexp"
)

// LaPosteSIREN is La Poste's SIREN. Its establishments are too many for the
// NIC's Luhn key, so INSEE gives their SIRETs another key (see ValidSIRET).
const LaPosteSIREN = "356000000"

// Errors of the checks below. Their text is fit for a field error message.
var (
	ErrSIRETFormat   = errors.New("a SIRET is exactly 14 digits")
	ErrSIRETChecksum = errors.New("not a valid SIRET: its check digit does not match (a typo?)")
	ErrSIRENFormat   = errors.New("a SIREN is exactly 9 digits")
	ErrSIRENChecksum = errors.New("not a valid SIREN: its check digit does not match (a typo?)")
	ErrNAFFormat     = errors.New("a NAF code is two digits, a dot, two digits and a capital letter, as in 62.01Z")
)

// ValidSIRET checks a SIRET (establishment identifier): 14 digits, the SIREN
// (9) then the NIC (5), whose last digit makes the Luhn sum of all 14 digits a
// multiple of 10.
//
// La Poste (SIREN 356000000) is the one exception INSEE documents: it has more
// establishments than Luhn-keyed NICs, so the SIRETs of its establishments are
// keyed so that the plain sum of the 14 digits is a multiple of 5. Its head
// office, 356 000 000 00048, predates the rule and is Luhn-valid. A La Poste
// SIRET is therefore accepted when either rule holds: refusing a real
// establishment is worse than letting through the rare typo both rules miss.
//
// Only the 14-digit key is checked, as INSEE defines it for a SIRET; the SIREN
// part is not checked on its own (see ValidSIREN).
func ValidSIRET(s string) error {
	if !allDigits(s, 14) {
		return ErrSIRETFormat
	}
	if luhn(s) || (s[:9] == LaPosteSIREN && digitSum(s)%5 == 0) {
		return nil
	}
	return ErrSIRETChecksum
}

// ValidSIREN checks a SIREN (company identifier): 9 digits with a Luhn key.
// La Poste's SIREN is Luhn-valid like any other.
func ValidSIREN(s string) error {
	if !allDigits(s, 9) {
		return ErrSIRENFormat
	}
	if !luhn(s) {
		return ErrSIRENChecksum
	}
	return nil
}

var nafPattern = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}[A-Z]$`)

// ValidNAF checks the form of a NAF rev. 2 code (APE), such as 62.01Z or
// 10.71C. It does not check that the code exists in the nomenclature.
func ValidNAF(s string) error {
	if !nafPattern.MatchString(s) {
		return ErrNAFFormat
	}
	return nil
}

// allDigits reports whether s is exactly n ASCII digits.
func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// luhn reports whether the digits of s pass the Luhn check: from the right,
// every second digit is doubled (less 9 when over 9), and the sum is a
// multiple of 10.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// CompleteSIRET returns first13 (13 digits) followed by the key digit that
// makes it pass the Luhn check: synthetic SIRETs for tests, demos and the
// benchmark.
func CompleteSIRET(first13 string) string {
	for d := byte('0'); d <= '9'; d++ {
		if s := first13 + string(d); luhn(s) {
			return s
		}
	}
	panic("reference: CompleteSIRET needs 13 digits, got " + first13)
}

func digitSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum
}
