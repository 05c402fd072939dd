package risk

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact"
)

// testScreener is shared by the tests, as the service shares one.
var testScreener = New()

// evalCase is one row of testdata/frozen.tsv.
type evalCase struct {
	line       int
	kind       string
	acceptable []ohcontact.Priority
	text       string
}

// riskyKinds and benignKinds are the kinds the evaluation set must cover.
var (
	riskyKinds = []string{
		"ideation", "intent_plan", "means_medication", "means_height", "means_rail", "means_ligature",
		"stockpiling", "emoji", "burdensomeness", "goodbye", "textspeak", "misspelling", "self_harm",
		"welsh", "polish", "past_attempt", "bereavement", "hopelessness", "domestic_abuse",
		"harm_to_others",
	}
	benignKinds = []string{"idiom", "msk_idiom", "denial", "patient_talk", "medication_treatment", "everyday"}
)

func loadEval(t *testing.T) []evalCase {
	t.Helper()
	f, err := os.Open("testdata/frozen.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	valid := map[ohcontact.Priority]bool{
		ohcontact.PriorityNone: true, ohcontact.PriorityRoutine: true,
		ohcontact.PriorityHigh: true, ohcontact.PriorityUrgent: true,
	}
	var cases []evalCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 || cols[2] == "" {
			t.Fatalf("frozen.tsv:%d: want kind<TAB>acceptable<TAB>message, got %q", n, line)
		}
		c := evalCase{line: n, kind: cols[0], text: cols[2]}
		for _, p := range strings.Split(cols[1], ",") {
			if !valid[ohcontact.Priority(p)] {
				t.Fatalf("frozen.tsv:%d: unknown priority %q", n, p)
			}
			c.acceptable = append(c.acceptable, ohcontact.Priority(p))
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func (c evalCase) benign() bool {
	return len(c.acceptable) == 1 && c.acceptable[0] == ohcontact.PriorityNone
}

// TestRiskEvaluationSet checks the frozen evaluation set itself.
func TestRiskEvaluationSet(t *testing.T) {
	t.Parallel()
	cases := loadEval(t)
	if len(cases) < 300 {
		t.Errorf("evaluation set has %d rows, want at least 300", len(cases))
	}
	count := map[string]int{}
	risky := 0
	for _, c := range cases {
		count[c.kind]++
		isBenign := slices.Contains(benignKinds, c.kind)
		if isBenign != c.benign() {
			t.Errorf("frozen.tsv:%d: kind %s with acceptable %v: benign kinds are labelled none and only those", c.line, c.kind, c.acceptable)
		}
		if !isBenign {
			risky++
		}
	}
	for _, k := range append(slices.Clone(riskyKinds), benignKinds...) {
		if count[k] == 0 {
			t.Errorf("kind %s is missing from the evaluation set", k)
		}
	}
	for k := range count {
		if !slices.Contains(riskyKinds, k) && !slices.Contains(benignKinds, k) {
			t.Errorf("unknown kind %s in the evaluation set", k)
		}
	}
	if share := float64(risky) / float64(len(cases)); share < 0.45 || share > 0.65 {
		t.Errorf("risky share %.2f, want roughly 0.55", share)
	}
}

// TestRiskEvaluation screens the frozen evaluation set and holds the screen
// to its floors: recall on risky messages, urgent messages flagged urgent,
// false alarms on benign messages.
func TestRiskEvaluation(t *testing.T) {
	t.Parallel()
	const (
		minRecall      = 0.97
		minUrgent      = 0.95
		maxFalseAlarms = 0.10
	)
	type tally struct{ n, hits int }
	perKind := map[string]*tally{}
	var risky, riskyHits, urgentOnly, urgentHits, benign, falseAlarms int
	var misses []string
	for _, c := range loadEval(t) {
		res := testScreener.Screen(c.text)
		// A risky message is a hit when positive and at no lower a priority
		// than its label allows; a higher one is an over-escalation, not a
		// miss (the policy: when in doubt, the higher priority).
		ok := res.Priority.Rank() >= c.acceptable[0].Rank()
		k := perKind[c.kind]
		if k == nil {
			k = &tally{}
			perKind[c.kind] = k
		}
		k.n++
		if c.benign() {
			benign++
			if res.Priority.Positive() {
				falseAlarms++
				misses = append(misses, fmt.Sprintf("line %d false alarm [%s] %q: %s %s %v", c.line, c.kind, c.text, res.Priority, res.Category, res.Evidence))
			} else {
				k.hits++
			}
			continue
		}
		risky++
		if ok && res.Priority.Positive() {
			riskyHits++
			k.hits++
		} else {
			misses = append(misses, fmt.Sprintf("line %d miss [%s] %q: got %s %s %v, want %v", c.line, c.kind, c.text, res.Priority, res.Category, res.Evidence, c.acceptable))
		}
		if len(c.acceptable) == 1 && c.acceptable[0] == ohcontact.PriorityUrgent {
			urgentOnly++
			if res.Priority == ohcontact.PriorityUrgent {
				urgentHits++
			}
		}
	}
	kinds := make([]string, 0, len(perKind))
	for k := range perKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var table strings.Builder
	fmt.Fprintf(&table, "%-22s %4s %5s %6s\n", "kind", "n", "hits", "rate")
	for _, k := range kinds {
		p := perKind[k]
		fmt.Fprintf(&table, "%-22s %4d %5d %6.3f\n", k, p.n, p.hits, float64(p.hits)/float64(p.n))
	}
	recall := float64(riskyHits) / float64(risky)
	urgentRate := float64(urgentHits) / float64(urgentOnly)
	faRate := float64(falseAlarms) / float64(benign)
	fmt.Fprintf(&table, "recall on risky %d/%d = %.3f; urgent flagged urgent %d/%d = %.3f; false alarms on benign %d/%d = %.3f\n",
		riskyHits, risky, recall, urgentHits, urgentOnly, urgentRate, falseAlarms, benign, faRate)
	t.Logf("per kind (hits: risky kinds in an acceptable priority, benign kinds left alone)\n%s", table.String())
	for _, m := range misses {
		t.Log(m)
	}
	if recall < minRecall {
		t.Errorf("recall on risky messages %.3f, want at least %.2f", recall, minRecall)
	}
	if urgentRate < minUrgent {
		t.Errorf("urgent messages flagged urgent %.3f, want at least %.2f", urgentRate, minUrgent)
	}
	if faRate > maxFalseAlarms {
		t.Errorf("false alarms on benign messages %.3f, want at most %.2f", faRate, maxFalseAlarms)
	}
}

func TestPHQ9Item9(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		score int
		want  ohcontact.Priority
	}{
		{"not at all", 0, ohcontact.PriorityNone},
		{"several days", 1, ohcontact.PriorityUrgent},
		{"more than half the days", 2, ohcontact.PriorityUrgent},
		{"nearly every day", 3, ohcontact.PriorityUrgent},
		{"out of range high", 4, ohcontact.PriorityUrgent},
		{"out of range negative", -1, ohcontact.PriorityUrgent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PHQ9Item9(tt.score)
			if got.Priority != tt.want {
				t.Fatalf("PHQ9Item9(%d) = %s, want %s", tt.score, got.Priority, tt.want)
			}
			checkRiskResult(t, got)
			if got.Priority.Positive() && got.Category != CategorySuicideRisk {
				t.Errorf("category %q, want %q", got.Category, CategorySuicideRisk)
			}
		})
	}
}

