package retention

import "time"

// NextNightly lets the external tests check the nightly schedule.
func NextNightly(loc *time.Location, t time.Time) time.Time {
	return nightlyAt(loc).Next(t)
}
