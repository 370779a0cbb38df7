package ui

import (
	"regexp"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
)

// A date for the history is chosen on a calendar, or typed. Fyne's widget.Calendar (2.6+) names
// months and weekdays through Fyne's own translations, which follow the phone's locale and have
// no Kazakh, so the calendar here is a small one of our own, in the cashier's language, the week
// starting on Monday as in Kazakhstan.

// errDateInvalid: a date typed in the right form that the calendar does not have (31.02.2026).
const errDateInvalid = "err.history.date_invalid"

// dateShapes are the forms a typed date takes per language: what dateLayout parses, digit for
// digit. A text of this form that does not parse is not a date (31.02), not a wrong format.
var dateShapes = map[bool]*regexp.Regexp{
	false: regexp.MustCompile(`^\d{2}\.\d{2}\.\d{4}$`), // dd.mm.yyyy
	true:  regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`),   // yyyy-mm-dd (English)
}

// parseDate reads a date as the cashier typed it in l's layout: ErrDateFormat when it is not in
// that form, errDateInvalid when it is but there is no such day.
func parseDate(l *i18n.Localizer, text string) (time.Time, error) {
	d, err := time.ParseInLocation(dateLayout(l), text, time.Local)
	if err == nil {
		return d, nil
	}
	if dateShapes[l.Lang() == i18n.English].MatchString(text) {
		return time.Time{}, &uiError{id: errDateInvalid, data: map[string]any{"Input": text}, cause: err}
	}
	return time.Time{}, ErrDateFormat
}

// dateEntry is an entry bound to *value for a date, with a calendar button at its right that
// opens the date picker; the day chosen is written in the language's layout.
func (u *UI) dateEntry(value *string, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	// The action item before the binding: setting the text builds the entry's renderer, which
	// takes the action item it finds then.
	defer bind(e, value, placeholder)
	e.ActionItem = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() {
		start := time.Now()
		if d, err := parseDate(u.loc, e.Text); err == nil {
			start = d
		}
		var d dialog.Dialog
		pick := newDatePicker(u.loc, start, func(day time.Time) {
			e.SetText(day.Format(dateLayout(u.loc)))
			d.Hide()
		})
		d = u.dialogBox(u.loc.T("date.pick"), pick, dialogButton{text: u.loc.T("button.cancel")})
	})
	return e
}

// datePicker is a month of days to tap, with the months before and after a tap away.
type datePicker struct {
	widget.BaseWidget
	l      *i18n.Localizer
	month  time.Time // the first of the month shown
	chosen func(time.Time)
	box    *fyne.Container
}

func newDatePicker(l *i18n.Localizer, start time.Time, chosen func(time.Time)) *datePicker {
	p := &datePicker{l: l, chosen: chosen, box: container.NewVBox()}
	p.month = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.Local)
	p.ExtendBaseWidget(p)
	p.build()
	return p
}

// CreateRenderer shows the month.
func (p *datePicker) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(p.box) }

// show moves to the month of m and redraws in place.
func (p *datePicker) show(m time.Time) {
	p.month = m
	p.build()
	p.box.Refresh()
}

// build lays out the month: its name between the arrows, the weekdays, the days.
func (p *datePicker) build() {
	l := p.l
	title := widget.NewLabelWithStyle(l.T("date.month."+strconv.Itoa(int(p.month.Month())), map[string]any{"Year": p.month.Year()}),
		fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.show(p.month.AddDate(0, -1, 0)) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.show(p.month.AddDate(0, 1, 0)) })
	head := container.NewBorder(nil, nil, prev, next, title)
	grid := container.NewGridWithColumns(7)
	for i := 1; i <= 7; i++ {
		// Bare text, not a label: a label's padding would make seven columns wider than a
		// phone's dialog at 130 % text.
		day := canvas.NewText(l.T("date.weekday."+strconv.Itoa(i)), theme.Color(theme.ColorNameForeground))
		day.Alignment = fyne.TextAlignCenter
		grid.Add(container.NewPadded(day))
	}
	// Monday first: Go's Sunday is 0.
	for blank := (int(p.month.Weekday()) + 6) % 7; blank > 0; blank-- {
		grid.Add(layout.NewSpacer())
	}
	for d := p.month; d.Month() == p.month.Month(); d = d.AddDate(0, 0, 1) {
		b := widget.NewButton(strconv.Itoa(d.Day()), func() { p.chosen(d) })
		if y, m, dd := time.Now().Date(); d.Year() == y && d.Month() == m && d.Day() == dd {
			b.Importance = widget.HighImportance // today
		}
		grid.Add(b)
	}
	p.box.Objects = []fyne.CanvasObject{head, grid}
}
