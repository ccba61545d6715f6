package reference

import (
	"errors"
	"testing"
)

func TestValidSIRET(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		siret string
		want  error
	}{
		// Head offices as listed in the public SIRENE register.
		{"La Poste head office (Luhn-valid)", "35600000000048", nil},
		{"Google France", "44306184100047", nil},
		{"TotalEnergies SE", "54205118000066", nil},
		{"Danone", "55203253400646", nil},
		{"EDF", "55208131766522", nil},
		// La Poste's rule: the digits sum to a multiple of 5 (49837: 3+5+6+4+9+8+3+7 = 45), Luhn fails.
		{"La Poste establishment by the sum-of-digits rule", "35600000049837", nil},
		{"La Poste, neither Luhn nor a multiple of 5", "35600000049838", ErrSIRETChecksum},
		{"the same sum outside La Poste is not enough", "35600000149836", ErrSIRETChecksum},
		{"last digit changed", "44306184100048", ErrSIRETChecksum},
		{"two digits swapped", "44306148100047", ErrSIRETChecksum},
		{"all zeros pass Luhn", "00000000000000", nil},
		{"13 digits", "4430618410004", ErrSIRETFormat},
		{"15 digits", "443061841000470", ErrSIRETFormat},
		{"spaces", "443 061 841 00047", ErrSIRETFormat},
		{"a letter", "4430618410004A", ErrSIRETFormat},
		{"non-ASCII digits", "٤٤٣٠٦١٨٤١٠٠٠٤٧", ErrSIRETFormat},
		{"empty", "", ErrSIRETFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidSIRET(tt.siret); !errors.Is(err, tt.want) {
				t.Errorf("ValidSIRET(%q) = %v, want %v", tt.siret, err, tt.want)
			}
		})
	}
}

func TestValidSIREN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		siren string
		want  error
	}{
		{"356000000", nil}, // La Poste: the SIREN itself is Luhn-valid
		{"443061841", nil}, // Google France
		{"542051180", nil}, // TotalEnergies SE
		{"443061842", ErrSIRENChecksum},
		{"44306184", ErrSIRENFormat},
		{"44306184x", ErrSIRENFormat},
		{"44306184100047", ErrSIRENFormat},
	}
	for _, tt := range tests {
		if err := ValidSIREN(tt.siren); !errors.Is(err, tt.want) {
			t.Errorf("ValidSIREN(%q) = %v, want %v", tt.siren, err, tt.want)
		}
	}
}

func TestValidNAF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		naf  string
		want error
	}{
		{"62.01Z", nil}, // computer programming
		{"10.71C", nil}, // bakery and pastry
		{"56.10A", nil}, // traditional restaurants
		{"6201Z", ErrNAFFormat},
		{"62.01z", ErrNAFFormat},
		{"62,01Z", ErrNAFFormat},
		{"62.01ZZ", ErrNAFFormat},
		{" 62.01Z", ErrNAFFormat},
		{"62.01Z\n", ErrNAFFormat},
		{"", ErrNAFFormat},
	}
	for _, tt := range tests {
		if err := ValidNAF(tt.naf); !errors.Is(err, tt.want) {
			t.Errorf("ValidNAF(%q) = %v, want %v", tt.naf, err, tt.want)
		}
	}
}

func FuzzValidSIRET(f *testing.F) {
	for _, s := range []string{"35600000000048", "44306184100047", "54205118000066", "35600000049837", "4430618410004A", "", "٤٤٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidSIRET(s) != nil {
			return
		}
		if !allDigits(s, 14) {
			t.Fatalf("%q accepted without being 14 digits", s)
		}
		laPoste := s[:9] == LaPosteSIREN
		if !luhn(s) && (!laPoste || digitSum(s)%5 != 0) {
			t.Fatalf("%q accepted by neither Luhn nor La Poste's rule", s)
		}
		if laPoste {
			return
		}
		// Luhn catches every single-digit error. A change that lands on La
		// Poste's SIREN falls under La Poste's rule instead, and may pass it.
		for i := range len(s) {
			for d := byte('0'); d <= '9'; d++ {
				if d == s[i] {
					continue
				}
				m := s[:i] + string(d) + s[i+1:]
				if m[:9] == LaPosteSIREN {
					continue
				}
				if ValidSIRET(m) == nil {
					t.Fatalf("%q is valid, and so is %q, one digit away", s, m)
				}
			}
		}
	})
}

func FuzzValidNAF(f *testing.F) {
	for _, s := range []string{"62.01Z", "10.71C", "6201Z", "62.01z", "", "62.01Z\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidNAF(s) != nil {
			return
		}
		if len(s) != 6 || s[2] != '.' || s[5] < 'A' || s[5] > 'Z' || !allDigits(s[:2]+s[3:5], 4) {
			t.Fatalf("%q accepted but is not of the form 62.01Z", s)
		}
	})
}

func TestCompleteSIRET(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"9876543210001", "4000000000001", "0000000000000"} {
		s := CompleteSIRET(first)
		if len(s) != 14 || s[:13] != first || ValidSIRET(s) != nil {
			t.Errorf("CompleteSIRET(%q) = %q, not a valid SIRET starting with it", first, s)
		}
	}
	if got := CompleteSIRET("9876543210001"); got != "98765432100015" {
		t.Errorf("CompleteSIRET = %q, want 98765432100015", got)
	}
}
