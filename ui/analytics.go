package ui

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// AnalyticsRange is a period the analytics screen offers.
type AnalyticsRange int

// The periods, in the order of the screen's menu.
const (
	RangeToday AnalyticsRange = iota
	RangeYesterday
	RangeWeek  // this week, from Monday
	RangeMonth // this month, from the 1st
	RangeCustom
)

// rangeIDs are the message IDs of the periods' names.
var rangeIDs = [...]string{"analytics.range.today", "analytics.range.yesterday", "analytics.range.week",
	"analytics.range.month", "analytics.range.custom"}

// Period returns the period r at now, in now's time zone; custom periods are typed, so
// RangeCustom returns today.
func (r AnalyticsRange) Period(now time.Time) (from, to time.Time) {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	switch r {
	case RangeYesterday:
		return today.AddDate(0, 0, -1), today
	case RangeWeek:
		monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
		return monday, monday.AddDate(0, 0, 7)
	case RangeMonth:
		first := time.Date(y, m, 1, 0, 0, 0, 0, now.Location())
		return first, first.AddDate(0, 1, 0)
	}
	return today, today.AddDate(0, 0, 1)
}

// analyticsScreen shows the owner's figures for a period beside the period before, with bar
// charts by hour, day, cashier and item, and the CSV export.
type analyticsScreen struct {
	u    *UI
	port Analytics
	now  func() time.Time

	rng      AnalyticsRange
	from, to string // the custom period as typed
	cmp      *AnalyticsComparison
	err      error
	busy     bool
	exported string // the last export's outcome, shown under the buttons
}

// OpenAnalytics shows the analytics screen over the current one (the reports screen's
// «Аналитика» button).
func (u *UI) OpenAnalytics(port Analytics) { u.open(newAnalyticsScreen(u, port, time.Now)) }

// newAnalyticsScreen builds the screen and loads today's figures.
func newAnalyticsScreen(u *UI, port Analytics, now func() time.Time) *analyticsScreen {
	s := &analyticsScreen{u: u, port: port, now: now}
	s.load()
	return s
}

// period returns the chosen period, or the typed one.
func (s *analyticsScreen) period() (from, to time.Time, err error) {
	return chosenPeriod(s.u.loc, s.rng, s.from, s.to, s.now())
}

// rangeSelect is the period picker of the analytics and owner screens, at current; picked is
// called with the new choice.
func rangeSelect(l *i18n.Localizer, current AnalyticsRange, picked func(AnalyticsRange)) *widget.Select {
	names := make([]string, len(rangeIDs))
	for i, id := range rangeIDs {
		names[i] = l.T(id)
	}
	pick := widget.NewSelect(names, nil)
	pick.SetSelectedIndex(int(current))
	pick.OnChanged = func(string) { picked(AnalyticsRange(pick.SelectedIndex())) }
	return pick
}

// chosenPeriod is a preset period at now, or, for RangeCustom, the typed first and last days
// (the whole last day included) in the cashier's date layout.
func chosenPeriod(l *i18n.Localizer, rng AnalyticsRange, first, last string, now time.Time) (from, to time.Time, err error) {
	if rng != RangeCustom {
		from, to = rng.Period(now)
		return from, to, nil
	}
	layout := dateLayout(l)
	from, err1 := time.ParseInLocation(layout, strings.TrimSpace(first), now.Location())
	end, err2 := time.ParseInLocation(layout, strings.TrimSpace(last), now.Location())
	if err1 != nil || err2 != nil || end.Before(from) {
		return from, to, ErrDateFormat
	}
	return from, end.AddDate(0, 0, 1), nil
}

// load asks for the chosen period's figures off the UI goroutine.
func (s *analyticsScreen) load() {
	u := s.u
	from, to, err := s.period()
	s.err = err
	if err != nil {
		u.render()
		return
	}
	s.busy = true
	u.background(func(ctx context.Context) func() {
		c, err := s.port.Compare(ctx, from, to)
		return func() {
			s.busy, s.err = false, err
			if err == nil {
				s.cmp = &c
			}
			if u.current == s {
				u.render()
			}
		}
	})
}

