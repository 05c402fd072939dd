package console

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts drawn on the server as SVG: horizontal bar charts, one group of
// bars a row, one bar a series. Nothing tells series apart by colour alone:
// each series has a pattern as well as a colour (solid, stripes, dots,
// cross-hatch, lines), shown in the legend, and every bar has its value
// printed beside it. The SVG is an image with a title and a description;
// the figures themselves are in the table that follows each chart, which
// the CSV export repeats cell for cell.

// chart is one chart of the dashboard. The page's SVG and table and the
// export's rows are all made from its cells, so they always agree.
type chart struct {
	ID        string // stable, unique on the page: the CSV's chart column
	Title     string
	Caption   string // what the chart shows and how to read it
	RowHeader string // what a row is: "Week", "Priority"
	Series    []series
	Rows      []chartRow
	// Facts are single figures about the chart as a whole (a median),
	// listed under the table and exported like its cells.
	Facts []chartFact
	// OwnScale draws each row against its own scale (its Max) with its
	// Marker line, instead of one axis for the chart.
	OwnScale bool
	// Percent runs the axis from 0 to 100.
	Percent bool
	// TableOnly shows the table without a chart, open: for figures of
	// different units side by side.
	TableOnly bool
}

// series is one kind of bar (or, when not Drawn, a column of the table
// only).
type series struct {
	Name  string
	Drawn bool
}

// chartRow is one group of bars: a cell per series.
type chartRow struct {
	Label string
	Cells []cell
	// Max and Marker (with MarkerLabel) are the row's scale and reference
	// line when the chart has OwnScale.
	Max, Marker float64
	MarkerLabel string
}

// chartFact is one figure about a whole chart.
type chartFact struct {
	Series, Label string
	Cell          cell
}

// cell is one figure as the dashboard shows it.
type cell struct {
	// Text is the figure in the table: "1,234", "<5", "62.5",
	// "suppressed" or "n/a". The export gives it without thousands
	// separators.
	Text string
	// Bar is the label printed beside the bar: Text with its unit.
	Bar string
	// Value is the bar's length; 0 for a suppressed or missing figure,
	// which has no bar.
	Value float64
}

// Columns is the number of columns of the chart's table.
func (ch chart) Columns() int { return len(ch.Series) + 1 }

// CSV is the cell's text as the export writes it.
func (c cell) CSV() string { return strings.ReplaceAll(c.Text, ",", "") }

// drawn returns the indexes in Series of the series the chart draws.
func (ch chart) drawn() []int {
	var out []int
	for i, s := range ch.Series {
		if s.Drawn {
			out = append(out, i)
		}
	}
	return out
}

// palette are the series' colours, NHS.UK's, each at least 3:1 against
// white; patterns repeat the difference in shape.
var palette = []string{"#005eb8", "#007f3b", "#330072", "#ae2573", "#425563"}

// Layout of a chart, in SVG user units. The SVG scales to its container,
// which on a wide screen is about as wide as the chart.
const (
	chartWidth  = 560
	labelWidth  = 170 // row labels, right-aligned against the bars, wrapped
	labelChars  = 22  // about as many characters as fit a label's line
	barsWidth   = 280 // the longest bar; its value label goes to the right
	barHeight   = 20
	barGap      = 4
	groupGap    = 22
	lineHeight  = 16
	legendLine  = 26
	legendWidth = 272 // two legend entries a line
	axisHeight  = 28
	chartMargin = 8
)

