package dialogs

// CheckGolden lets the external tests (package dialogs_test) compare their
// transcripts the same way, honouring -update.
var CheckGolden = checkGolden