func (s *analyticsScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	pick := rangeSelect(l, s.rng, func(r AnalyticsRange) {
		s.rng = r
		if s.rng != RangeCustom {
			s.load()
		} else {
			u.render()
		}
	})
	body := container.NewVBox(field(l.T("analytics.period"), pick))
	if s.rng == RangeCustom {
		hint := dateLayout(l)
		body.Add(container.NewGridWithColumns(2,
			field(l.T("history.from"), entry(&s.from, hint)),
			field(l.T("history.to"), entry(&s.to, hint))))
		body.Add(widget.NewButton(l.T("analytics.show"), s.load))
	}
	body.Add(errorText(l.Error(s.err)))
	if s.busy {
		body.Add(widget.NewProgressBarInfinite())
	}
	if c := s.cmp; c != nil {
		body.Add(s.figures(c))
		body.Add(s.chart("analytics.by_hour", hourBuckets(c.Current.ByHour), hourBuckets(c.Previous.ByHour), false))
		body.Add(s.chart("analytics.by_day", c.Current.ByDay, c.Previous.ByDay, false))
		body.Add(s.chart("analytics.by_cashier", c.Current.ByCashier, c.Previous.ByCashier, true))
		body.Add(s.chart("analytics.top_items", c.Current.TopItems, nil, true))
	}
	body.Add(widget.NewSeparator())
	body.Add(bold(l.T("analytics.export")))
	for _, k := range ExportKinds() {
		body.Add(widget.NewButtonWithIcon(l.T("analytics.export."+string(k)), theme.DocumentSaveIcon(), func() { s.saveDialog(k) }))
	}
	if s.exported != "" {
		body.Add(wrapped(s.exported))
	}
	return page(u.header(l.T("analytics.title"), true), body)
}

// figures is the table of the period's figures beside the previous period's, with the change.
func (s *analyticsScreen) figures(c *AnalyticsComparison) fyne.CanvasObject {
	l := s.u.loc
	cur, prev := c.Current.Total, c.Previous.Total
	grid := container.NewVBox(container.NewGridWithColumns(2, bold(l.T("analytics.current")), bold(l.T("analytics.previous"))))
	row := func(id string, a, b string, change string) {
		grid.Add(widget.NewLabel(l.T(id)))
		grid.Add(container.NewGridWithColumns(2, wrapped(a+change), wrapped(b)))
	}
	mrow := func(id string, a, b kkm.Money) { row(id, money(l, a), money(l, b), "") }
	row("analytics.revenue", money(l, cur.Revenue), money(l, prev.Revenue), change(int64(cur.Revenue), int64(prev.Revenue)))
	row("analytics.receipts", fmt.Sprint(cur.SaleCount), fmt.Sprint(prev.SaleCount), change(cur.SaleCount, prev.SaleCount))
	row("analytics.average", money(l, cur.Average), money(l, prev.Average), change(int64(cur.Average), int64(prev.Average)))
	row("analytics.returns", fmt.Sprintf("%d · %s", cur.ReturnCount, money(l, cur.Returns)),
		fmt.Sprintf("%d · %s", prev.ReturnCount, money(l, prev.Returns)), "")
	mrow("pay.cash", cur.Cash, prev.Cash)
	mrow("pay.card", cur.Card, prev.Card)
	mrow("pay.mobile", cur.Mobile, prev.Mobile)
	span := l.T("analytics.span", map[string]any{
		"From": dateOnly(l, c.Current.From), "To": dateOnly(l, c.Current.To.AddDate(0, 0, -1)),
		"PrevFrom": dateOnly(l, c.Previous.From), "PrevTo": dateOnly(l, c.Previous.To.AddDate(0, 0, -1))})
	return container.NewVBox(wrapped(span), grid)
}

