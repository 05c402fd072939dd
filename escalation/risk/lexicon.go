package risk

import "github.com/ohcontact/ohcontact"

// The lexicon of the risk screen. Rules are written in canonical forms (see
// pattern.go for the pattern language); the tokeniser rewrites
// contractions, text-speak and misspellings to those forms first.
//
// Welsh and Polish entries are written without accents (the tokeniser drops
// them) and were drafted from published crisis-line wording, not by native
// speakers: THEY NEED REVIEW BY NATIVE-SPEAKING CLINICIANS before anyone
// relies on them.

const (
	pUrgent  = ohcontact.PriorityUrgent
	pHigh    = ohcontact.PriorityHigh
	pRoutine = ohcontact.PriorityRoutine
)

// riskExpansions rewrites whole words before matching: contractions (the
// apostrophe is already gone), text-speak and common misspellings.
var riskExpansions = map[string]string{
	// contractions
	"im": "i am", "ive": "i have", "iv": "i have", "id": "i would", "youre": "you are", "youve": "you have",
	"youd": "you would", "dont": "do not", "doesnt": "does not", "didnt": "did not", "cant": "can not",
	"cannot": "can not", "wont": "will not", "wouldnt": "would not", "couldnt": "could not",
	"shouldnt": "should not", "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
	"havent": "have not", "hasnt": "has not", "hadnt": "had not", "aint": "is not", "mustnt": "must not",
	"whats": "what is", "thats": "that is", "theres": "there is", "its": "it is", "itll": "it will",
	"itd": "it would", "theyd": "they would", "theyll": "they will", "theyre": "they are",
	"theyve": "they have", "hed": "he would", "wouldve": "would have", "couldve": "could have",
	"shouldve": "should have", "whod": "who would", "hes": "he is", "shes": "she is", "whos": "who is",
	// text-speak
	"dunno": "do not know", "idk": "i do not know", "idc": "i do not care", "idw": "i do not want",
	"idwt": "i do not want to", "dnt": "do not", "cnt": "can not", "wanna": "want to", "wana": "want to",
	"wan2": "want to", "gonna": "going to", "gona": "going to", "gunna": "going to", "gotta": "got to",
	"u": "you", "ur": "your", "r": "are", "b": "be", "n": "and", "nd": "and", "abt": "about",
	"bout": "about", "bc": "because", "bcos": "because", "bcoz": "because", "cos": "because",
	"coz": "because", "cuz": "because", "becuz": "because", "becoz": "because", "jus": "just",
	"jst": "just", "ppl": "people", "nvr": "never", "nt": "not", "rn": "right now",
	"atm": "at the moment", "2day": "today", "2nite": "tonight", "2night": "tonight", "tonite": "tonight",
	"2moro": "tomorrow", "2morrow": "tomorrow", "tmrw": "tomorrow", "tmr": "tomorrow", "tomoz": "tomorrow",
	"wiv": "with", "wud": "would", "cud": "could", "shud": "should", "wat": "what", "wot": "what",
	"sry": "sorry", "soz": "sorry", "evry1": "everyone", "every1": "everyone", "everybody": "everyone",
	"no1": "nobody", "noone": "nobody", "some1": "someone", "any1": "anyone", "nite": "night",
	"lyk": "like", "thx": "thanks", "pls": "please", "plz": "please", "bf": "boyfriend",
	"gf": "girlfriend", "hubby": "husband", "byee": "bye", "gbye": "goodbye",
	"dyin": "dying", "tryin": "trying", "thinkin": "thinking", "feelin": "feeling", "cuttin": "cutting",
	"goin": "going", "takin": "taking", "savin": "saving", "endin": "ending", "hurtin": "hurting",
	"nothin": "nothing", "nuffin": "nothing", "somethin": "something", "anythin": "anything",
	"killin": "killing",
	// self-directed text-speak
	"kms": "kill myself", "kmsl": "kill myself laughing", "kys": "kill yourself",
	"meself": "myself", "mesel": "myself", "mysel": "myself", "myslf": "myself", "meslf": "myself",
	"selfharm": "self harm", "selfharming": "self harming", "selfharmed": "self harmed",
	// misspellings
	"suicidle": "suicidal", "sucidal": "suicidal", "suicdal": "suicidal", "suisidal": "suicidal",
	"suicidel": "suicidal", "sucidle": "suicidal", "sucide": "suicide", "suicde": "suicide",
	"suiside": "suicide", "sucicide": "suicide", "kil": "kill", "kiling": "killing",
	"overdoes": "overdose", "overdoze": "overdose", "overdosin": "overdosing",
	"tabs": "tablets", "tablits": "tablets", "tabletts": "tablets", "pils": "pills",
	"paracetomol": "paracetamol", "paracetemol": "paracetamol", "parecetamol": "paracetamol",
	"paracetmol": "paracetamol", "paracetamols": "paracetamol", "codamol": "cocodamol",
	"cocodomol": "cocodamol", "codomol": "cocodamol", "codiene": "codeine", "sertaline": "sertraline",
	"setraline": "sertraline", "amitriptaline": "amitriptyline", "amitryptiline": "amitriptyline",
	"hopless": "hopeless",
}

// riskMerges joins two tokens written apart into one.
var riskMerges = map[[2]string]string{
	{"my", "self"}: "myself", {"co", "cocodamol"}: "cocodamol", {"sewer", "slide"}: "suicide",
	{"no", "one"}: "nobody", {"any", "more"}: "anymore", {"some", "one"}: "someone",
	{"every", "one"}: "everyone", {"every", "body"}: "everyone", {"multi", "storey"}: "multistorey",
	{"multi", "story"}: "multistorey", {"car", "park"}: "carpark", {"a", "e"}: "ae",
	{"over", "dose"}: "overdose", {"over", "dosed"}: "overdosed", {"un", "alive"}: "unalive",
}

// emojiWords maps emoji that carry risk meaning to words; other emoji are
// word breaks.
var emojiWords = map[rune]string{
	'\U0001F48A': "pills", // pill
	'\U0001F602': "lol", '\U0001F923': "lol", '\U0001F606': "lol", '\U0001F639': "lol",
	'\U0001F480': "die", '\u2620': "die", // skull
	'\u26B0': "dead", '\U0001FAA6': "dead", // coffin, headstone
	'\U0001F52A': "knifeemoji", '\U0001F5E1': "knifeemoji",
	'\U0001F309': "bridge",
	'\U0001F686': "train", '\U0001F682': "train", '\U0001F684': "train", '\U0001F685': "train",
	'\U0001F687': "train", '\U0001F688': "train", '\U0001F689': "train", '\U0001F68A': "train",
	'\U0001F69D': "train", '\U0001F6E4': "train",
	'\U0001FAA2': "rope", '\U0001FA78': "blood", '\U0001F52B': "gun",
}

