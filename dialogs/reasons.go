package dialogs

import (
	"strings"
)

// Absence reasons: plain words to ESR sickness absence reason codes.
// Checked in this order (COVID first, general words such as "infection"
// last), so "stress and back pain" records S10: mental
// health comes first because support for it must never be withheld because
// of a code (and codes are often wrong; the person confirms the words).
var reasonTable = []struct {
	code  string
	words []string
}{
	{"S10", []string{"stress", "stressed", "anxiety", "anxious", "depression", "depressed", "low mood", "mental health",
		"panic", "burnout", "burnt out", "burned out", "overwhelmed", "breakdown", "ptsd", "bipolar", "grief",
		"bereavement", "straen", "gorbryder", "iselder", "stres", "lek", "depresja", "wypalenie"}},
	{"S11", []string{"back", "back pain", "sciatica", "slipped disc", "lumbago", "cefn", "poen cefn", "plecy", "plecow", "kregoslup", "kregoslupa"}},
	{"S28", []string{"injury", "injured", "fracture", "fractured", "broken", "broke", "sprain", "sprained", "fell",
		"fall", "accident", "whiplash", "anaf", "uraz", "zlamanie"}},
	{"S12", []string{"neck", "shoulder", "knee", "hip", "joint", "joints", "muscle", "arthritis", "wrist", "ankle",
		"elbow", "tendon", "tendonitis", "msk", "frozen shoulder", "carpal tunnel", "gout", "gwddf", "ysgwydd",
		"pen glin", "szyja", "bark", "kolano", "staw"}},
	{"S15", []string{"chest", "chest infection", "pneumonia", "bronchitis", "breathing", "breathless", "copd",
		"brest", "zapalenie pluc"}},
	{"S14", []string{"asthma", "asthma attack", "astma"}},
	{"S13", []string{"cold", "cough", "flu", "influenza", "virus", "viral", "fever", "temperature", "annwyd",
		"peswch", "ffliw", "przeziebienie", "kaszel", "grypa", "goraczka",
		"grype", "grypy", "goraczke", "przeziebiony", "przeziebiona", "przeziebienia"}},
	{"S16", []string{"headache", "migraine", "migraines", "cur pen", "meigryn", "bol glowy", "migrena"}},
	{"S21", []string{"ear", "earache", "throat", "sore throat", "tonsillitis", "sinus", "sinusitis", "ent",
		"dolur gwddf", "gardlo", "ucho"}},
	{"S22", []string{"tooth", "teeth", "toothache", "dental", "dentist", "wisdom tooth", "dant", "zab", "zeby"}},
	{"S23", []string{"eye", "eyes", "conjunctivitis", "llygad", "oko", "oczy"}},
	{"S25", []string{"d and v", "d v", "dv", "sickness and diarrhoea", "diarrhoea", "diarrhea", "vomiting",
		"vomit", "stomach", "gastro", "gastroenteritis", "norovirus", "sickness bug", "tummy", "bug", "nausea",
		"food poisoning", "ibs", "crohns", "colitis", "bola bol", "dolur rhydd", "chwydu", "biegunka", "wymioty",
		"zoladek", "zatrucie"}},
	{"S26", []string{"period", "periods", "gynae", "gynaecological", "uti", "kidney", "bladder", "urine",
		"menopause", "endometriosis", "miscarriage", "mislif", "okres", "menopauza", "nerki"}},
	{"S30", []string{"pregnancy", "pregnant", "morning sickness", "hyperemesis", "beichiog", "ciaza", "ciazy", "w ciazy"}},
	{"S31", []string{"skin", "rash", "eczema", "psoriasis", "dermatitis", "croen", "skora", "wysypka"}},
	{"S19", []string{"heart", "cardiac", "blood pressure", "angina", "calon", "serce"}},
	{"S17", []string{"cancer", "tumour", "tumor", "chemo", "chemotherapy", "radiotherapy", "canser", "rak", "nowotwor"}},
	{"S29", []string{"epilepsy", "seizure", "ms", "multiple sclerosis", "stroke", "vertigo", "parkinsons", "padaczka"}},
	{"S24", []string{"diabetes", "thyroid", "diabetic", "cukrzyca", "tarczyca"}},
	{"S18", []string{"anaemia", "anemia", "blood disorder", "anemia"}},
	{"S27", []string{"chickenpox", "shingles", "measles", "mumps", "scarlet fever", "infection", "infectious",
		"tb", "tuberculosis"}},
	{"S98", []string{"operation", "surgery", "procedure", "op", "llawdriniaeth", "operacja", "zabieg"}},
}

// privateWords mean the person would rather not say: S99.
var privateWords = map[string]bool{"private": true, "rather not say": true, "prefer not to say": true,
	"id rather not say": true, "id prefer not to say": true, "personal": true, "preifat": true, "prywatne": true,
	"wole nie mowic": true, "nie chce mowic": true, "gwell gen i beidio": true}

// ReasonCode maps an absence reason in plain words to an ESR sickness
// absence reason code, and to "COVID-19" as the related reason when COVID
// is named (COVID-19 is not a reason code: ESR records it beside S27). Text
// that names nothing known, or says it is private, gives S99.
func ReasonCode(text string) (code, related string) {
	code, related, _ = reasonMatch(text)
	return code, related
}

// reasonMatch is ReasonCode, with the words of text that named the
// reason ("flu", "back pain"); "" when none did.
func reasonMatch(text string) (code, related, words string) {
	n := normalize(text)
	if privateWords[n] {
		return "S99", "", ""
	}
	fields := strings.Fields(n)
	has := func(phrase string) bool {
		if !strings.Contains(phrase, " ") {
			for _, w := range fields {
				if w == phrase || (len(phrase) >= 6 && within1(w, phrase)) {
					return true
				}
			}
			return false
		}
		return strings.Contains(" "+n+" ", " "+phrase+" ")
	}
	for _, w := range []string{"covid", "covid19", "coronavirus"} {
		if has(w) {
			return "S27", "COVID-19", w
		}
	}
	for _, r := range reasonTable {
		for _, w := range r.words {
			if has(w) {
				return r.code, "", w
			}
		}
	}
	return "S99", "", ""
}