// change is the relative change from b to a: " (+12 %)", or "" when b is 0.
func change(a, b int64) string {
	if b == 0 {
		return ""
	}
	pct := (a - b) * 100 / abs(b)
	if pct >= 0 {
		return fmt.Sprintf(" (+%d %%)", pct)
	}
	return fmt.Sprintf(" (%d %%)", pct)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// chartWidth is the width of the longest bar, so that a chart fits a 360-point phone.
const chartWidth = 150

// The bars' colours: the period in the theme's primary colour, the period before in grey.
var (
	barPrevious = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
)

// chart draws buckets as horizontal bars of revenue, each with the previous period's bar under
// it (matched by position, or by name when named), from canvas rectangles.
func (s *analyticsScreen) chart(titleID string, cur, prev []AnalyticsBucket, named bool) fyne.CanvasObject {
	l := s.u.loc
	box := container.NewVBox(bold(l.T(titleID)))
	var top kkm.Money
	for _, b := range append(append([]AnalyticsBucket{}, cur...), prev...) {
		top = max(top, b.Revenue)
	}
	if top <= 0 {
		box.Add(widget.NewLabel(l.T("analytics.empty")))
		return box
	}
	prevByName := map[string]AnalyticsBucket{}
	for _, b := range prev {
		prevByName[b.Label] = b
	}
	for i, b := range cur {
		label := b.Label
		switch {
		case !b.Time.IsZero():
			label = dateOnly(l, b.Time)
		case !named:
			label = fmt.Sprintf("%02d:00", b.Hour)
		}
		value := money(l, b.Revenue)
		if b.Unit != "" {
			value += " · " + quantity(l, b.Quantity) + " " + unitName(l, b.Unit)
		}
		bars := container.NewVBox(bar(b.Revenue, top, theme.Color(theme.ColorNamePrimary)))
		if prev != nil {
			var p AnalyticsBucket
			if named {
				p = prevByName[b.Label]
			} else if i < len(prev) {
				p = prev[i]
			}
			bars.Add(bar(p.Revenue, top, barPrevious))
		}
		name := widget.NewLabel(label)
		name.Wrapping = fyne.TextWrapWord // a long name wraps at words, never cut
		box.Add(container.NewGridWithColumns(2, name, container.NewVBox(bars, wrapped(value))))
	}
	return box
}

// bar is one bar of a chart: a rectangle as long as v is of top.
func bar(v, top kkm.Money, c color.Color) fyne.CanvasObject {
	w := float32(0)
	if v > 0 && top > 0 {
		w = float32(chartWidth) * float32(v) / float32(top)
	}
	r := canvas.NewRectangle(c)
	r.SetMinSize(fyne.NewSize(w, 10))
	return container.NewHBox(r)
}

// hourBuckets keeps the hours with any revenue, the whole day when there are none.
func hourBuckets(hours []AnalyticsBucket) []AnalyticsBucket {
	var out []AnalyticsBucket
	for _, h := range hours {
		if h.Revenue != 0 || h.Count != 0 {
			out = append(out, h)
		}
	}
	return out
}

// dateOnly formats a day for the language.
func dateOnly(l *i18n.Localizer, t time.Time) string { return t.Format(dateLayout(l)) }

// saveDialog asks where to save an export, with our own translated buttons, then writes it.
func (s *analyticsScreen) saveDialog(k ExportKind) {
	from, to, err := s.period()
	if err != nil {
		s.err = err
		s.u.render()
		return
	}
	saveCSVDialog(s.u, string(k), from, to, func(w fyne.URIWriteCloser) { s.export(w, k) })
}

// saveCSVDialog asks where to save a CSV of the period [from, to), offering the name
// prefix_first_last.csv and our own translated buttons, and hands the chosen file to write.
func saveCSVDialog(u *UI, prefix string, from, to time.Time, write func(fyne.URIWriteCloser)) {
	saveFileDialog(u, fmt.Sprintf("%s_%s_%s.csv", prefix, from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")), write)
}

// saveFileDialog asks where to save a file first named name, in the app's language, and hands
// the chosen file to write.
func saveFileDialog(u *UI, name string, write func(fyne.URIWriteCloser)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		write(w)
	}, u.win)
	d.SetFileName(name)
	d.SetConfirmText(u.loc.T("analytics.save"))
	titleFileDialog(d, u.loc, true)
	d.SetDismissText(u.loc.T("button.cancel"))
	d.Show()
}

// export writes export k of the chosen period to w off the UI goroutine, closes w and shows how
// it went.
func (s *analyticsScreen) export(w io.WriteCloser, k ExportKind) {
	u := s.u
	from, to, err := s.period()
	if err != nil {
		w.Close()
		s.err = err
		u.render()
		return
	}
	s.busy = true
	u.render()
	loc := u.loc
	text := func(id string) string { return loc.T(id) }
	u.background(func(ctx context.Context) func() {
		err := s.port.Export(ctx, w, k, from, to, text)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return func() {
			s.busy = false
			if err != nil {
				s.exported = u.loc.Error(err)
			} else {
				s.exported = u.loc.T("analytics.exported")
			}
			if u.current == s {
				u.render()
			}
		}
	})
}
