package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ohcontact/ohcontact/dialogs/intent"
)

const intentUsage = `intent check < messages.txt
       intent train [--corpus DIR] [--out FILE]
       intent eval [--corpus DIR] FILE...
       intent cv [--corpus DIR]

check classifies messages, one per line on standard input, and prints one
line for each on standard output:

  INTENT<TAB>score

INTENT is absence, back_at_work, money, msk, wellbeing, talk, stop or none;
score is the model's probability of it (0 to 1). A line of 1 MiB or more is
not classified: it prints error<TAB>reason, the lines after it are still
classified, and the command exits with status 1 at the end.

train rebuilds the intent model from the corpus (default
dialogs/intent/corpus) into FILE (default dialogs/intent/model.bin),
byte-identically for the same corpus; rebuild the binary afterwards.

eval classifies labelled rows (the corpus format,
dialogs/intent/corpus/README.md) with the built-in model and prints recall
and precision per intent, then overall, by language and by family: absence
reports taken directly (absence recall), other messages taken for one
(false absence), absence reports the engine would ask about ("Are you
letting us know you're off sick?") and those it would miss (neither taken
nor asked), and other messages it would ask about. Rows that nearly repeat
a corpus row are left out (and counted on standard error): they are not
unseen text.

cv prints the 5-fold cross-validated figures the thresholds were chosen
on, then leave-one-family-out figures: for each family, the model trained
without it classifies it.`

func runIntent(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "intent", intentUsage)
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "train", "cv", "eval":
		sub := newFlagSet(env, "intent "+fs.Arg(0), intentUsage)
		corpus := sub.String("corpus", "dialogs/intent/corpus", "the corpus `DIR`")
		var out *string
		if fs.Arg(0) == "train" {
			out = sub.String("out", "dialogs/intent/model.bin", "the model `FILE` to write")
		}
		if err := parseFlags(env, sub, fs.Args()[1:]); err != nil {
			return err
		}
		if (fs.Arg(0) == "eval") != (sub.NArg() > 0) {
			fmt.Fprintf(env.stderr, "ohcontact intent %s: files are named for eval, and only for eval\n\n", fs.Arg(0))
			fs.Usage()
			return errUsage
		}
		rows, err := intent.ReadCorpus(*corpus)
		if err != nil {
			return err
		}
		switch fs.Arg(0) {
		case "eval":
			labelled, err := intent.ReadFiles(sub.Args()...)
			if err != nil {
				return err
			}
			unseen, left := intent.Unseen(labelled, rows)
			if left > 0 {
				fmt.Fprintf(env.stderr, "left out %d of %d rows that nearly repeat a corpus row: they are not unseen\n", left, len(labelled))
			}
			return intent.Evaluate(intent.New(), unseen).Write(env.stdout)
		case "cv":
			ev, err := intent.CrossValidate(rows)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "5-fold cross-validation, %d rows\n\n", len(rows))
			if err := ev.Write(env.stdout); err != nil {
				return err
			}
			if ev, err = intent.LeaveOneFamilyOut(rows); err != nil {
				return err
			}
			fmt.Fprint(env.stdout, "\nleave one family out\n\n")
			return ev.Write(env.stdout)
		}
		model, err := intent.Train(rows)
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
		fmt.Fprintf(env.stderr, "ohcontact intent: want the subcommand check, train, eval or cv, got %q\n\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return errUsage
	}
	c := intent.New()
	return checkLines(ctx, env, "error\t", "classified", func(text string) string {
		r := c.Classify(text)
		return fmt.Sprintf("%s\t%.3f", r.Intent, r.Score)
	})
}
