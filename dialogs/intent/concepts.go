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
		"l4", "covida", "angina", "lurgy", "dodgy", "bad", "awful", "terrible", "dreadful", "grim",
		"dda", "ddrwg", "wael", "dolur", "tostrwydd", "feirws", "tymheredd", "bola",
		"zle", "slabo", "kiepsko", "chora", "chory", "goraczke", "crook", "dizzy", "vertigo", "seizure", "uti",
		"tonsils", "antibiotics", "conjunctivitis", "benysgafn", "penysgafn", "pain", "sore", "ache", "aching",
		"brifo", "poen", "bol", "boli", "bola", "zawroty",
	}, []string{"chor", "gryp", "zwolnien", "wymiot", "biegunk", "goraczk", "migren", "przezieb", "zatru", "infekc", "kaszl", "norowir", "chwyd", "salw"}},
	{"@leave", []string{
		"leave", "holiday", "holidays", "al", "annual", "rest", "study", "training", "course", "wedding", "off-duty",
		"gwyliau", "wyliau", "hyfforddiant", "cwrs", "wolne", "wolny", "wolnego",
	}, []string{"urlop", "szkoleni", "wakacj"}},
	{"@other", []string{
		"colleague", "colleagues", "she", "he", "her", "his", "they", "their", "husband", "wife", "partner", "son",
		"daughter", "kids", "child", "children", "staff", "nurse", "nurses", "team", "patient", "patients", "mum",
		"dad", "mate", "manager", "hcas", "hca", "someone", "somebody", "coworker", "workmate", "friend",
		"flatmate", "roommate", "housemate", "brother", "mother", "father", "nan", "gran", "domestics", "porters",
		"half", "whole", "band", "hers", "him", "them",
		"cydweithiwr", "gwr", "gwraig", "plant", "claf", "cleifion", "mab", "merch", "nhw", "fo", "ffrind",
		"mam", "plentyn", "ngwr", "ngwraig", "mhartner", "mhlant", "ferch", "fab", "rhywun",
		"kolega", "maz", "zona", "corka", "syn", "dzieci", "ona", "oni", "mama", "tata", "brat", "siostra", "ktos",
		"mezem", "zone", "corke", "synem", "polowa", "pol",
	}, []string{"kolezank", "koleg", "pacjent", "nyrs", "cydweithw", "gydweithw", "nghydweithw", "chydweithw", "znajom", "wspolpracown", "kolezan"}},
	{"@past", []string{
		"was", "were", "last", "ago", "before", "had", "yesterday", "previously",
		"ddoe", "llynedd", "roeddwn", "oeddwn", "bues", "ges", "wczoraj", "zeszlym", "temu",
		"ron", "roedd", "oedd", "bum", "diwethaf", "dwetha", "summer", "january", "month", "previous",
	}, []string{"bylam", "bylem", "byla", "byl"}},
	{"@back", []string{
		"back", "returned", "return", "returning", "better", "recovered", "phased",
		"nol", "dychwelyd", "well", "gwell", "wracam", "powrotem", "cleared", "resume", "resuming", "recovering",
		"ffit", "gwella",
	}, []string{"wrocil", "wrocic", "wroc", "wyzdrow"}},
	{"@home", []string{
		"home", "bed", "isolating", "isolate", "staying", "adra", "adre", "gartref", "gartre", "domu", "lozku", "izolacji",
	}, nil},
	{"@neg", []string{
		"not", "cannot", "unable", "no", "never", "nae", "canny", "cannae", "wont",
		"ddim", "dim", "dwim", "sai", "sain", "smo", "methu",
		"nie", "niestety",
	}, nil},
	{"@ask", []string{
		"how", "what", "who", "when", "where", "why", "which", "should", "does", "do",
		"happens", "policy", "entitled", "allowed", "rule", "rules", "count", "counts", "procedure",
		"sut", "beth", "pwy", "pryd", "ble", "oes", "ydy", "ydw", "faint", "polisi", "hawl", "rheol", "rheolau",
		"jak", "ile", "czy", "kiedy", "gdzie", "co", "kto", "dlaczego", "zasady", "przysluguje", "procedura",
	}, nil},
	{"@work", []string{
		"work", "shift", "shifts", "nights", "night", "nightshift", "ward", "rota", "duty", "tonight", "today", "tomorrow",
		"gwaith", "shifft", "heddiw", "heddi", "heno", "fory", "yfory", "nos",
		"pracy", "praca", "prace", "dzis", "dzisiaj", "jutro", "nocka", "noc", "dyzur", "oddzial", "oddziale",
	}, []string{"zmian", "dyzur"}},
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
