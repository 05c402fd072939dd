package console

import (
	"encoding/csv"
	"io"
	"strings"
)

// csvWriter writes CSV whose cells a spreadsheet will not run: every CSV
// the console writes goes through it (the only CSV writer in the service
// so far; another should use it too).
type csvWriter struct{ *csv.Writer }

func newCSVWriter(w io.Writer) csvWriter { return csvWriter{csv.NewWriter(w)} }

// Write writes record, each cell neutralised by csvCell.
func (w csvWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, cell := range record {
		safe[i] = csvCell(cell)
	}
	return w.Writer.Write(safe)
}

// csvCell returns cell so that a spreadsheet shows it rather than running
// it as a formula, as OWASP's CSV injection guidance asks: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (which spreadsheets do not show); any other cell is
// unchanged.
func csvCell(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
