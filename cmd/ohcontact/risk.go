package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ohcontact/ohcontact/escalation/risk"
)

// maxRiskLine is the length from which risk check reports a line instead of
// screening it.
const maxRiskLine = 1 << 20

const riskUsage = `risk check < messages.txt
       risk train [--corpus DIR] [--out FILE]
       risk eval [--corpus DIR] FILE...
       risk cv [--corpus DIR]

check screens messages for risk, one per line on standard input, and prints
one line for each on standard output:

  PRIORITY<TAB>CATEGORY<TAB>evidence

PRIORITY is none, routine, high or urgent; CATEGORY is - when none, and ask
when none but the bot would ask directly; evidence strings are joined with
"; ". A line of 1 MiB or more is not screened: it prints
error<TAB>-<TAB>reason, the lines after it are still screened, and the
command exits with status 1 at the end.

train rebuilds the screen's model from the corpus (default
escalation/risk/corpus) into FILE (default escalation/risk/model.bin),
byte-identically for the same corpus; rebuild the binary afterwards.

eval screens labelled rows (the corpus format, escalation/risk/corpus/README.md)
with the built-in screen and prints recall, urgent flagged urgent, asks and
false alarms, overall, by language and by family. Rows that nearly repeat a
corpus row are left out (and counted on standard error): they are not
unseen text.

cv prints leave-one-family-out figures: for each family, the model trained
without it screens it.`

// riskLine is one line read from standard input.
type riskLine struct {
	text    string
	tooLong bool
}

func runRisk(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "risk", riskUsage)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "train", "cv", "eval":
		sub := newFlagSet(env, "risk "+fs.Arg(0), riskUsage)
		corpus := sub.String("corpus", "escalation/risk/corpus", "the corpus `DIR`")
		var out *string
		if fs.Arg(0) == "train" {
			out = sub.String("out", "escalation/risk/model.bin", "the model `FILE` to write")
		}
		if err := parseFlags(env, sub, fs.Args()[1:]); err != nil {
			return err
		}
		if (fs.Arg(0) == "eval") != (sub.NArg() > 0) {
			fmt.Fprintf(env.stderr, "ohcontact risk %s: files are named for eval, and only for eval\n\n", fs.Arg(0))
			fs.Usage()
			return errUsage
		}
		rows, err := risk.ReadCorpus(*corpus)
		if err != nil {
			return err
		}
		switch fs.Arg(0) {
		case "eval":
			labelled, err := risk.ReadFiles(sub.Args()...)
			if err != nil {
				return err
			}
			unseen, left := risk.Unseen(labelled, rows)
			if left > 0 {
				fmt.Fprintf(env.stderr, "left out %d of %d rows that nearly repeat a corpus row: they are not unseen\n", left, len(labelled))
			}
			return risk.Evaluate(risk.New(), unseen).Write(env.stdout)
		case "cv":
			ev, err := risk.LeaveOneFamilyOut(rows)
			if err != nil {
				return err
			}
			return ev.Write(env.stdout)
		}
		model, err := risk.Train(rows)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, model, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "trained on %d rows: %s (%d bytes)\n", len(rows), *out, len(model))
		return nil
	case "check":
		if fs.NArg() == 1 {
			break
		}
		fallthrough
	default:
		fmt.Fprintf(env.stderr, "ohcontact risk: want the subcommand check, train, eval or cv, got %q\n\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return errUsage
	}
	screener := risk.New()
	return checkLines(ctx, env, "error\t-\t", "screened", func(text string) string {
		r := screener.Screen(text)
		category := r.Category
		switch {
		case category == "" && r.Ask:
			category = "ask"
		case category == "":
			category = "-"
		}
		return fmt.Sprintf("%s\t%s\t%s", r.Priority, category, strings.Join(r.Evidence, "; "))
	})
}

// checkLines reads messages one per line (LF or CRLF) from standard input
// and prints fn's line for each, streaming: each result is flushed as soon
// as no more input is waiting. A line of maxRiskLine bytes or more prints
// errPrefix and "line N is 1 MiB or longer: not <verb>", the rest are
// still read, and checkLines returns an error at the end. (risk check and
// intent check.)
func checkLines(ctx context.Context, env *environment, errPrefix, verb string, fn func(text string) string) error {
	// Read in a goroutine so that an interrupt is honoured while waiting
	// for input; the buffered channel lets output be flushed only when no
	// input is waiting.
	lines := make(chan riskLine, 64)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(env.stdin)
		sc.Buffer(make([]byte, 0, 64<<10), maxRiskLine)
		tooLong := false
		sc.Split(splitRiskLines(&tooLong))
		for sc.Scan() {
			l := riskLine{text: sc.Text(), tooLong: tooLong}
			tooLong = false
			select {
			case lines <- l:
			case <-done:
				return
			}
		}
		readErr <- sc.Err()
	}()

	out := bufio.NewWriter(env.stdout)
	n, skipped := 0, 0
	for {
		select {
		case <-ctx.Done():
			out.Flush()
			return ctx.Err()
		case l, ok := <-lines:
			if !ok {
				if err := out.Flush(); err != nil {
					return fmt.Errorf("write results: %w", err)
				}
				if err := <-readErr; err != nil {
					return fmt.Errorf("read messages: %w", err)
				}
				if skipped > 0 {
					return fmt.Errorf("%d of %d lines not %s: 1 MiB or longer", skipped, n, verb)
				}
				return nil
			}
			n++
			if l.tooLong {
				skipped++
				fmt.Fprintf(out, "%sline %d is 1 MiB or longer: not %s\n", errPrefix, n, verb)
			} else {
				fmt.Fprintln(out, fn(l.text))
			}
			if len(lines) == 0 {
				if err := out.Flush(); err != nil {
					return fmt.Errorf("write results: %w", err)
				}
			}
		}
	}
}

// splitRiskLines splits input into lines without their line ending. A line
// of maxRiskLine bytes or more is skipped to its end and given as an empty
// token with *tooLong set, so reading carries on after it.
func splitRiskLines(tooLong *bool) bufio.SplitFunc {
	skipping := false
	return func(data []byte, atEOF bool) (int, []byte, error) {
		i := bytes.IndexByte(data, '\n')
		switch {
		case skipping && i >= 0:
			skipping, *tooLong = false, true
			return i + 1, []byte{}, nil
		case skipping && atEOF:
			skipping, *tooLong = false, true
			return len(data), []byte{}, bufio.ErrFinalToken
		case skipping:
			return len(data), nil, nil
		case i >= 0:
			return i + 1, bytes.TrimSuffix(data[:i], []byte("\r")), nil
		case len(data) >= maxRiskLine:
			skipping = true
			return len(data), nil, nil
		case atEOF && len(data) > 0:
			return len(data), bytes.TrimSuffix(data, []byte("\r")), nil
		}
		return 0, nil, nil
	}
}