// fuzzyTargets are long, distinctive words matched with one edit (two for
// ten letters or more) when a token is not a known word.
var fuzzyTargets = []string{
	"suicide", "suicidal", "paracetamol", "overdose", "overdosed", "overdosing", "cocodamol", "codeine",
	"amitriptyline", "sertraline", "citalopram", "fluoxetine", "mirtazapine", "propranolol",
	"pregabalin", "gabapentin", "zopiclone", "diazepam", "tramadol", "dihydrocodeine", "venlafaxine",
	"quetiapine", "olanzapine", "stockpiling", "hunanladdiad", "hunanladdol", "samobojstwo",
}

// knownWords are real words near a fuzzy target that must stay themselves.
var knownWords = []string{"overdone", "overdoses", "suicides", "overdue", "overdress", "codeines", "sucrose"}

// censorable are the words a '*' may stand in ("s*icide", "k*ll").
var censorable = []string{
	"suicide", "suicidal", "kill", "killing", "killed", "die", "dying", "dead", "harm", "harming",
	"overdose", "overdosed", "cutting", "hanging", "hang", "myself", "unalive",
}

// Word lists for context checks.
var (
	// negationCues deny what follows ("not suicidal", "no thoughts of").
	negationCues = []string{
		"not", "no", "never", "nothing", "none", "nor", "neither", "nowhere", "without",
		"ddim", "dim", "nid", "nad", "erioed", // Welsh
		"nie", "nigdy", "zadnych", "zadnego", "zadnej", "bez", // Polish
	}
	// pseudoNegations follow a cue and undo it ("not sure", "not just").
	pseudoNegations = []string{"sure", "just", "only", "that", "even", "matter", "doubt"}
	// afterNo are the words that may follow "no" when it denies ("no
	// thoughts of", "no plans to"); before anything else ("no i want to
	// die", "no honestly") "no" is an answer, not a denial.
	afterNo = []string{
		"thoughts", "thought", "plans", "plan", "intention", "intentions", "intent", "urge", "urges",
		"desire", "risk", "history", "signs", "active", "current", "recent", "further", "immediate",
		"serious", "real", "genuine", "ideas", "wish", "way", "more", "longer", "sort", "kind", "such",
		"suicidal", "self", "feelings", "feeling", "dark", "worries", "concerns", "danger", "reason",
	}
	// negationBridges may stand between a negation cue and what it denies.
	negationBridges = []string{
		"i", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
		"do", "does", "did", "doing", "feel", "feeling", "felt", "currently", "really", "actually",
		"ever", "any", "at", "all", "a", "an", "the", "of", "about", "thoughts", "thought", "thinking",
		"think", "going", "to", "would", "will", "could", "should", "might", "planning", "plans", "plan",
		"intention", "intentions", "intend", "want", "wanting", "wanted", "wish", "or", "nor",
		"anything", "something", "like", "kind", "sort", "urge", "urges", "desire", "risk", "history",
		"signs", "active", "current", "recent", "further", "immediate", "serious", "genuine", "real",
		"near", "longer", "ideas", "myself", "me", "my",
		"yn", "wedi", "bod", "meddwl", "feddwl", "am", "dw", "dwi", "rwy", "rydw", "ydw", "teimlo",
		"unrhyw", "fi", "gen", "o", "mo", "yr", "y", // Welsh
		"mam", "mialem", "mialam", "mysli", "myslow", "jestem", "bylem", "bylam", "zamiaru", "planu",
		"chce", "chcialem", "chcialam", "w", "juz", // Polish
	}
	// firstPerson words make the speaker the subject.
	firstPerson = []string{
		"i", "me", "my", "myself", "mine", "ja", "mnie", "mi", "moj", "moja", "moje", "mna", "fy", "fi", "dw", "dwi", "rwy", "rydw", "ydw",
	}
	// thirdParty words make someone else the subject.
	thirdParty = []string{
		"he", "she", "they", "we", "him", "her", "them", "his", "hers", "their", "patient", "patients", "pt",
		"pts", "client", "clients", "resident", "residents", "someone", "somebody", "person", "man",
		"woman", "lady", "gentleman", "gent", "lad", "guy", "bloke", "girl", "boy", "who", "whose",
		"colleague", "colleagues", "friend", "mate", "brother", "sister", "son", "daughter", "husband",
		"wife", "partner", "boyfriend", "girlfriend", "mum", "dad", "mother", "father", "nan", "gran",
		"child", "kid", "kids", "baby", "relative", "relatives", "user", "users",
		"pacjent", "pacjentka", "pacjenci", "pacjenta", "pacjentki", "ona", "oni", "kolega", "kolezanka",
		"claf", "cleifion",
	}
	// strangers are people a member of staff meets at work or in the news,
	// as opposed to their own family, friends and colleagues.
	strangers = []string{
		"patient", "patients", "pt", "pts", "client", "clients", "resident", "residents", "user",
		"users", "man", "woman", "lady", "gentleman", "gent", "lad", "guy", "bloke", "girl", "boy",
		"someone", "somebody", "person", "stranger", "celebrity", "pacjent", "pacjentka", "pacjenci",
		"claf", "cleifion",
	}
)

// medications are medicines and words for them; "medc" adds "prescription".
var medications = []string{
	"tablets", "tablet", "pills", "pill", "meds", "medication", "medications", "medicine", "medicines",
	"painkillers", "antidepressants", "sleepers", "paracetamol", "cocodamol", "codeine",
	"dihydrocodeine", "ibuprofen", "naproxen", "aspirin", "tramadol", "morphine", "oramorph",
	"oxycodone", "fentanyl", "sertraline", "citalopram", "escitalopram", "fluoxetine", "paroxetine",
	"mirtazapine", "venlafaxine", "duloxetine", "amitriptyline", "nortriptyline", "trazodone",
	"diazepam", "lorazepam", "temazepam", "zopiclone", "zolpidem", "promethazine", "propranolol",
	"pregabalin", "gabapentin", "quetiapine", "olanzapine", "lithium", "insulin", "nytol",
	"solpadeine", "nurofen", "anadin", "panadol", "valium", "xanax",
	"tabledi", "dabledi", "nhabledi", "thabledi", "meddyginiaeth", "feddyginiaeth", "moddion", "foddion", // Welsh
	"tabletki", "tabletek", "tabletkami", "leki", "lekow", "lekarstwa", "proszki", "pigulki", // Polish
}

