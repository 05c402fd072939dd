package intent

import "strings"

// Concepts are word classes the model sees besides the words themselves,
// so that what it learns of one member carries to the others: a symptom it
// was never shown ("shingles", "półpasiec") still reads as illness, and
// "urlop" as leave. Words are in the canonical form risk.Words gives
// (lower case, accents folded). A word is in a class if it is listed, or
// if it starts with one of the class's stems (for inflected Polish and
// Welsh forms).
//
// Each class adds a feature "@class" wherever a member appears, and
// bigrams with the class in place of the member.
var concepts = []struct {
	name  string
	words []string
	stems []string
}{
	{"@ill", []string{
		"sick", "ill", "unwell", "poorly", "rough", "flu", "covid", "migraine", "mig", "vomiting", "vomit", "vomited",
		"bug", "noro", "norovirus", "temperature", "temp", "fever", "cold", "cough", "infection", "diarrhoea",
		"diarrhea", "throwing", "puking", "spewing", "boaking", "tonsillitis", "shingles", "virus", "bronchitis",
		"d", "v", "dv", "gastro", "sickness", "chickenpox", "asthma", "pneumonia", "ear", "toothache",
		"sal", "dost", "tost", "ffliw", "salwch", "chwydu", "annwyd", "feigryn", "gwael", "clwy", "peswch", "twymyn",
		"l4", "covida", "angina",
	}, []string{"chor", "gryp", "zwolnien", "wymiot", "biegunk", "goraczk", "migren", "przezieb", "zatru", "infekc", "kaszl", "norowir", "chwyd", "salw"}},
	{"@leave", []string{
		"leave", "holiday", "holidays", "al", "annual", "rest", "study", "training", "course", "wedding", "off-duty",
		"gwyliau", "wyliau", "hyfforddiant", "cwrs", "wolne", "wolny", "wolnego",
	}, []string{"urlop", "szkoleni", "wakacj"}},
	{"@other", []string{
		"colleague", "colleagues", "she", "he", "her", "his", "they", "their", "husband", "wife", "partner", "son",
		"daughter", "kids", "child", "children", "staff", "nurse", "nurses", "team", "patient", "patients", "mum",
		"dad", "mate", "manager", "hcas", "hca", "someone", "somebody",
		"cydweithiwr", "gwr", "gwraig", "plant", "claf", "cleifion", "mab", "merch", "nhw",
		"kolega", "maz", "zona", "corka", "syn", "dzieci", "ona", "oni",
	}, []string{"kolezank", "pacjent", "nyrs"}},
	{"@past", []string{
		"was", "were", "last", "ago", "before", "had", "yesterday", "previously",
		"ddoe", "llynedd", "roeddwn", "oeddwn", "bues", "ges", "wczoraj", "zeszlym", "temu",
	}, []string{"bylam", "bylem", "byla", "byl"}},
	{"@back", []string{
		"back", "returned", "return", "returning", "better", "recovered", "phased",
		"nol", "dychwelyd", "well", "gwell", "wracam", "powrotem",
	}, []string{"wrocil", "wrocic", "wroc"}},
}

// conceptOf maps each listed word to its class.
var conceptOf = func() map[string]string {
	m := map[string]string{}
	for _, c := range concepts {
		for _, w := range c.words {
			m[w] = c.name
		}
	}
	return m
}()

// concept returns the class of canonical word w, or "".
func concept(w string) string {
	if c, ok := conceptOf[w]; ok {
		return c
	}
	for _, c := range concepts {
		for _, st := range c.stems {
			if strings.HasPrefix(w, st) {
				return c.name
			}
		}
	}
	return ""
}