func TestPHQ2GAD2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		phq2, gad2 int
		want       ohcontact.Priority
		category   string
	}{
		{"both zero", 0, 0, ohcontact.PriorityNone, ""},
		{"both just below", 2, 2, ohcontact.PriorityNone, ""},
		{"phq2 at threshold", 3, 0, ohcontact.PriorityRoutine, CategoryLowMood},
		{"gad2 at threshold", 2, 3, ohcontact.PriorityRoutine, CategoryAnxiety},
		{"both positive", 6, 6, ohcontact.PriorityRoutine, CategoryLowMood},
		{"out of range", -1, 0, ohcontact.PriorityRoutine, CategoryLowMood},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PHQ2GAD2(tt.phq2, tt.gad2)
			if got.Priority != tt.want || got.Category != tt.category {
				t.Fatalf("PHQ2GAD2(%d, %d) = %s %q, want %s %q", tt.phq2, tt.gad2, got.Priority, got.Category, tt.want, tt.category)
			}
			checkRiskResult(t, got)
		})
	}
}

// checkRiskResult checks the invariants every result keeps.
func checkRiskResult(t *testing.T, r ohcontact.RiskResult) {
	t.Helper()
	switch r.Priority {
	case ohcontact.PriorityNone, ohcontact.PriorityRoutine, ohcontact.PriorityHigh, ohcontact.PriorityUrgent:
	default:
		t.Fatalf("priority %q is not one of the four", r.Priority)
	}
	if r.Priority.Positive() != (r.Category != "") {
		t.Fatalf("priority %s with category %q: a category exactly when positive", r.Priority, r.Category)
	}
	if r.Priority.Positive() && len(r.Evidence) == 0 {
		t.Fatalf("positive result without evidence")
	}
	if !r.Priority.Positive() && !r.Ask && len(r.Evidence) != 0 {
		t.Fatalf("negative result with evidence %v", r.Evidence)
	}
	if r.Ask && len(r.Evidence) == 0 {
		t.Fatalf("a result that asks without evidence")
	}
	if r.Ask && r.Priority.Rank() > ohcontact.PriorityRoutine.Rank() {
		t.Fatalf("a %s result that asks: asking is only for what is none or routine", r.Priority)
	}
}