// SVG draws the chart.
func (ch chart) SVG() template.HTML {
	drawn := ch.drawn()
	var b strings.Builder
	legendRows := 0
	if len(drawn) > 1 {
		legendRows = (len(drawn) + 1) / 2
	}
	top := chartMargin + legendRows*legendLine
	if legendRows > 0 || ch.OwnScale {
		top += 12 // room for the legend's last line, or a marker's label
	}
	groupHeight := len(drawn)*(barHeight+barGap) - barGap
	height := top + len(ch.Rows)*(groupHeight+groupGap)
	if !ch.OwnScale {
		height += axisHeight
	}
	height += chartMargin

	fmt.Fprintf(&b, `<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" focusable="false">`,
		chartWidth, height, chartWidth, height, ch.ID, ch.ID)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, ch.ID, esc(ch.Title), ch.ID, esc(ch.describe()))
	b.WriteString(`<defs>`)
	for k := range drawn {
		b.WriteString(pattern(ch.ID, k))
	}
	b.WriteString(`</defs>`)

	if legendRows > 0 {
		for k, i := range drawn {
			x, y := chartMargin+(k%2)*legendWidth, chartMargin+(k/2)*legendLine
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="18" height="18" fill="%s" stroke="%s" stroke-width="1.5"/>`, x, y, fill(ch.ID, k), palette[k%len(palette)])
			fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="central" font-size="14" fill="#212b32">%s</text>`, x+26, y+9, esc(ch.Series[i].Name))
		}
	}

	step, scale := ch.axis()
	if !ch.OwnScale {
		axisY := top + len(ch.Rows)*(groupHeight+groupGap) - groupGap/2
		for v := 0.0; v <= scale+step/2; v += step {
			x := labelWidth + int(math.Round(barsWidth*v/scale))
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d8dde0" stroke-width="1"/>`, x, top-6, x, axisY)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#4c6272">%s</text>`, x, axisY+18, esc(tickLabel(v)))
		}
	}
	for r, row := range ch.Rows {
		y := top + r*(groupHeight+groupGap)
		rowScale := scale
		if ch.OwnScale {
			rowScale = row.Max
		}
		if ch.OwnScale && row.Max > 0 && row.Marker > 0 {
			x := labelWidth + int(math.Round(barsWidth*row.Marker/row.Max))
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#212b32" stroke-width="2" stroke-dasharray="6 3"/>`,
				x, y-4, x, y+groupHeight+4)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#212b32">%s</text>`, x, y-8, esc(row.MarkerLabel))
		}
		lines := wrap(row.Label, labelChars)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="14" fill="#212b32">`, labelWidth-10,
			y+groupHeight/2-(len(lines)-1)*lineHeight/2)
		for i, line := range lines {
			dy := "0"
			if i > 0 {
				dy = strconv.Itoa(lineHeight)
			}
			fmt.Fprintf(&b, `<tspan x="%d" dy="%s" dominant-baseline="central">%s</tspan>`, labelWidth-10, dy, esc(line))
		}
		b.WriteString(`</text>`)
		for k, i := range drawn {
			c := row.Cells[i]
			by := y + k*(barHeight+barGap)
			length := 0
			if rowScale > 0 && c.Value > 0 {
				length = max(2, int(math.Round(barsWidth*min(c.Value, rowScale)/rowScale)))
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="%s" stroke-width="1.5"/>`,
					labelWidth, by, length, barHeight, fill(ch.ID, k), palette[k%len(palette)])
			}
			// A white halo keeps the value legible over grid and SLA lines.
			fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="central" font-size="13" fill="#212b32" stroke="#ffffff" stroke-width="4" paint-order="stroke">%s</text>`,
				labelWidth+length+6, by+barHeight/2, esc(c.Bar))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text in it went through esc
}

// axis returns the chart's tick step and scale: a round step (1, 2 or 5
// times a power of ten, at least 1) and the first multiple of it at or
// above the largest value, so that there are at most five ticks past 0.
// Percentages always run to 100, and a chart with nothing to draw to 5.
func (ch chart) axis() (step, scale float64) {
	largest := 0.0
	for _, row := range ch.Rows {
		for _, i := range ch.drawn() {
			largest = max(largest, row.Cells[i].Value)
		}
	}
	if ch.Percent {
		return 25, 100
	}
	if largest == 0 {
		return 1, 5
	}
	for _, p := range []float64{1, 10, 100, 1000, 10000, 100000} {
		for _, m := range []float64{1, 2, 5} {
			if step = m * p; step*5 >= largest {
				return step, step * math.Ceil(largest/step)
			}
		}
	}
	return step, step * math.Ceil(largest/step)
}

// tickLabel formats an axis value.
func tickLabel(v float64) string { return number(int(v)) }

// wrap breaks s into lines of at most width characters at spaces (a
// longer word has a line to itself), starting a line at an opening bracket
// when s is too long for one.
func wrap(s string, width int) []string {
	if before, after, ok := strings.Cut(s, " ("); ok && len(s) > width {
		return append(wrap(before, width), wrap("("+after, width)...)
	}
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}

// describe says in words what the chart shows, for the SVG's description.
func (ch chart) describe() string {
	var names []string
	for _, i := range ch.drawn() {
		names = append(names, ch.Series[i].Name)
	}
	d := fmt.Sprintf("Horizontal bar chart with %d rows by %s", len(ch.Rows), strings.ToLower(ch.RowHeader))
	if len(ch.Rows) > 0 {
		d += fmt.Sprintf(", from %s to %s", ch.Rows[0].Label, ch.Rows[len(ch.Rows)-1].Label)
	}
	d += "; bars for " + strings.Join(names, ", ") + ". The figures are in the table after the chart."
	return d
}

// fill is the SVG fill of series k of chart id: solid for the first, a
// pattern for the others.
func fill(id string, k int) string {
	if k%len(palette) == 0 {
		return palette[0]
	}
	return fmt.Sprintf("url(#%s-p%d)", id, k)
}

// pattern defines the fill pattern of series k of chart id: stripes,
// dots, cross-hatch, then horizontal lines, in the series' colour on white.
func pattern(id string, k int) string {
	colour := palette[k%len(palette)]
	open := fmt.Sprintf(`<pattern id="%s-p%d" width="8" height="8" patternUnits="userSpaceOnUse"`, id, k)
	bg := `<rect width="8" height="8" fill="#ffffff"/>`
	switch k % len(palette) {
	case 0:
		return ""
	case 1:
		return open + ` patternTransform="rotate(45)">` + bg + fmt.Sprintf(`<rect width="4" height="8" fill="%s"/></pattern>`, colour)
	case 2:
		return open + `>` + bg + fmt.Sprintf(`<circle cx="4" cy="4" r="2.2" fill="%s"/></pattern>`, colour)
	case 3:
		return open + `>` + bg + fmt.Sprintf(`<path d="M0 4H8M4 0V8" stroke="%s" stroke-width="2"/></pattern>`, colour)
	}
	return open + `>` + bg + fmt.Sprintf(`<rect width="8" height="3" fill="%s"/></pattern>`, colour)
}

func esc(s string) string { return template.HTMLEscapeString(s) }
