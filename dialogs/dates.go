package dialogs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday, "sunday": time.Sunday, "sun": time.Sunday,
	"dydd llun": time.Monday, "llun": time.Monday, "dydd mawrth": time.Tuesday, "dydd mercher": time.Wednesday,
	"mercher": time.Wednesday, "dydd iau": time.Thursday, "iau": time.Thursday, "dydd gwener": time.Friday,
	"gwener": time.Friday, "dydd sadwrn": time.Saturday, "sadwrn": time.Saturday, "dydd sul": time.Sunday,
	"poniedzialek": time.Monday, "wtorek": time.Tuesday, "sroda": time.Wednesday, "czwartek": time.Thursday,
	"piatek": time.Friday, "sobota": time.Saturday, "niedziela": time.Sunday,
	// Polish weekdays after a preposition: "w srode", "do piatku", "od poniedzialku".
	"poniedzialku": time.Monday, "wtorku": time.Tuesday, "srode": time.Wednesday, "srody": time.Wednesday,
	"czwartku": time.Thursday, "piatku": time.Friday, "sobote": time.Saturday, "soboty": time.Saturday,
	"niedziele": time.Sunday, "niedzieli": time.Sunday,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var relativeDays = map[string]int{
	"today": 0, "tdy": 0, "2day": 0, "heddiw": 0, "heno": 0, "bore ma": 0, "dzis": 0, "dzisiaj": 0,
	"this morning": 0, "tonight": 0,
	"yesterday": -1, "ddoe": -1, "neithiwr": -1, "wczoraj": -1, "last night": -1,
	"day before yesterday": -2, "the day before yesterday": -2, "echdoe": -2, "przedwczoraj": -2,
	"tomorrow": 1, "tmrw": 1, "tmr": 1, "yfory": 1, "jutro": 1,
	"next week": 7, "wythnos nesaf": 7, "w przyszlym tygodniu": 7,
}

// datePrefixes may come before a date without changing it: "on Monday",
// "since tues", "back on the 3rd", "till Friday", "w piatek", "od wczoraj",
// "ers ddoe", "ar ddydd Llun". Trimmed in this order, each at most once.
var datePrefixes = []string{"probably ", "hopefully ", "maybe ", "back ", "at work ", "in work ", "on ", "from ",
	"since ", "until ", "till ", "til ", "by ", "last ", "this ", "next ", "the ", "w ", "we ", "od ", "do ", "ers ",
	"ar ", "o ", "ddydd ", "dydd "}

// dateSuffixes may follow a date: "monday just gone", "dydd llun nesaf".
var dateSuffixes = []string{" just gone", " gone", " coming", " nesaf", " nesa", " diwethaf", " dwetha"}

