package postgres

import (
	"cmp"
	"math"
	"slices"
)

// Statistics behind the dashboard's comparisons. They work on counts and
// sums the SQL has aggregated; publishing them (suppression) is the
// caller's.

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// survivalRow is n episodes that lasted Days calendar days: ended after
// Days days, or, when not Ended, still open (censored) after Days days.
type survivalRow struct {
	Days  int
	Ended bool
	N     int64
}

// kaplanMeierQuantile returns the p quantile (0.5: the median) of the
// episode lengths in rows, by the Kaplan–Meier (product-limit) estimate of
// the share still absent: the smallest length t at which that estimate
// S(t) has fallen to 1-p or below. Episodes censored at t count as still
// at risk at t (they lasted at least t days). ok is false when the
// estimate never falls that far: the quantile is not yet known.
func kaplanMeierQuantile(rows []survivalRow, p float64) (days int, ok bool) {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b survivalRow) int { return cmp.Compare(a.Days, b.Days) })
	var atRisk int64
	for _, r := range rows {
		atRisk += r.N
	}
	s := 1.0
	for i := 0; i < len(rows); {
		t := rows[i].Days
		var ended, left int64
		for ; i < len(rows) && rows[i].Days == t; i++ {
			if rows[i].Ended {
				ended += rows[i].N
			}
			left += rows[i].N
		}
		if ended > 0 {
			s *= 1 - float64(ended)/float64(atRisk)
			if s <= 1-p+1e-12 {
				return t, true
			}
		}
		atRisk -= left
	}
	return 0, false
}

// wilson returns the 95% Wilson score interval of the proportion x/n
// (n > 0).
func wilson(x, n int64) (low, high float64) {
	p, nf := float64(x)/float64(n), float64(n)
	z2 := z95 * z95
	centre := p + z2/(2*nf)
	half := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return (centre - half) / (1 + z2/nf), (centre + half) / (1 + z2/nf)
}

// newcombe returns the difference x1/n1 - x2/n2 of two independent
// proportions (n1, n2 > 0) with its 95% interval by Newcombe's hybrid
// score method (method 10 of Newcombe, Statistics in Medicine 1998;
// 17:873-890), built from each proportion's Wilson interval.
func newcombe(x1, n1, x2, n2 int64) (diff, low, high float64) {
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	l1, u1 := wilson(x1, n1)
	l2, u2 := wilson(x2, n2)
	diff = p1 - p2
	low = diff - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2))
	high = diff + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2))
	return diff, low, high
}

// sample is n measurements by their sum and sum of squares.
type sample struct {
	N          int64
	Sum, SumSq float64
}

func (s sample) mean() float64 { return s.Sum / float64(s.N) }

// variance is the sample variance (n-1 denominator); 0 for fewer than two
// measurements.
func (s sample) variance() float64 {
	if s.N < 2 {
		return 0
	}
	m := s.mean()
	return max(0, (s.SumSq-float64(s.N)*m*m)/float64(s.N-1))
}

// meanDifference returns the difference of the means of a and b (a minus
// b, both with N > 0) with its 95% normal interval, whose standard error
// is sqrt(var(a)/n(a) + var(b)/n(b)): the large-sample interval for two
// independent samples.
func meanDifference(a, b sample) (diff, low, high float64) {
	diff = a.mean() - b.mean()
	se := math.Sqrt(a.variance()/float64(a.N) + b.variance()/float64(b.N))
	return diff, diff - z95*se, diff + z95*se
}
