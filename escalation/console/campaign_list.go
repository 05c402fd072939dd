package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ohcontact/ohcontact/triggers"
)

// isListSeparator reports whether r separates the entries of a list of
// assignment numbers, pasted or in a file: a comma, semicolon, space, tab
// or line break.
func isListSeparator(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
}

// splitList returns the entries of a pasted list.
func splitList(s string) []string { return strings.FieldsFunc(s, isListSeparator) }

// listFileError is why an uploaded list cannot be read: a sentence for
// the lead.
type listFileError string

func (e listFileError) Error() string { return string(e) }

const (
	msgListNotText  = "The file is not a CSV or text file. Save it as CSV UTF-8 or as plain text, and choose it again."
	msgListNoColumn = "The file has no Assignment Number column, and is not a list of assignment numbers. Choose a CSV export " +
		"whose first line names its columns, one of them Assignment Number, or a text file of assignment numbers only."
)

// sniffBytes is how much of an uploaded list is looked at to tell what it
// is.
const sniffBytes = 64 << 10

// readListFile returns the entries of an uploaded list, the first most of them
// (reading stops there): the Assignment Number column of a CSV export whose
// first line names its columns (triggers.NewNumberReader: case, spaces and
// the other columns aside; blank cells skipped), or else a plain list, each
// entry separated by commas, semicolons, spaces or line breaks as in the
// form's text box, whose first line has a digit in every entry. The file
// is UTF-8, with or without a byte-order mark, its lines ending in LF or
// CRLF. Entries are not checked: campaigns.Create does that. A file that is
// not text (a NUL, or not UTF-8, in its first 64 KiB), is neither such an
// export nor such a list, or has a row the CSV reader refuses, is a
// listFileError; any other error is reading's.
func readListFile(f io.Reader, most int) ([]string, error) {
	br := bufio.NewReaderSize(f, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read the uploaded list: %w", err)
	}
	cut := err == nil // the file goes on: its last rune peeked may be cut short
	if bom := "\ufeff"; bytes.HasPrefix(head, []byte(bom)) {
		_, _ = br.Discard(len(bom)) // cannot fail: peeked
		head = head[len(bom):]
	}
	if cut {
		for i := len(head) - 1; i >= 0 && i >= len(head)-utf8.UTFMax; i-- {
			if utf8.RuneStart(head[i]) {
				if !utf8.FullRune(head[i:]) {
					head = head[:i]
				}
				break
			}
		}
	}
	if bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head) {
		return nil, listFileError(msgListNotText)
	}
	first, _, _ := bytes.Cut(bytes.TrimLeft(head, "\r\n"), []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	var out []string
	if _, err := triggers.NewNumberReader(bytes.NewReader(first)); err == nil {
		rows, err := triggers.NewNumberReader(br)
		if err != nil {
			return nil, fmt.Errorf("read the uploaded list's header: %w", err)
		}
		for len(out) < most {
			number, err := rows.Next()
			var bad *triggers.RowError
			switch {
			case errors.Is(err, io.EOF):
				return out, nil
			case errors.As(err, &bad):
				return nil, listFileError(fmt.Sprintf("Line %d of the file cannot be read: %s. Correct it, or export the file again, and choose it again.", bad.Line, bad.Reason))
			case err != nil:
				return nil, fmt.Errorf("read the uploaded list: %w", err)
			case number != "":
				out = append(out, number)
			}
		}
		return out, nil
	}
	for _, e := range splitList(string(first)) {
		if !strings.ContainsAny(e, "0123456789") {
			return nil, listFileError(msgListNoColumn)
		}
	}
	entries := bufio.NewScanner(br)
	entries.Split(scanEntries)
	for len(out) < most && entries.Scan() {
		out = append(out, entries.Text())
	}
	switch err := entries.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return nil, listFileError(msgListNoColumn)
	case err != nil:
		return nil, fmt.Errorf("read the uploaded list: %w", err)
	}
	return out, nil
}

// scanEntries is a bufio.SplitFunc for a plain list: the entries between
// separators (isListSeparator).
func scanEntries(data []byte, atEOF bool) (int, []byte, error) {
	start := 0
	for start < len(data) && isListSeparator(rune(data[start])) {
		start++
	}
	for i := start; i < len(data); i++ {
		if isListSeparator(rune(data[i])) {
			return i + 1, data[start:i], nil
		}
	}
	if atEOF && start < len(data) {
		return len(data), data[start:], nil
	}
	return start, nil, nil
}
