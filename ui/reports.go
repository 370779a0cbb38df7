package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// reportsScreen is «Смена и отчеты»: the X report, the Z report (closing the shift) and the
// history of reports and receipts.
type reportsScreen struct{ u *UI }

func newReportsScreen(u *UI) *reportsScreen { return &reportsScreen{u: u} }

func (s *reportsScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	x := widget.NewButton(l.T("reports.x"), func() {
		u.confirm("reports.x", "reports.x.confirm", "button.confirm", func() {
			u.issue(func(ctx context.Context) (Issued, error) { return u.ports.Register.XReport(ctx, u.cashier.Operator()) }, nil, nil)
		})
	})
	z := primary(l.T("reports.z"), u.closeShift)
	if !u.status.ShiftOpen {
		x.Disable()
		z.Disable()
	}
	body := container.NewVBox(x, z,
		widget.NewButton(l.T("reports.history"), func() { u.open(newHistoryScreen(u)) }))
	if !u.status.ShiftOpen {
		body.Add(wrapped(l.T("reports.no_shift")))
	}
	return page(u.header(l.T("register.reports"), true), body)
}

// historyPage is how many documents the history shows at a time.
const historyPage = 20

// historyScreen is «История отчетов и чеков»: documents found by shift number, period and kind,
// a page at a time.
type historyScreen struct {
	u     *UI
	shift string
	from  string
	to    string
	kind  int // index into historyKinds
	docs  []IssuedDocument
	more  bool
	err   error
	busy  bool
}

// historyKinds are the kinds the history can be narrowed to, in the order of its menu; "" is every
// kind.
func historyKinds() []kkm.DocumentKind {
	return []kkm.DocumentKind{"", kkm.KindReceipt, kkm.KindXReport, kkm.KindZReport, kkm.KindCashIn, kkm.KindCashOut}
}

func newHistoryScreen(u *UI) *historyScreen {
	s := &historyScreen{u: u}
	s.search(false)
	return s
}

func (s *historyScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	kinds := []string{l.T("history.kind.all"), l.T("history.kind.receipts"), l.T("reports.x"), l.T("reports.z"),
		l.T("op.cash_in"), l.T("op.cash_out")}
	kind := widget.NewSelect(kinds, nil)
	kind.SetSelectedIndex(s.kind)
	kind.OnChanged = func(string) { s.kind = kind.SelectedIndex() }
	hint := strings.NewReplacer("02", l.T("history.dd"), "01", l.T("history.mm"), "2006", l.T("history.yyyy")).Replace(dateLayout(l))
	filters := container.NewVBox(
		field(l.T("history.shift"), entry(&s.shift, l.T("history.shift.hint"))),
		container.NewGridWithColumns(2,
			field(l.T("history.from"), entry(&s.from, hint)),
			field(l.T("history.to"), entry(&s.to, hint))),
		field(l.T("history.kind"), kind),
		widget.NewButton(l.T("history.search"), func() { s.search(false) }),
		errorText(l.Error(s.err)),
	)
	list := container.NewVBox()
	for _, d := range s.docs {
		list.Add(u.documentItem(d, func() { u.open(newDocumentScreen(u, Issued{d})) }))
	}
	if len(s.docs) == 0 && !s.busy {
		list.Add(widget.NewLabel(l.T("history.empty")))
	}
	if s.more {
		list.Add(widget.NewButton(l.T("history.more"), func() { s.search(true) }))
	}
	return page(u.header(l.T("reports.history"), true), container.NewVBox(filters, widget.NewSeparator(), list))
}

// filter reads the typed filter.
func (s *historyScreen) filter() (HistoryFilter, error) {
	f := HistoryFilter{Kind: historyKinds()[s.kind], Limit: historyPage}
	if t := strings.TrimSpace(s.shift); t != "" {
		n, ok := parseUint32(t)
		if !ok {
			return f, ErrShiftFormat
		}
		f.Shift = n
	}
	layout := dateLayout(s.u.loc)
	if t := strings.TrimSpace(s.from); t != "" {
		d, err := time.ParseInLocation(layout, t, time.Local)
		if err != nil {
			return f, ErrDateFormat
		}
		f.From = d
	}
	if t := strings.TrimSpace(s.to); t != "" {
		d, err := time.ParseInLocation(layout, t, time.Local)
		if err != nil {
			return f, ErrDateFormat
		}
		f.To = d.AddDate(0, 0, 1) // the whole last day
	}
	return f, nil
}

// search loads the first page, or the next one when more is set.
func (s *historyScreen) search(more bool) {
	u := s.u
	f, err := s.filter()
	s.err = err
	if err != nil {
		u.render()
		return
	}
	if more {
		f.Offset = len(s.docs)
	}
	s.busy = true
	u.background(func(ctx context.Context) func() {
		p, err := u.ports.Register.History(ctx, f)
		return func() {
			s.busy = false
			s.err = err
			if err == nil {
				if more {
					s.docs = append(s.docs, p.Documents...)
				} else {
					s.docs = p.Documents
				}
				s.more = p.More
			}
			if u.current == s {
				u.render()
			}
		}
	})
}

// documentItem is a document in a list: a button with its title, and its time and amount under
// it (one line each, so the list fits a phone's width).
func (u *UI) documentItem(d IssuedDocument, tapped func()) fyne.CanvasObject {
	l := u.loc
	detail := dateTime(l, d.Document.Time)
	if t := d.Document.Total(); t != 0 {
		detail += " · " + money(l, t)
	}
	if d.FiscalSign == "" && d.Document.Kind.Fiscal() {
		detail += " · " + l.T("doc.waiting")
	}
	info := widget.NewLabel(detail)
	info.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(widget.NewButton(documentTitle(l, d.Document), tapped), info)
}
