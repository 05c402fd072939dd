package postgres

import (
	"math"
	"testing"
)

// TestKaplanMeierQuantile checks the product-limit quantiles against the
// textbook example: the remission times in weeks of the 21 leukaemia
// patients given 6-mercaptopurine (Freireich et al., Blood 1963; Gehan,
// Biometrika 1965; worked in Kleinbaum & Klein, Survival Analysis, ch. 2),
// whose estimated survival falls to 0.857, 0.807, 0.753, 0.690, 0.627,
// 0.538 and 0.448 at 6, 7, 10, 13, 16, 22 and 23 weeks: median 23 weeks,
// and no 90th percentile (the curve ends at 0.448).
func TestKaplanMeierQuantile(t *testing.T) {
	t.Parallel()
	rows := []survivalRow{
		{6, true, 3}, {6, false, 1}, {7, true, 1}, {9, false, 1}, {10, true, 1}, {10, false, 1}, {11, false, 1},
		{13, true, 1}, {16, true, 1}, {17, false, 1}, {19, false, 1}, {20, false, 1}, {22, true, 1}, {23, true, 1},
		{25, false, 1}, {32, false, 2}, {34, false, 1}, {35, false, 1},
	}
	for _, c := range []struct {
		name string
		rows []survivalRow
		p    float64
		days int
		ok   bool
	}{
		{"6-MP median", rows, 0.5, 23, true},
		{"6-MP 25th percentile: S(10) = 0.753 is above 0.75", rows, 0.25, 13, true},
		{"6-MP 90th percentile not reached", rows, 0.9, 0, false},
		// Without censoring the estimate is the empirical one: of 1, 1,
		// 2, 3 days, half have ended by day 1.
		{"uncensored, exactly half", []survivalRow{{3, true, 1}, {1, true, 2}, {2, true, 1}}, 0.5, 1, true},
		{"only open episodes", []survivalRow{{5, false, 7}}, 0.5, 0, false},
		{"nothing", nil, 0.5, 0, false},
	} {
		days, ok := kaplanMeierQuantile(c.rows, c.p)
		if days != c.days || ok != c.ok {
			t.Errorf("%s: got %d, %v; want %d, %v", c.name, days, ok, c.days, c.ok)
		}
	}
}

// TestNewcombe checks the hybrid score interval against Newcombe's worked
// examples (Statistics in Medicine 1998;17:873-890, table II, method 10).
func TestNewcombe(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		x1, n1, x2, n2  int64
		diff, low, high float64
	}{
		{56, 70, 48, 80, 0.2, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.6, 0.1705, 0.8090},
		{5, 56, 0, 29, 0.0893, -0.0381, 0.1926},
	} {
		diff, low, high := newcombe(c.x1, c.n1, c.x2, c.n2)
		if math.Abs(diff-c.diff) > 5e-5 || math.Abs(low-c.low) > 5e-5 || math.Abs(high-c.high) > 5e-5 {
			t.Errorf("%d/%d - %d/%d: got %.4f (%.4f to %.4f), want %.4f (%.4f to %.4f)",
				c.x1, c.n1, c.x2, c.n2, diff, low, high, c.diff, c.low, c.high)
		}
	}
}

// TestMeanDifference works an example by hand: a = 2, 4, 6 (mean 4,
// variance 4) and b = 1, 1, 1, 1, 6 (mean 2, variance (40-20)/4 = 5):
// difference 2, standard error sqrt(4/3 + 5/5) = 1.52753, interval
// 2 ± 1.95996 × 1.52753 = -0.99390 to 4.99390.
func TestMeanDifference(t *testing.T) {
	t.Parallel()
	diff, low, high := meanDifference(sample{N: 3, Sum: 12, SumSq: 56}, sample{N: 5, Sum: 10, SumSq: 40})
	if math.Abs(diff-2) > 1e-9 || math.Abs(low+0.99390) > 5e-5 || math.Abs(high-4.99390) > 5e-5 {
		t.Errorf("got %.5f (%.5f to %.5f), want 2 (-0.99390 to 4.99390)", diff, low, high)
	}
}