// TestScreenEvidence checks what the lexicon says to the clinician: its
// priority, category and the words it quotes. The model's evidence is
// checked in TestModelOnlyRaises.
func TestScreenEvidence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		priority   ohcontact.Priority
		category   string
		contains   string // in some evidence string
	}{
		{"stockpiling", "honestly things are grim and ive been saving up my tablets for a while now", ohcontact.PriorityUrgent, CategorySuicideRisk, `"saving up my tablets" (means: stockpiling medication)`},
		{"denial does not mask a disclosure", "I'm not suicidal but I've been saving up my tablets", ohcontact.PriorityUrgent, CategorySuicideRisk, "saving up my tablets"},
		{"burdensomeness", "to be honest everyone would be better off without me at this point", ohcontact.PriorityHigh, CategorySuicideRisk, "better off without me"},
		{"past attempt", "i tried to kill myself when i was nineteen, doing ok now", ohcontact.PriorityRoutine, CategoryPastAttempt, "tried to kill myself"},
		{"recent attempt", "i tried to kill myself last night and nobody knows", ohcontact.PriorityUrgent, CategorySuicideRisk, "attempt: recent"},
		{"domestic abuse", "the reason im off is my husband hit me again on friday", ohcontact.PriorityRoutine, CategorySafeguarding, "husband hit me"},
		{"means with distress", "cant cope anymore and theres a full box of paracetamol in the kitchen 💊", ohcontact.PriorityUrgent, CategorySuicideRisk, "💊"},
		{"self-harm severity", "i cut myself last night and it wont stop bleeding", ohcontact.PriorityUrgent, CategorySelfHarm, "stop bleeding"},
		{"welsh", "dw i'n meddwl am ladd fy hun bob nos", ohcontact.PriorityUrgent, CategorySuicideRisk, "ladd fy hun"},
		{"polish with accents", "myślę o samobójstwie od tygodnia", ohcontact.PriorityUrgent, CategorySuicideRisk, "samobojstwie"},
		{"long quote cut short", "there is a rope incomprehensibly sturdy unbelievably thickened in the loft", ohcontact.PriorityUrgent, CategorySuicideRisk, `in the l…" (method: hanging)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := lexiconScreen(tt.text)
			checkRiskResult(t, got)
			if got.Priority != tt.priority || got.Category != tt.category {
				t.Fatalf("Screen(%q) = %s %q %v, want %s %q", tt.text, got.Priority, got.Category, got.Evidence, tt.priority, tt.category)
			}
			found := false
			for _, e := range got.Evidence {
				if strings.Contains(e, tt.contains) {
					found = true
				}
				if strings.Contains(strings.ToLower(e), strings.ToLower(tt.text)) {
					t.Errorf("evidence %q echoes the whole message", e)
				}
				if utf8.RuneCountInString(e) > maxQuoteBytes+60 {
					t.Errorf("evidence %q is too long", e)
				}
			}
			if !found {
				t.Errorf("evidence %v does not mention %q", got.Evidence, tt.contains)
			}
		})
	}
}

// lexiconScreen runs the lexicon alone, without the model.
func lexiconScreen(text string) ohcontact.RiskResult {
	sc := new(riskScratch)
	testScreener.tokenise(sc, text)
	testScreener.findHits(sc)
	return testScreener.decide(sc)
}

// TestScreenContext checks the lexicon's reading of context: denials,
// other people, idioms, laughter, time. It runs the lexicon alone: the
// model may still flag some of these (RISK.md, known limitations), and its
// false alarms are measured by the evaluations, not here.
func TestScreenContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       ohcontact.Priority
	}{
		{"idiom", "this rota is killing me", ohcontact.PriorityNone},
		{"msk idiom", "my back's killing me", ohcontact.PriorityNone},
		{"denial", "I'm not suicidal, just exhausted", ohcontact.PriorityNone},
		{"denial list", "no thoughts of suicide, self harm or hurting anyone", ohcontact.PriorityNone},
		{"denial after break does not carry", "no. i want to die", ohcontact.PriorityUrgent},
		{"no then comma does not deny", "no, i want to die", ohcontact.PriorityUrgent},
		{"not coping is not a denial", "im not coping been saving up my tablets", ohcontact.PriorityUrgent},
		{"pseudo negation", "not sure why but i keep thinking about suicide", ohcontact.PriorityUrgent},
		{"never felt more", "i have never felt more suicidal", ohcontact.PriorityUrgent},
		{"no longer denies", "i am no longer suicidal thank you", ohcontact.PriorityNone},
		{"patient overdose", "a patient took an overdose on my shift", ohcontact.PriorityNone},
		{"patient but own risk", "a patient took an overdose on my shift and honestly i want to die too", ohcontact.PriorityUrgent},
		{"medication as treatment", "the sertraline is helping", ohcontact.PriorityNone},
		{"shoot me now is an idiom", "shoot me now lol", ohcontact.PriorityNone},
		{"kms is not excused by lol", "forgot my badge again kms lol", ohcontact.PriorityUrgent},
		{"harm to others excused by lol", "going to kill him lol he ate my dinner", ohcontact.PriorityNone},
		{"throw myself into work", "ive decided to throw myself into work when i get back", ohcontact.PriorityNone},
		{"thrown under the bus", "my manager threw me under the bus in that meeting", ohcontact.PriorityNone},
		{"organisational development", "going to the od meeting about my rota", ohcontact.PriorityNone},
		{"sat on the edge of my bed", "sat on the edge of my bed crying this morning", ohcontact.PriorityNone},
		{"overdone", "i've overdone it at the gym", ohcontact.PriorityNone},
		{"overdue", "my appraisal is overdue", ohcontact.PriorityNone},
		{"homeless is not hopeless", "my brother is homeless and staying with us", ohcontact.PriorityNone},
		{"take my tablets as prescribed", "i take all my tablets as prescribed", ohcontact.PriorityNone},
		{"od'd", "i OD'd on my meds", ohcontact.PriorityUrgent},
		{"no as an answer does not deny", "no i want to die", ohcontact.PriorityUrgent},
		{"no honestly", "no honestly i want to die", ohcontact.PriorityUrgent},
		{"nope", "nope i want to kill myself", ohcontact.PriorityUrgent},
		{"no no no", "no no no i dont want to be here anymore", ohcontact.PriorityHigh},
		{"no real thoughts denies", "no real thoughts of suicide", ohcontact.PriorityNone},
		{"kilometres", "drove 40 kms to the hospital", ohcontact.PriorityNone},
		{"want 2 kms", "want 2 kms", ohcontact.PriorityUrgent},
		{"overdose in resus is staff talk", "had an overdose in resus tonight", ohcontact.PriorityNone},
		{"own overdose then resus", "took an overdose last night, ended up in resus", ohcontact.PriorityUrgent},
		{"longer lower rule does not mask urgent", "keep thinking about walking onto the railway line", ohcontact.PriorityUrgent},
		{"means inside a hit does not count twice", "been taking loads of ibuprofen for my knee", ohcontact.PriorityNone},
		{"odd", "feeling a bit odd on the new meds", ohcontact.PriorityNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := lexiconScreen(tt.text)
			checkRiskResult(t, got)
			if got.Priority != tt.want {
				t.Errorf("Screen(%q) = %s %q %v, want %s", tt.text, got.Priority, got.Category, got.Evidence, tt.want)
			}
		})
	}
}

// TestNoClauseMasksAnother checks that a message takes the most severe
// result of any of its clauses, with or without punctuation between them:
// a weaker clause (hopelessness, "can't go on") never downgrades explicit
// ideation elsewhere, in any language.
func TestNoClauseMasksAnother(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, text string }{
		{"en", "I can't do this anymore, I want to kill myself"},
		{"en", "I can't do this anymore I want to kill myself"},
		{"en", "I can't take it anymore I want to end my life"},
		{"en", "I can't go on, I want to kill myself"},
		{"en", "not coping at all and i want to die tonight"},
		{"en", "i want to kill myself. cant cope"},
		{"cy", "Dwi ddim yn gallu ymdopi, dwi eisiau lladd fy hun"},
		{"cy", "sai'n gallu neud hyn dim mwy dwi isio lladd fy hun"},
		{"pl", "Nie daję rady, chcę się zabić"},
		{"pl", "nie daje rady chce sie zabic"},
		{"pl", "Nie mogę już, chcę odebrać sobie życie"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.text, func(t *testing.T) {
			t.Parallel()
			if got := testScreener.Screen(tt.text); got.Priority != ohcontact.PriorityUrgent {
				t.Errorf("Screen(%q) = %s %q %v, want urgent", tt.text, got.Priority, got.Category, got.Evidence)
			}
		})
	}
}

// riskWords returns the canonical tokens of text.
func riskWords(text string) []string {
	sc := new(riskScratch)
	testScreener.tokenise(sc, text)
	out := make([]string, len(sc.toks))
	for i, t := range sc.toks {
		out[i] = t.w
	}
	return out
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       string
	}{
		{"curly apostrophes", "I’m can’t", "i am can not"},
		{"straight apostrophes", "don't won't", "do not will not"},
		{"repeated letters", "sooo tiiiired want to diiiie", "so tired want to die"},
		{"held letter in a double", "killlll myselfff", "kill myself"},
		{"NFKC full width", "ｓｕｉｃｉｄａｌ", "suicidal"},
		{"ligature fi", "ﬁnished", "finished"},
		{"polish accents", "Chcę się zabić", "chce sie zabic"},
		{"polish l stroke", "połknę", "polkne"},
		{"welsh circumflex", "ŵyr ŷd", "wyr yd"},
		{"emoji pill", "💊💊 tonight", "pills pills tonight"},
		{"emoji skull", "i want to 💀", "i want to die"},
		{"other emoji break words", "sad😭face", "sad face"},
		{"text-speak", "wanna kms rn", "want to kill myself right now"},
		{"split words merged", "my self co-codamol no one", "myself cocodamol nobody"},
		{"leet", "su1c1dal", "suicidal"},
		{"censored", "s*icide", "suicide"},
		{"misspelling map", "paracetomol", "paracetamol"},
		{"fuzzy long word", "propanolol", "propranolol"},
		{"short words not fuzzed", "overdue", "overdue"},
		{"od'd", "OD'd", "overdosed"},
		{"numbers", "took 20 tablets", "took 20 tablets"},
		{"decimal point is not a break", "2.5mg", "2 5mg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(riskWords(tt.text), " "); got != tt.want {
				t.Errorf("normalise(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestScreenOddInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a normal sentence about the rota and my back. ", 220) // about 10 KB
	tests := []struct {
		name, text string
		want       ohcontact.Priority // "" accepts any valid priority
	}{
		{"empty", "", ohcontact.PriorityNone},
		{"spaces", "   \t  ", ohcontact.PriorityNone},
		{"10 KB benign", long, ohcontact.PriorityNone},
		{"10 KB with a disclosure at the end", long + " i want to kill myself", ohcontact.PriorityUrgent},
		{"invalid UTF-8", "i want \xff\xfe to die", ohcontact.PriorityUrgent},
		{"only invalid bytes", "\xff\xfe\xfd", ohcontact.PriorityNone},
		{"control characters", "\x00\x01\x02 hello \x1b[31m", ohcontact.PriorityNone},
		{"control characters between words", "kill\x00myself", ohcontact.PriorityUrgent},
		{"only emoji", "😭😭😭🙏", ohcontact.PriorityNone},
		{"only stars", "*** ** *", ohcontact.PriorityNone},
		{"only punctuation", "?!.,;:()", ohcontact.PriorityNone},
		{"many numbers", strings.Repeat("1234567890 ", 300), ohcontact.PriorityNone},
		{"long word", strings.Repeat("x", 5000), ohcontact.PriorityNone},
		{"combining marks only", "\u0301\u0301\u0301", ohcontact.PriorityNone},
		{"many pill emoji", strings.Repeat("💊", 500), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := testScreener.Screen(tt.text)
			checkRiskResult(t, got)
			if tt.want != "" && got.Priority != tt.want {
				t.Errorf("Screen = %s %q %v, want %s", got.Priority, got.Category, got.Evidence, tt.want)
			}
		})
	}
}

// TestScreenLongInput guards against work that grows faster than the
// message: the screen runs in the hot path of every inbound message. The
// bound is far above linear time (milliseconds; BenchmarkScreen has the
// figure) even on a loaded machine under the race detector, and far below
// what quadratic work on 80 KB would take.
func TestScreenLongInput(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"many hits":   strings.Repeat("not saving up my tablets, i am a burden to everyone, take all my pills tonight. ", 1300),
		"pill emoji":  strings.Repeat("💊", 20000),
		"repetitions": strings.Repeat("kill myself ", 8000),
	} {
		start := time.Now()
		checkRiskResult(t, testScreener.Screen(text))
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: %d bytes took %v", name, len(text), d)
		}
	}
}

func TestLexiconCompiles(t *testing.T) {
	t.Parallel()
	lx, err := compileLexicon()
	if err != nil {
		t.Fatal(err)
	}
	if lx.patterns < 300 {
		t.Errorf("only %d patterns compiled", lx.patterns)
	}
}

func TestCompilePatternErrors(t *testing.T) {
	t.Parallel()
	lx, err := compileLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"cant cope",        // not canonical: "can not"
		"wanna die",        // not canonical: "want to"
		"no one cares",     // merged: "nobody"
		"suicidal?",        // optional first slot
		"~2 die",           // gap first
		"die ~2",           // gap last
		"@nosuchclass die", // unknown class
		"kil* me",          // first-slot prefix too short
		"[a|b",             // unbalanced
		"Suicidal",         // upper case
	} {
		flats, err := expandGroups(p)
		if err == nil {
			for _, f := range flats {
				var slots []patternSlot
				if slots, err = lx.compilePattern(f); err == nil {
					err = lx.checkMerges(slots)
				}
				if err != nil {
					break
				}
			}
		}
		if err == nil {
			t.Errorf("pattern %q compiled, want an error", p)
		}
	}
}

func TestScreenConcurrent(t *testing.T) {
	t.Parallel()
	msgs := []string{"i want to die", "this rota is killing me", "saving up my tablets", "ok thanks"}
	want := make([]ohcontact.Priority, len(msgs))
	for i, m := range msgs {
		want[i] = testScreener.Screen(m).Priority
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			for n := 0; n < 200; n++ {
				i := n % len(msgs)
				if got := testScreener.Screen(msgs[i]).Priority; got != want[i] {
					done <- fmt.Errorf("Screen(%q) = %s, want %s", msgs[i], got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func FuzzScreen(f *testing.F) {
	for _, s := range []string{
		"", "i want to die", "I’m not suicidal", "💊💊💊", "kms", "s*icide", "su1c1de", "OD'd",
		"dw i eisiau marw", "chcę umrzeć", "\xff", "no, never thought about it. goodbye",
		"tried to kill myself in 2019", "my partner hit me", "sooooo tiiiired",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkRiskResult(t, testScreener.Screen(text))
	})
}

// benchMessage is a typical 160-character inbound SMS.
const benchMessage = "hi sorry for the slow reply, had a rough week with my back and the kids. gp upped my meds. " +
	"can someone ring me after 2 tomorrow? not sure about physio yet, thanks x"

func BenchmarkScreen(b *testing.B) {
	long := strings.Repeat("i have been off with stress and my back, the rota was a nightmare and i could not cope. ", 20)
	for _, bm := range []struct{ name, text string }{
		{"typical_160", benchMessage[:160]},
		{"disclosure_160", ("honestly i cant go on like this, ive been saving up my tablets and i think everyone " +
			"would be better off without me. sorry for everything, its not your fault at all")[:160]},
		{"long_1800", long},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.text)))
			for b.Loop() {
				testScreener.Screen(bm.text)
			}
		})
	}
}

// TestCategories checks that Categories, the disclosures the pilot
// dashboard counts, are every category the risk screen opens cases of.
func TestCategories(t *testing.T) {
	want := []string{CategorySuicideRisk, CategorySelfHarm, CategoryPastAttempt, CategoryBereavement,
		CategoryHopelessness, CategorySafeguarding, CategoryHarmToOthers, CategoryLowMood,
		CategoryAnxiety, CategoryPossibleRisk}
	if !slices.Equal(Categories, want) {
		t.Errorf("Categories = %v, want %v", Categories, want)
	}
	for _, g := range signalGroups {
		if g.category != "" && !slices.Contains(Categories, g.category) {
			t.Errorf("a signal group's category %q is not in Categories", g.category)
		}
	}
	for c := range riskCategoryOrder {
		if !slices.Contains(Categories, c) {
			t.Errorf("ranked category %q is not in Categories", c)
		}
	}
}
