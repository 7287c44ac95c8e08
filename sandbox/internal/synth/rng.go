package synth

import (
	"math/bits"
	"math/rand/v2"
)

// The generator uses integer arithmetic only. Floating point would be deterministic on one
// machine, but Go may fuse multiply-adds on some architectures and math.Log and friends have
// per-architecture implementations, so float results could differ in the last bit between
// amd64 and arm64. Integers cannot.

// splitmix is the SplitMix64 finaliser: a bijection on uint64 with good avalanche, used to
// derive seeds and ids.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng is a deterministic random source: PCG-DXSM from math/rand/v2 (whose output is specified),
// with our own integer helpers on top so that no library's sampling algorithm can change the
// population between Go releases.
type rng struct{ src rand.PCG }

// newRNG seeds a source from a key and a stream number.
func newRNG(key, stream uint64) *rng {
	r := &rng{}
	r.src.Seed(splitmix(key^splitmix(stream)), splitmix(key+stream*0x9e3779b97f4a7c15+1))
	return r
}

func (r *rng) u64() uint64 { return r.src.Uint64() }

// intn returns a value in [0, n). The multiply-shift bias is below 2^-40 for our n.
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// between returns a value in [lo, hi] (inclusive); lo when hi < lo.
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// permille reports true with probability p/1000.
func (r *rng) permille(p int) bool { return r.intn(1000) < p }

// percent reports true with probability p/100.
func (r *rng) percent(p int) bool { return r.intn(100) < p }

// norm returns an approximately normal value with the given mean and standard deviation,
// bounded to mean ± 3·sd (sum of three discrete uniforms on [-sd, sd]).
func (r *rng) norm(mean, sd int) int {
	if sd <= 0 {
		return mean
	}
	w := 2*sd + 1
	return mean + r.intn(w) + r.intn(w) + r.intn(w) - 3*sd
}

// clamp bounds v to [lo, hi].
func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// pick returns a random element of s.
func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

// weighted returns an index chosen with probability proportional to w[i].
func weighted(r *rng, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.intn(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}