// parseDate reads a date relative to today: "today", "yesterday",
// "tomorrow", a weekday, "3/11", "3/11/2026", "3 Nov", "Nov 3rd", "the 3rd",
// "in 3 days", "2 days ago", "end of the week", "after the weekend", and,
// for a date ahead, a duration ("about a month", "a fortnight").
// past chooses how to read a weekday or a date without a year or month:
// the latest such date on or before today (past), or the next one after
// today.
func parseDate(raw string, today time.Time, past bool) (time.Time, bool) {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	n := normalize(raw)
	if d, ok := relativeDays[n]; ok { // before "last " and "this " go: "last night", "this morning"
		return today.AddDate(0, 0, d), true
	}
	for _, p := range datePrefixes {
		n = strings.TrimPrefix(n, p)
	}
	for _, sfx := range dateSuffixes {
		n = strings.TrimSuffix(n, sfx)
	}
	if d, ok := relativeDays[n]; ok {
		return today.AddDate(0, 0, d), true
	}
	if d, ok := relativeWeekDays(n, today, past); ok {
		return d, true
	}
	if wd, ok := weekdays[n]; ok {
		diff := int(wd - today.Weekday())
		if past {
			if diff > 0 {
				diff -= 7
			}
		} else if diff <= 0 {
			diff += 7
		}
		return today.AddDate(0, 0, diff), true
	}
	// "2 days ago", "a week ago" (past); "in 3 days", "2 weeks", "about a
	// month" (ahead).
	if before, ok := strings.CutSuffix(n, " ago"); ok && past {
		if days, ok := parseDuration(before); ok && days <= 366 {
			return today.AddDate(0, 0, -int(math.Round(days))), true
		}
	}
	if !past && !hasDigitDate(raw) && !strings.HasSuffix(n, " ago") {
		if days, ok := parseDuration(n); ok && days >= 1 && days <= 366 {
			return today.AddDate(0, 0, int(math.Round(days))), true
		}
	}
	// Numeric: d/m, d/m/yy, d/m/yyyy, with / . or - between.
	var nums []int
	for _, f := range strings.FieldsFunc(strings.TrimSpace(raw), func(r rune) bool { return r == '/' || r == '.' || r == '-' || r == ' ' }) {
		v, err := strconv.Atoi(f)
		if err != nil {
			nums = nil
			break
		}
		nums = append(nums, v)
	}
	day, month, year := 0, time.Month(0), 0
	switch {
	case len(nums) == 2 || len(nums) == 3:
		day, month = nums[0], time.Month(nums[1])
		if len(nums) == 3 {
			year = nums[2]
			if year < 100 {
				year += 2000
			}
		}
	default:
		// "3 nov", "3rd november", "nov 3", "november 3rd 2026"
		ws := strings.Fields(n)
		for _, w := range ws {
			if m, ok := months[w]; ok && month == 0 {
				month = m
				continue
			}
			d := strings.TrimRight(w, "ndrsth")
			v, err := strconv.Atoi(d)
			switch {
			case err != nil || d == "":
				if w != "of" && w != "the" {
					return time.Time{}, false
				}
			case v >= 1000 && year == 0:
				year = v
			case day == 0:
				day = v
			default:
				return time.Time{}, false
			}
		}
	}
	if month == 0 && year == 0 && day >= 1 && len(nums) == 0 {
		// "the 3rd": the nearest month's on the right side of today that
		// has that day (the 31st skips November).
		step := 1
		if past {
			step = -1
		}
		for i := 0; day <= 31 && i < 3; i++ {
			t := time.Date(today.Year(), today.Month()+time.Month(i*step), day, 0, 0, 0, 0, time.UTC)
			if t.Day() == day && (past && !t.After(today) || !past && !t.Before(today)) {
				return t, true
			}
		}
		return time.Time{}, false
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return time.Time{}, false
	}
	if year != 0 {
		t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
		if t.Day() != day {
			return time.Time{}, false
		}
		return t, true
	}
	t := time.Date(today.Year(), month, day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31/11
	}
	if past && t.After(today) {
		t = t.AddDate(-1, 0, 0)
	} else if !past && t.Before(today) {
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}

// relativeWeekDays reads the week's landmarks ahead of today: "end of the
// week" (Friday), "end of next week", "after the weekend" (Monday), "end of
// the month".
func relativeWeekDays(n string, today time.Time, past bool) (time.Time, bool) {
	if past {
		return time.Time{}, false
	}
	next := func(wd time.Weekday) time.Time {
		diff := int(wd - today.Weekday())
		if diff <= 0 {
			diff += 7
		}
		return today.AddDate(0, 0, diff)
	}
	switch n {
	case "end of the week", "end of week", "the end of the week", "diwedd yr wythnos", "koniec tygodnia", "konca tygodnia":
		if today.Weekday() >= time.Monday && today.Weekday() < time.Friday {
			return next(time.Friday), true
		}
		return next(time.Friday).AddDate(0, 0, 7), true
	case "end of next week", "the end of next week", "diwedd wythnos nesaf", "koniec przyszlego tygodnia", "konca przyszlego tygodnia":
		return next(time.Monday).AddDate(0, 0, 4), true
	case "after the weekend", "after weekend", "ar ol y penwythnos", "po weekendzie":
		return next(time.Monday), true
	case "end of the month", "end of month", "the end of the month", "diwedd y mis", "koniec miesiaca", "konca miesiaca":
		return time.Date(today.Year(), today.Month()+1, 0, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// hasDigitDate reports whether raw holds a number written with a date
// separator ("3/11", "3.11", "3-11"), which a duration never is.
func hasDigitDate(raw string) bool {
	for i := 1; i < len(raw); i++ {
		if strings.ContainsRune("/.-", rune(raw[i])) && raw[i-1] >= '0' && raw[i-1] <= '9' {
			return true
		}
	}
	return false
}

// sinceWords, before a day of relativeDays, date an absence from that day
// ("since yesterday", "od wczoraj", "ers ddoe").
var sinceWords = []string{"since", "od", "ers"}

// durationUnits are words for a day, week, month and year in English,
// Welsh and Polish (accents folded), in days.
var durationUnits = map[string]float64{
	"day": 1, "days": 1, "diwrnod": 1, "diwrnodau": 1, "dydd": 1, "dyddiau": 1, "dzien": 1, "dni": 1,
	"week": 7, "weeks": 7, "wk": 7, "wks": 7, "wythnos": 7, "wythnosau": 7, "tydzien": 7, "tygodnie": 7, "tygodni": 7,
	"fortnight": 14, "pythefnos": 14,
	"month": 30.4, "months": 30.4, "mis": 30.4, "misoedd": 30.4, "miesiac": 30.4, "miesiace": 30.4, "miesiecy": 30.4,
	"year": 365, "years": 365, "yr": 365, "yrs": 365, "blwyddyn": 365, "blynedd": 365, "rok": 365, "lata": 365, "lat": 365,
}

// durationCounts are number words, and words standing for a number
// ("a month", "a couple of weeks", "kilka tygodni"), in the three
// languages.
var durationCounts = map[string]float64{
	"a": 1, "an": 1, "one": 1, "un": 1, "jeden": 1, "jedna": 1,
	"two": 2, "couple": 2, "dau": 2, "dwy": 2, "dwa": 2, "dwie": 2,
	"three": 3, "few": 3, "several": 3, "tri": 3, "tair": 3, "trzy": 3, "kilka": 3, "kilku": 3, "pare": 2, "paru": 2, "sawl": 3, "ychydig": 3,
	"four": 4, "pedwar": 4, "pedair": 4, "cztery": 4, "five": 5, "pump": 5, "piec": 5, "six": 6, "chwe": 6, "szesc": 6,
	"half": 0.5, "pol": 0.5,
}

// parseDuration reads how long something has lasted from free text in
// any of the three languages ("about a month", "3 wks", "ers pythefnos",
// "od kilku miesiecy"; n normalised), in days. A unit with no number
// before it counts one ("since last week": 7 days).
func parseDuration(n string) (float64, bool) {
	words := strings.Fields(n)
	for i, w := range words {
		unit, ok := durationUnits[w]
		if !ok {
			// "3weeks", "2mths" written together.
			num := strings.TrimRightFunc(w, unicode.IsLetter)
			if num == "" || num == w {
				continue
			}
			if unit, ok = durationUnits[w[len(num):]]; !ok {
				continue
			}
			if v, err := strconv.ParseFloat(num, 64); err == nil {
				return v * unit, true
			}
			continue
		}
		count := 1.0
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			if v, err := strconv.ParseFloat(words[j], 64); err == nil {
				count = v
				break
			}
			if v, ok := durationCounts[words[j]]; ok {
				count = v
				break
			}
		}
		return count * unit, true
	}
	return 0, false
}

// formatDate formats a date for texts: 3/11/2026 (day/month/year, read the
// same way in all three languages).
func formatDate(t time.Time) string {
	return fmt.Sprintf("%d/%d/%d", t.Day(), int(t.Month()), t.Year())
}
