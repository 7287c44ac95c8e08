package sdk

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidNHSNumber is returned (wrapped) for an NHS number that is not 10 digits with a
// valid Modulus 11 check digit.
var ErrInvalidNHSNumber = errors.New("invalid NHS number")

// ParseNHSNumber returns the NHS number s as 10 digits, ignoring spaces and hyphens
// ("999 000 0018" is "9990000018"), after checking its Modulus 11 check digit.
func ParseNHSNumber(s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
	if len(n) != 10 {
		return "", fmt.Errorf("sdk: %w: %q has %d digits, not 10", ErrInvalidNHSNumber, s, len(n))
	}
	sum := 0
	for i := 0; i < 10; i++ {
		if n[i] < '0' || n[i] > '9' {
			return "", fmt.Errorf("sdk: %w: %q is not all digits", ErrInvalidNHSNumber, s)
		}
		if i < 9 {
			sum += int(n[i]-'0') * (10 - i)
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	if check == 10 || check != int(n[9]-'0') {
		return "", fmt.Errorf("sdk: %w: %q fails the Modulus 11 check digit", ErrInvalidNHSNumber, s)
	}
	return n, nil
}

// ValidNHSNumber reports whether s is a valid NHS number (see ParseNHSNumber).
func ValidNHSNumber(s string) bool {
	_, err := ParseNHSNumber(s)
	return err == nil
}