// riskClasses are named word sets for patterns (@name).
var riskClasses = map[string][]string{
	"med":  medications,
	"medc": append(medications[:len(medications):len(medications)], "prescription"),
	"container": {
		"box", "boxes", "packet", "packets", "pack", "packs", "strip", "strips", "bottle", "bottles",
		"prescription", "supply", "stash", "blister", "tub",
	},
	// allq: quantities that mean all or a lot.
	"allq": {
		"all", "whole", "full", "entire", "every", "everything", "loads", "lots", "load", "handful",
		"handfuls", "lot", "double", "triple", "box", "boxes", "packet", "packets", "strip", "strips",
		"bottle", "bottles", "rest", "fistful",
	},
	// bigq: quantities that mean a lot, never "all my usual tablets".
	"bigq": {
		"whole", "full", "entire", "load", "loads", "lots", "handful", "handfuls", "lot", "box", "boxes",
		"packet", "packets", "strip", "strips", "bottle", "bottles", "fistful", "double", "triple",
	},
	"takenow":  {"take", "taking", "swallow", "swallowing", "neck", "necking", "down", "downing"},
	"takepast": {"took", "taken", "swallowed", "necked", "downed", "had"},
	"stockverb": {
		"saving", "saved", "save", "stockpiling", "stockpiled", "stockpile", "hoarding", "hoarded", "hoard",
		"stashing", "stashed", "stash", "squirrelling", "squireling", "squirrelled", "squirreled",
	},
	"height": {
		"bridge", "bridges", "roof", "rooftop", "cliff", "cliffs", "clifftop", "ledge", "balcony",
		"multistorey", "carpark", "viaduct", "tower", "building", "window", "top", "flats", "high",
		"height", "heights", "tall",
	},
	"vehicle": {"train", "trains", "metro", "tram", "lorry", "lorries", "bus", "car", "cars", "traffic", "truck", "van"},
	"rope":    {"rope", "ropes", "cord", "belt", "cable", "flex", "noose", "ligature", "lead", "wire"},
	"ligpoint": {
		"loft", "hatch", "beam", "beams", "banister", "bannister", "banisters", "rafter", "rafters",
		"hook", "door", "doorframe", "stairs", "neck", "tree",
	},
	// rel: the speaker's own people.
	"rel": {
		"mum", "mam", "mom", "mother", "dad", "father", "brother", "sister", "son", "daughter", "husband",
		"wife", "partner", "boyfriend", "girlfriend", "fiance", "fiancee", "friend", "mate", "bestie",
		"cousin", "uncle", "aunt", "auntie", "nan", "nana", "gran", "grandad", "grandma", "grandpa",
		"granddad", "nephew", "niece", "colleague", "coworker", "stepdad", "stepmum", "stepson",
		"stepdaughter", "child", "ex", "friends", "colleagues",
		"brat", "siostra", "ojciec", "tata", "mama", "matka", "syn", "corka", "maz", "zona",
		"przyjaciel", "przyjaciolka", "kolega", "kolezanka", // Polish
		"tad", "brawd", "chwaer", "mab", "merch", "gwr", "gwraig", "ffrind", // Welsh
	},
	"relposs": {
		"mums", "mams", "moms", "mothers", "dads", "fathers", "brothers", "sisters", "sons", "daughters",
		"husbands", "wifes", "partners", "boyfriends", "girlfriends", "friends", "mates", "cousins",
		"uncles", "aunties", "nans", "grandads", "colleagues", "exs",
	},
	"partner": {
		"partner", "husband", "wife", "boyfriend", "girlfriend", "ex", "fiance", "fiancee", "he", "she",
		"spouse",
	},
	"daverb": {
		"hit", "hits", "hitting", "punched", "punches", "punch", "kicked", "kicks", "kick", "slapped",
		"slaps", "slap", "pushed", "shoved", "shoves", "beat", "beats", "beating", "hurts", "hurt",
		"hurting", "raped", "rapes", "attacked", "attacks", "assaulted", "bit", "headbutted", "grabbed",
		"dragged", "threw", "spat", "burned", "burnt",
	},
	"strangle": {"strangled", "choked", "strangles", "chokes", "strangling", "choking", "suffocated", "smothered"},
	// target: who harm to others is aimed at.
	"target": {
		"baby", "babies", "kids", "children", "child", "son", "daughter", "someone", "somebody", "people",
		"others", "him", "her", "them", "partner", "husband", "wife", "manager", "boss", "colleague",
		"colleagues", "mum", "dad", "everyone", "patients", "anyone", "ex",
	},
	"injverb": {
		"cut", "burnt", "burned", "burn", "hit", "hurt", "scratched", "punched", "banged", "scalded",
		"bruised", "bit", "stabbed",
	},
	"bodypart": {
		"arm", "arms", "leg", "legs", "wrist", "wrists", "thigh", "thighs", "skin", "stomach", "hand",
		"hands", "body", "chest",
	},
	"plnum": {"twenty", "thirty", "forty", "fifty", "sixty", "hundred", "hundreds", "dozen", "dozens"},
}

// riskPredicates are classes decided by a test rather than a list.
var riskPredicates = map[string]func(*riskToken) bool{
	"bignum": func(t *riskToken) bool {
		if t.num >= 10 && t.num <= 100000 {
			return true
		}
		switch t.w {
		case "twenty", "thirty", "forty", "fifty", "sixty", "hundred", "hundreds", "dozen", "dozens":
			return true
		}
		return false
	},
	"year":      func(t *riskToken) bool { return t.num >= 1950 && t.num <= 2039 && len(t.w) == 4 },
	"pillemoji": func(t *riskToken) bool { return t.emoji && t.w == "pills" },
}

