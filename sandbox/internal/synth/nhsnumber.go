package synth

// NHS numbers are ten digits; the tenth is a Modulus 11 check digit over the first nine
// (weights 10 down to 2; check = 11 - sum mod 11, where 11 becomes 0 and 10 means the number
// is not issued). Synthetic patients use the 999 range that NHS England reserves for testing.
//
// Patient index i maps to a number without search or storage: i/9 picks a block of ten
// candidates 999BBBBB0..999BBBBB9 and i%9 picks the (i%9)-th valid one. The last digit has weight
// 2, which is invertible mod 11, so the ten candidates have ten different remainders and at
// most one of them is invalid: every block has at least nine valid numbers. Distinct indices
// therefore always get distinct numbers, and index 0 gets 9990000018.

// nhsNumber returns the NHS number of patient index i (0 <= i < MaxPatients).
func nhsNumber(i int) string {
	block, k := i/9, i%9
	var d [10]byte
	d[0], d[1], d[2] = 9, 9, 9
	for j, b := 7, block; j >= 3; j-- {
		d[j] = byte(b % 10)
		b /= 10
	}
	sum := 0
	for j := range 8 {
		sum += int(d[j]) * (10 - j)
	}
	for last := 0; last < 10; last++ {
		check := 11 - (sum+2*last)%11
		if check == 11 {
			check = 0
		}
		if check == 10 {
			continue
		}
		if k == 0 {
			d[8], d[9] = byte(last), byte(check)
			var s [10]byte
			for j := range d {
				s[j] = '0' + d[j]
			}
			return string(s[:])
		}
		k--
	}
	panic("synth: NHS number block without nine valid numbers") // unreachable, see above
}

// validNHSNumber reports whether s is ten digits with a correct Modulus 11 check digit.
func validNHSNumber(s string) bool {
	if len(s) != 10 {
		return false
	}
	sum := 0
	for j := range 10 {
		if s[j] < '0' || s[j] > '9' {
			return false
		}
		if j < 9 {
			sum += int(s[j]-'0') * (10 - j)
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(s[9]-'0')
}
