package dialogs

// CheckGolden lets the external tests (package dialogs_test) compare their
// transcripts the same way, honouring -update.
var CheckGolden = checkGolden

// QueuedMessages is how many messages wait in r for a batch to take them.
func QueuedMessages(r *Runner) int {
	r.batches.mu.Lock()
	defer r.batches.mu.Unlock()
	return len(r.batches.queue)
}

// QuestionReplyDays is the working days the vaccination flow promises an
// answer to a question within.
const QuestionReplyDays = questionReplyDays