// riskRules is the lexicon proper. Priorities follow DOMAIN.md "Risk policy":
// explicit ideation, intent, plans, methods, means and goodbyes are urgent;
// self-harm and passive ideation high; past attempts, bereavement by
// suicide, hopelessness, domestic abuse and risk to others routine (they
// need a person). When in doubt a rule takes the higher priority.
var riskRules = []riskRuleSpec{
	// ---- explicit suicidal ideation
	{gIdeation, pUrgent, "ideation: explicit", []string{
		"kill|killing|kills myself",
		"[end|ending|take|taking] my own? life",
		"[end|ending] it all",
		"[end|ending] everything",
		"[end|ending] things",
		"suicidal",
		"[thoughts|thinking|thought|think|considering|contemplating|planning] [about|of|] suicide",
		"[commit|committing] suicide",
		"want|wants|wanted|wanting to|2|too die",
		"want|wants|wanted|wanting to|2 be dead",
		"want to suicide",
		"ready to die",
		"[going to|want to|will|could|just|plan to|planning to|decided to|about to|feel like|thinking of|thinking about|thought about|considering|going to just|want to just|need to|thought of|thoughts of|idea of|tempted to|ready to|go to|where to|how to] [end|ending] it",
		"[thinking|thought|think] [about|of] hanging $",
		"[want|wish] to not [exist|be here|be alive|wake up]",
		"unalive|unaliving|unalived myself?",
		"[thinking|thought|think] [about|of] killing $",
		// Welsh (review)
		"lladd|ladd fy hun|hunan",
		"hunanladdol",
		"[meddyliau|meddwl|feddwl|syniadau] am hunanladd*",
		"[eisiau|isio|isie|moyn|eisio|ishe] [marw|farw]",
		"[rhoi|rhoid] diwedd ar fy [mywyd|bywyd]",
		"[cymryd|gymryd|gorffen|lladd] fy [mywyd|bywyd]",
		// Polish (review)
		"[mysle|myslalem|myslalam|mysli|myslenie|mysl|myslami|myslach] o? samobojst*",
		"samobojcz*",
		"[popelnic|popelnie] samobojst*",
		"[chce|chcialbym|chcialabym|chcialem|chcialam] umrzec",
		"[zabic|zabije|zabijac|zabilbym|zabilabym] sie",
		"sie [zabic|zabije]",
		"[skonczyc|skoncze] ze soba",
		"[odebrac|odbiore] sobie zycie",
		"odebr* sobie zyci*",
	}},
	{gIdeation, pHigh, "ideation: mentions suicide", []string{
		"suicide",
		"hunanladdiad",
		"samobojst*",
	}},
	// ---- intent, plans, preparation
	{gIntent, pUrgent, "intent: plan", []string{
		"[have|got|made|make|making|got] [a|my] [plan|plans] [to|for|on how to] ~2 [end|ending|kill|killing|die|dying|suicide|myself|overdose|jump|hang]",
		"[planning|planned|plan] my [suicide|death|funeral|exit]",
		"[is|that is] [when|where] i am going to [do it|end it]",
		"[a|my] plan [of|for|about] how [i|ill]",
		"[know|knew|worked out|figured out|decided|planned] [how|where|when] i am going to [do it|end it|die]",
		"[know|knew|worked out|figured out|decided|planned] [how|where|when] i [will|would|ill] [do it|end it|die]",
		"decided ~5 [end it|end my life|kill myself|take my own life|die]",
		"[drive|driving|drove|crash|crashing|steer|steering] ~3 into ~2 [wall|tree|lorry|river|sea|traffic|bridge|oncoming|motorway]",
		"[drive|driving|drove] off [a|the] [cliff|bridge|edge]",
		"[walk|walking|walked|step|stepping] into the? [sea|river|traffic|canal|reservoir|tyne]",
		"[googled|googling|looked up|looking up|researched|researching|searched|searching|reading up on|read up on|reading about] ~1 [how|ways|best way|quickest way|easiest way|painless way] to [kill|die|end|hang|overdose|od]",
		"[crash|crashing|crashed] [the|my] car [on purpose|deliberately]",
		"[thinking|thought] about crashing [the|my] car",
	}},
	{gIntent, pHigh, "intent: how", []string{
		"how [i will|i would|ill|i am going to] [do it|end it|die]",
		"[thinking|thought|think] about jumping",
	}},
	{gIntent, pHigh, "intent: method research", []string{
		"[googled|googling|looked up|looking up|researched|researching|searched|searching] ~1 [how|ways] to do it",
	}},
	// ---- methods
	{gMethod, pUrgent, "method: height", []string{
		"[jump|jumping|jumped|leap|leaping|throw myself|throwing myself|threw myself] [off|from|out of] ~3 @height",
		"edge of the? [platform|bridge|roof|cliff|building|carpark|ledge]",
		"[stood|standing|stand|sat|sitting|sit|climbed|climbing] [on|over] [the|a]? ~1 [bridge|ledge|railings|parapet]",
		// Welsh, Polish (review)
		"[neidio|neido] ~3 [bont|pont|clogwyn|to]",
		"[skoczyc|skocze|skakac] z [mostu|dachu|okna|balkonu|wiezowca|klifu]",
	}},
	{gMethod, pUrgent, "method: railway or traffic", []string{
		"[step|stepping|stepped|jump|jumping|jumped|walk|walking|walked|throw myself|throwing myself|threw myself|lie|lying|lay|run|running|ran|stand|standing|stood|fall|falling|go|going] ~1 in front of [a|the]? ~1 @vehicle",
		"[myself|jump|jumping|step|stepping|lie|lying|go|going] under [a|the] [train|metro|tram|lorry|bus]",
		"[throw|throwing|threw] myself [in front|under|off|from]",
		"[step|stepping|stepped|jump|jumping|fall|falling] [off|from] the? platform",
		"[lie|lying|lay|laying|stand|standing|stood|sit|sitting|sat|jump|jumping|jumped|step|stepping|stepped|walk|walking|walked] [on|onto|across] the? ~1 [tracks|railway|crossing|railway line|train line]",
		"[level crossing|tracks|railway line] ~6 waiting for [a|the] train",
		"[rzucic|rzuce] sie pod [pociag|samochod|tramwaj]",
	}},
	{gMethod, pHigh, "method: went to a railway", []string{
		"[walk|walking|walked|went|go|going] ~4 [tracks|railway line|train line]",
	}},
	{gMethod, pUrgent, "method: hanging", []string{
		"hang|hanging|hanged|hung myself",
		"noose|nooses",
		"@rope ~6 @ligpoint",
		"[loft|hatch|beam|beams|banister|bannister|rafter|rafters|hook] ~6 [rope|ropes|cord|belt|cable|noose|ligature]",
		"@ligpoint ~4 [would|will|could|can] hold [me|my weight]",
		"[tie|tied|tying|put|wrap|wrapped|pull|pulled] ~3 [round|around] my neck",
		"[crogi|grogi] fy [hun|hunan]",
		"[powiesic|powiesze] sie",
		"sie powiesic",
	}},
	{gMethod, pUrgent, "method: named", []string{
		"[shoot|shooting|gas|gassing|drown|drowning|poison|poisoning|electrocute|stab|stabbing|strangle|suffocate|suffocating|smother] myself",
		"set myself [on fire|alight]",
		"[slit|slitting|cut|cutting|slash|slashing] my [wrist|wrists|throat]",
	}},
	// ---- means: medication
	{gMeans, pUrgent, "means: stockpiling medication", []string{
		"@stockverb [up|away|aside|back]? ~2 @med",
		"@med ~3 [saved|stockpiled|stashed|hoarded|put aside|saved up|squirrelled away]",
		"@med ~4 [saving|stockpiling|hoarding] [them|it]",
		"[collect|collecting|collected|gather|gathering|gathered|build|building|built] [up|enough|loads|lots|a lot|quite a few|plenty] ~2 @med|supply",
		"[keeping|kept|keep|putting|put|set|setting|held|holding] [back|aside] ~4 @med",
		"[keeping|kept|putting|put|setting|set] ~3 @med aside",
		"[buy|buying|bought|get|getting|got] ~3 @med ~4 [different|several|other|various|multiple] [shops|chemists|pharmacies|places|supermarkets|stores]",
		"[stockpile|stash|collection|hoard] of ~1 @med",
		"[cynilo|casglu|gasglu|hel|storio] ~2 @med",
		"[zbieram|zbieralam|zbieralem|odkladam|chomikuje|gromadze|zbierac] ~2 @med",
	}},
	{gMeans, pUrgent, "means: medication in quantity, with intent", []string{
		"[thinking of|thinking about|thought about|going to|want to|planning to|planning on|could just|might just|should just|tempted to|about to|will] ~1 @takenow ~1 @allq ~3 @medc",
		"[thinking of|thinking about|thought about|going to|want to|planning to|planning on|could just|might just|tempted to|about to|will] ~1 @takenow [them|it|they|these|those] all",
		"@takenow [everything|all] ~3 [medicine|cabinet|cupboard|drawer|i have|i have got]",
		"@allq ~3 @medc|them ~2 [at once|in one go|all at once|together]",
		"how [many|much] @med|@container ~3 [would it take|does it take|it takes|to kill|to die|is lethal|is fatal|is an overdose|would be enough|is enough|to overdose|to not wake|not to wake|before you die|would kill|to end it]",
		"[lethal|fatal|deadly] [dose|amount|overdose|quantity]",
		"[overdose|od] on ~2 @med|them",
		"[take|taking|have|having|do|doing] [an|a]? [overdose|od]",
		"[want|wanted|wanting|going|planning|thinking|thought|tempted] ~2 [overdose|overdosing]",
		"[want|wanted|going|planning|thinking|tempted] to od",
		"[cymryd|gymryd] gorddos",
		"[polkne|polknac|lyknac|lykne|wezme|wziac|zazyje|zazyc] ~1 [wszystkie|cale|cala] ~1 @med",
		"przedawkow*",
	}},
	{gMeans, pHigh, "means: medication in quantity", []string{
		"@takenow ~1 @allq ~3 @medc",
		"@takenow [them|it|they|these|those] all",
		"@takenow the lot",
		"[took|taken|swallowed|necked|downed] ~1 [all|everything] ~3 @med",
		"@takenow ~1 @bignum of? [my|the|those|these]? @med",
		"overdose",
		"gorddos",
	}},
	{gMeans, pHigh, "means: repeated pill emoji", []string{
		"pills @pillemoji @pillemoji", // three pill emoji (or "pills" and two)
	}},
	// ---- attempts: the time words in the message decide the priority
	{gAttempt, pHigh, "attempt", []string{
		"[tried|trying|try|attempted|attempting] to [kill myself|end my life|end it|end it all|take my own life|take my life|hang myself|overdose|od|jump|drown myself|die|commit suicide]",
		"[attempted|attempt|attempts] suicide",
		"suicide [attempt|attempts]",
		"attempt on my own? life",
		"[my|previous|last|first|second|third] suicide? attempt",
		"ended up in [hospital|ae|icu|itu|resus] after [taking|the overdose|an overdose|trying|tablets|my overdose]",
		"after my suicide? [attempt|overdose]",
		"[probowal|probowala|probowalem|probowalam] [popelnic|sie zabic|odebrac]",
	}},
	{gAttempt, pRoutine, "attempt", []string{
		"survived [an|my|a|the] suicide? [attempt|overdose]",
	}},
	{gAttempt, pUrgent, "attempt: overdose taken", []string{
		"[took|taken|had|did|done] [an|a|my]? [overdose|od]",
		"overdosed",
		"[took|taken|swallowed|necked|downed] ~1 @bigq ~3 @medc",
		"had ~1 [load|loads|lots|handful|handfuls|fistful|whole|full|entire] ~3 @med",
		"[took|taken|swallowed|necked|downed] ~1 @bignum of? [my|the|those|these]? @med",
		"[took|taken|had|swallowed] too many ~2 @med|them",
	}},
	// ---- passive ideation, entrapment
	{gPassive, pHigh, "passive ideation", []string{
		"better off dead",
		"[rather|prefer to] [be dead|die|not be here|not be alive|not wake up|not be around|not exist]",
		"i just? [was|were] not [here|around|alive] anymore",
		"disappointed [that|to]? ~1 [woke|wake|waking] up",
		"[sleep|asleep] forever",
		"how much longer i can [keep going|go on|carry on|cope|do this|take this]",
		"no point in me [being here|living|being alive|carrying on|existing]",
		"[scared|afraid|worried|frightened] i [will|might|ill|could] do something",
		"will not be a [problem|burden] [much longer|anymore|for long]",
		"wish i [was|were] dead",
		"wish i [had|would] died",
		"wish i [was|were] not [here|alive|around|born]",
		"wish i [had|would] never been born",
		"wish i [was|were] never born",
		"wish i could ~1 [die|disappear|vanish|not exist|stop existing|not wake up|never wake up]",
		"[sleep|asleep] and [not|never] wake up",
		"[do not|never|not] want to wake up",
		"hope i [do not|never|will not] wake up",
		"[do not|never|not|no longer] [think|really|feel like|know if|know whether|even]? i? want to? [be here|be alive|be around|live|exist|carry on|go on|keep going|keep living]",
		"[not|nothing] ~2 worth living",
		"life is not worth [it|living]",
		"life is [pointless|meaningless]",
		"nothing left? to live for",
		"no reason to [live|go on|carry on|keep going|stay|be here|stay alive]",
		"no point [in|] [living|being alive|going on|carrying on|being here|life|existing]",
		"what is the point [in|of] [living|life|being alive|going on|carrying on|existing|me]",
		"[do not|can not] see the point [in|of] [living|life|being alive|going on|carrying on]",
		"[tired|sick] of [living|life|being alive|existing]",
		"done with [life|living]",
		"want [everything|it all|life|all of it] to [end|stop|be over]",
		"[would not|do not|did not] [care|mind] if i [died|did not wake up|never woke up|was dead|were dead|got hit]",
		"[about|of|imagine|imagining] not being [here|alive|around]",
		"[thinking|thought|think|thoughts] about [dying|death|being dead]",
		"scared of what i [might|will|could|would|may] do",
		"do [something|anything] [stupid|silly|drastic]",
		"can not [go on|carry on|keep going]",
		"want to disappear [forever|for good]",
		// Welsh, Polish (review)
		"[ddim|dim] [eisiau|isio|isie|moyn|eisio] byw",
		"[dim|does dim] pwynt [byw|bod yma]",
		"nie [chce|chcialbym|chcialabym] ~1 zyc",
		"nie [widze|ma] sensu ~1 [zycia|zyc|zyciu]",
		"chce zniknac",
	}},
	// ---- burdensomeness
	{gBurden, pHigh, "burdensomeness", []string{
		"[better|happier|easier] off? without me",
		"[better|happier|easier] off? if i just? [was|were] [not|gone|dead]",
		"[a|such a|the|massive|huge|big] burden [to|on|for]",
		"i am ~2 burden",
		"[feel|feeling] like ~2 burden",
		"nobody would ~1 miss me",
		"nobody would ~1 [notice|miss|care] $",
		"[nobody would|would not|will not] ~1 [notice|miss|care] if i [died|was gone|were gone|disappeared|was dead|was not here|was not around|went|killed myself|was not alive]",
		"[everyone|they|family|kids|people|world|team] would all? be [better|happier] off? $",
		"deserve|deserves better than me",
		"waste of [space|oxygen|skin]",
		// Welsh, Polish (review)
		"[gwell|well|hapusach] ~1 [hebddo|hebddof|heb] [i|fi|mi]",
		"[baich|faich] ar",
		"[lepiej|szczesliwsi|szczesliwsze] ~3 beze mnie",
		"jestem ~1 [ciezarem|ciezar]",
	}},
	// ---- goodbyes and final acts
	{gGoodbye, pUrgent, "goodbye", []string{
		"this is goodbye",
		"[said|saying|say] my goodbyes",
		"[saying|say] goodbye to [everyone|the world|this world|you all|life]",
		"goodbye [forever|world|cruel world]",
		"[is|be] my [last|final] [message|text|goodbye]",
		"[last|final] [goodbye|words]",
		"tell ~3 [kids|children|family|mum|mam|dad|wife|husband|partner|girls|boys|son|daughter|everyone|them|sister|brother] ~1 i [love|am sorry|loved]",
		"by the time [you|anyone|someone|somebody|they] [read|reads|see|sees|get|gets|find|finds] [this|it|me]",
		"will not be [here|around|alive] [tomorrow|by morning|much longer|for long|anymore|after tonight|next week|for much longer|by the morning]",
		"be gone [by the morning|by morning|before morning|soon|forever|tonight|for good]",
		"[written|wrote|writing|left|leaving] [my|some|the|] [letters|goodbye letters|goodbye notes]",
		"suicide note",
		"look after ~1 [kids|children|mum|mam|dad|dog|cat|family|girls|boys|son|daughter|wife|husband|partner|pets] for me",
		"[giving|given|gave] away ~1 [things|stuff|belongings|possessions]",
		"[sorted|sorting|sort] out? my [will|affairs|funeral]",
		"zegnajcie",
		"moja ostatnia wiadomosc",
	}},
	{gGoodbye, pHigh, "goodbye", []string{
		"sorry for everything $",
		"[thanks|thank you] for trying $",
		"[bye|goodbye] [everyone|all]",
		"goodbye to [everyone|you all|the world]",
		"i am sorry for being [a burden|such a burden]",
	}},
	// ---- self-harm
	{gSelfHarm, pHigh, "self-harm", []string{
		"self [harm|harming|harmed|harmer|harms|injury|injuring|injured|injure]",
		"[cut|cutting|burn|burning|burnt|burned|hit|hitting|scratch|scratching|scratched|punch|punching|punched|bruise|bruising|hurt|hurting|harm|harming|harmed|injure|injuring|injured|bite|biting|starve|starving] myself",
		"[started|start|been|keep|kept|back to|going back to|relapsed|urge to|urges to|want to|wanting to|need to|thinking about] [cutting|cut|burning|burn|self harming]",
		"[cutting|cut] [again|@bodypart|my @bodypart]",
		"@injverb ~5 on purpose",
		"[scratch|scratching|scratched|pick|picking|picked] ~4 [till|til|until|so] ~2 [bleed|bleeds|bled|bleeding]",
		"[razor|razors|blade|blades|sharpener|sharpeners] ~3 [to cut|for cutting|to hurt|to self harm|hidden|hide]",
		"[knifeemoji|blade|razor] ~3 my? @bodypart",
		// Welsh, Polish (review)
		"[niweidio|anafu|brifo|frifo] fy [hun|hunan]",
		"hunan [niweidio|anafu]",
		"[tne|cie|ciac|cielam|cialem|tnac] sie",
		"[okaleczam|okaleczac|okaleczylam|okaleczylem] sie",
		"samookalecz*",
		"[krzywdze|krzywdzic|skrzywdzic|skrzywdze] [sie|siebie|sobie]",
		"[zrobic|zrobie] sobie krzywde",
	}},
	// ---- bereavement by suicide (a stranger as subject cancels it)
	{gBereaved, pRoutine, "bereavement by suicide", []string{
		"[took|taken] [his|her|their] own? life",
		"killed [himself|herself|themselves]",
		"[died by|died from|died of|committed|completed] suicide",
		"[hanged|hung] [himself|herself|themselves]",
		"ended [his|her|their] own? life",
		"lost ~2 to suicide",
		"@relposs suicide",
		"[bereaved|bereavement] by suicide",
		"suicide bereavement",
		"[after|since] [his|her|their] suicide",
		"unalived [himself|herself|themselves]",
		"[popelnil|popelnila|popelnili] samobojst*",
		"[lladd|laddodd] ei [hun|hunan]",
	}},
	// ---- hopelessness
	{gHopeless, pRoutine, "hopelessness", []string{
		"what is the point $",
		"what is the point [anymore|in anything|of anything|in trying|of trying|of it all|in it all]",
		"no point [anymore|in anything|in trying|trying|in it]",
		"there is no point $",
		"[feel|feeling|felt|am|so|completely|totally|utterly|just] hopeless",
		"hopelessness",
		"[there is|i have|have|is] no hope $",
		"no hope [left|for me]",
		"lost all? hope",
		"given up hope",
		"nothing ~4 [get|gets|getting] better",
		"never [going to|will] [get better|change|improve|end]",
		"will never [get better|change|improve|end]",
		"[can not|no|can not ever] see [a|any]? [way out|future|light|end to]",
		"no way out",
		"[feel|feeling|felt|so] trapped",
		"can not cope [anymore|with anything|with life|with any of it|with everything]",
		"can not [do|take] [this|it] anymore",
		"i give up $",
		"[give|given|giving] up [on|with]? [everything|life|myself|it all]",
		"no light at the end",
		"nothing to look forward to",
		"nothing left [to give|for me|in me]",
		"done with [everything|it all]",
		"[can not|do not] see the point [in|of]? [anything|anymore]",
		"[everything|life] [feels|is|seems] [pointless|meaningless|hopeless]",
		"[feel|feeling|felt|so|completely] worthless",
		"rock bottom",
		"[tired|sick] of [fighting|everything|it all]",
		"nie [daje|dam] ~1 rady",
		"nie widze sensu",
		"dim gobaith",
		"anobeithiol",
	}},
	// ---- domestic abuse (safeguarding has its own route)
	{gAbuse, pRoutine, "domestic abuse", []string{
		"@partner ~2 @daverb me",
		"[scared|afraid|frightened|terrified] [to go|of going|to be] [home|back home|at home]",
		"[scared|afraid|frightened|terrified] of [him|my partner|my husband|my ex|my boyfriend|my wife|my girlfriend|what he]",
		"not safe [at|in my] [home|house]",
		"[do not|never] feel safe [at home|with him|with her|in my home|in my house]",
		"[controls|control|controlling|takes|took] ~1 my [money|bank card|cards|phone|wages|finances|car keys]",
		"@partner ~6 [will not|does not|did not|never] let me [see|go|have|talk|leave|work|out|use|contact]",
		"@partner ~2 [checks|checking|checked|reads|reading|goes through|went through|tracks|tracking] my [phone|messages|texts|location|emails]",
		"[bruises|bruised|black eye] ~3 [he|she|him|her|partner|husband|boyfriend]",
		"@partner ~4 [bruises|bruised|black eye]",
		"domestic [abuse|violence]",
		"@partner ~3 [violent|abusive|aggressive|rough] [towards|to|with] me",
		"coercive control",
		"controlling behaviour",
		"[abusive|violent] [relationship|partner|husband|boyfriend|ex|marriage|wife|girlfriend]",
		"my abuser",
		"[refuge|idva|marac]",
		"[ex|partner|husband|boyfriend] ~2 [stalking|following|harassing|turning up|turns up|threatening|waiting outside]",
		"[stalking|stalked|harassing] me",
		"stalker",
		"[raped|sexually assaulted] me",
		"i [was|have been|got] [raped|sexually assaulted]",
		"[maz|partner|chlopak|narzeczony|on|zona|partnerka] ~2 [bije|bil|uderzyl|uderzyla|pobil|dusil|dusi|grozi|popchnal|kopnal] mnie",
		"przemoc domowa",
		"boje sie ~1 [meza|partnera|chlopaka|go|jego|wracac|wrocic]",
		"cam drin domestig",
	}},
	{gAbuse, pHigh, "domestic abuse: strangulation or threat to life", []string{
		"@partner ~2 @strangle me",
		"[hands|hand|arm|arms] [round|around] my [neck|throat]",
		"by the throat",
		"[threatened|threatens|threatening|threaten] to [kill|hurt|harm|stab|shoot|take the kids]",
		"said [he|she] [would|will] [kill|hurt|stab] me",
		"said hell [kill|hurt|stab] me",
	}},
	// ---- risk to others
	{gOthers, pHigh, "risk to others: thoughts of harming", []string{
		"[thoughts|thinking|thought|think|urges|urge|images] [of|about]? [hurting|harming|killing|stabbing|strangling|smothering|drowning|shaking] ~1 @target",
		"[scared|worried|afraid|frightened|terrified|petrified] that? i? [will|might|could|would|may|ill|am going to] [hurt|harm|kill|shake|stab|smother] ~1 @target",
		"[will|ill|going to|want to] [stab|shoot|strangle] ~1 @target",
		"homicidal",
	}},
	{gOthers, pUrgent, "risk to others: weapon", []string{
		"[take|bring|taking|bringing|took|brought|carry|carrying] [a|my]? [knife|knifeemoji|gun|weapon|machete|axe|hammer|blade] [to|into] ~1 [work|ward|hospital|office|school|his|her|their|the]",
	}},
	{gOthers, pRoutine, "risk to others", []string{
		"[want to|going to|will|ill|would like to] [hurt|harm|kill|batter|smash|punch|beat] ~1 @target",
		"make [them|him|her|everyone|you all|them all] pay",
		"violent [thoughts|urges|fantasies]",
		"could really? [hurt|kill|harm] [someone|somebody|him|her|them|people]",
	}},

	// ---- weak signals: never positive alone
	{wMeds, "", "means: medication named", []string{"@med"}},
	{wPillEmoji, "", "means: pill emoji", []string{"pills"}},
	{wPlace, "", "means: height or railway named", []string{
		"[bridge|bridges|cliff|cliffs|clifftop|roof|rooftop|ledge|multistorey|viaduct|tracks|platform|trains]",
		"level crossing", "top floor", "[railway|train] line", "top of the ~1 [carpark|multistorey|building|flats|tower]",
		"[bont|pont|most|mostu|tory]",
	}},
	{wLigature, "", "means: ligature named", []string{"[rope|ropes|noose|ligature|cord]"}},
	{wTime, "", "timing", []string{
		"tonight", "right now", "this evening", "by the? morning", "in an hour", "after [my shift|work]",
		"heno", "dzis wieczorem", "dzisiaj",
	}},
	{wIntent, "", "intent: resolve or preparation", []string{
		"made up my mind", "my mind is made up", "tonight is the night", "i am ready $",
		"no going back", "you know what for", "for when i need [them|it]", "[for when|when] the time comes",
		"[pick|set|choose|chose|picked] [the|a] [day|date]",
		"[going to|will|ill] do it [tonight|today|tomorrow|this weekend|soon]",
		"when [everyone|they|the kids|he|she] [is|are] [asleep|out|gone]",
		"while [everyone|they|the kids|he|she] [is|are] [asleep|out|away|at work]",
		"[got|have|have got] everything i need",
		"[written|made|have|got] [a|my] plan",
		"[picked|chosen|chose|found] [the|a] [bridge|spot|place|day|date|time|way|method]",
		"[if|whether] it is enough", "would be enough", "is it enough",
		"[would|will|could] i die", "would [it|that|they] kill me", "enough to [die|kill me]",
		"[will not|nobody will] find me", "when i am gone", "there is a plan",
		"it is time $",
		"ready for [tonight|later|today|tomorrow|the weekend|when]", "[lined|laid|counted|set] [them|it|everything]? [up|out]",
	}},
	{wRuminate, "", "dwelling on a method", []string{
		"[think|thinking|thought] about it every time", "keep thinking about it", "thinking about it",
		"think about it", "calling me", "calling to me", "would be quick", "would be easy",
		"would be so easy", "how high", "how far down", "survive the fall",
		"[looked|looking|look|stared|staring] down", "drawn to", "keep looking at",
		"[staring|stared|looking|looked] [at|into] the water", "counting ~2 @med",
		"keep thinking about [them|it|that]", "[know|knew] exactly [where|how|when]",
		"[think|thinking|thought] about ~2 @height",
	}},
	{wFarewell, "", "farewell", []string{
		"goodbye", "bye", "farewell", "ffarwel", "[thanks|thank you] for everything", "zegnaj",
	}},
	{wTreatment, "", "treatment context", []string{
		"gp", "doctor", "prescribed", "prescription", "pharmacist", "pharmacy", "helping", "upped",
		"increased", "side effects", "mg", "started on", "repeat", "for my [back|pain|headache|migraine|knee|nerve|anxiety|sleep]",
	}},
	{wSeverity, "", "severity: injury needs care", []string{
		"[not|never] stop bleeding", "stitches", "deep", "so much blood", "lot of blood", "bleeding [a lot|heavily]",
	}},
	{wRecent, "", "timing: recent", []string{
		"last night", "tonight", "today", "this [morning|afternoon|evening|weekend|week]", "earlier",
		"just now", "an hour ago", "[hours|minutes|mins] ago", "yesterday", "at the weekend", "last week",
	}},
	{wPast, "", "timing: in the past", []string{
		"[years|year|months] ago", "when i was", "as a [teenager|teen|kid|child|student]",
		"in my [teens|twenties|20s|thirties|30s|youth]", "[at|in] [uni|university|school|college]",
		"back in", "last year", "in the past", "previously", "previous", "history of", "before $",
		"last time", "a while ago", "long time ago", "in @year", "survived", "my last",
	}},
	{wLaugh, "", "laughter", []string{"lol", "lmao", "lmfao", "haha*", "rofl", "jk", "joking"}},
	{wAlcohol, "", "alcohol", []string{"vodka", "wine", "whisky", "whiskey", "gin", "bottle of", "drunk", "booze", "alcohol"}},

	// ---- exceptions: everyday phrases that contain rule words
	{gException, "", "", []string{
		"[kill|killing|killed|kills] myself [laughing|laugh|laughin]",
		"[nearly|almost] [killed|kill] myself [tripping|falling|on|over|running|slipping|getting|trying|in|at|with|lifting|doing]",
		"[cut|cutting] myself off",
		"[cut|cutting] myself [shaving|chopping|cooking|opening|gardening|accidentally|slicing|peeling|while|whilst|by accident|at work|on the|on a|on an|on some|on my|on broken|on glass|on paper|with a tin|on a tin]",
		"[burn|burnt|burned|burning] myself [on the|on a|on an|on my|cooking|ironing|with the|making|accidentally|by accident]",
		"[hurt|hurting] myself [lifting|moving|at|playing|running|doing|falling|slipping|tripping|carrying|helping|handling|transferring|when i|on the|on a|in the]",
		"[hit|hitting] myself [on the|on a|with the cupboard]",
		"[suicide|suicidal|hunanladdiad] [prevention|awareness|training|audit|risk|rates|rate|statistics|stats|policy|watch|squad|mission|bomber|bombers|bombing|assessment|assessments|screening|patient|patients|lead|team|module|course|charity|ideation in]",
		"self [harm|harming] [audit|training|team|pathway|policy|assessment|assessments|patient|patients|service|ward|clinic|nurse|liaison|cases|presentations|module|course|lead|unit|referral|referrals]",
		"[overdose|overdoses] [awareness|training|team|pathway|protocol|patient|patients|cases|guidelines|unit|antidote|risk|course|session|workshop|kit|kits]",
		"@med ~1 for [my|the|a] [pain|back|knee|knees|neck|shoulder|hip|hips|headache|headaches|migraine|migraines|period|cold|flu|temperature|tooth|toothache|arthritis|sciatica|injury|nerve]",
		"[overdose|overdoses|od|ods] [in|on] [resus|majors|minors|bay|bed|ed|triage|ae|cubicle|cubicles|the ward|the unit|the department|nights|shift|my shift]",
		"[came|come|comes|brought|admitted|presented|presenting] ~2 [with|after] ~1 [an|a]? [overdose|od]",
		"will not be [here|around] [tomorrow|next week|anymore] ~4 [because|as|appointment|holiday|scan|hospital|work|shift|away|leave|course|training|dentist|gp|off]",
		"ligature [risk|assessment|audit|point|points|cutters|check|checks|training|free|knife|knives|anchor]",
		"[end|ending|ended] [it|things] [with|between]",
		"[take|taking] my life back",
		"can not [go on|carry on|keep going] [nights|days|night|shifts|shift|working|holiday|leave|placement|courses|course|training|strike|sick|bank|annual|the|a|my|at|doing|to]",
		"in front of [a|the]? @vehicle [stop|station|shelter|timetable|queue]",
		"hopeless [at|with]",
		"look after ~1 [kids|children|mum|mam|dad|dog|cat|family|girls|boys|son|daughter|wife|husband|partner|pets] for me [while|whilst|when|at|during|today|tomorrow|on|until|till|this|so]",
		"[domestic abuse|domestic violence] [training|course|policy|champion|lead|module|awareness]",
		"pushed me [to|into]",
		"[hit|hits] me [up|with the|that]",
		"choked me up",
		"[cut|cutting] [back|down|out|costs|corners|hours|my hours|the grass|the hedge|my hair|hair|ties|it out|off]",
		"@takenow ~1 all ~2 @med ~2 [as prescribed|with food|every day|each day|daily|on time|regularly|properly|like i should]",
		"[overdose|overdoses] [come|came|coming|brought] in",
		"[zapobieganie|zapobiegania] samobojst*",
		"atal hunanladdiad",
		"die my hair",
	}},
}
