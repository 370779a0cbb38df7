package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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
			u.issue(func(ctx context.Context) (Issued, error) { return u.ports.Issuer.XReport(ctx, u.cashier.Operator()) }, nil, nil)
		})
	})
	// The Z closes the shift for good: an ordinary button, not the highlighted one a thumb goes to.
	z := widget.NewButton(l.T("reports.z"), u.closeShift)
	if !u.status.ShiftOpen {
		x.Disable()
		z.Disable()
	}
	body := container.NewVBox(x, z,
		widget.NewButton(l.T("reports.history"), func() { u.open(newHistoryScreen(u)) }))
	if u.ports.Analytics != nil {
		body.Add(widget.NewButton(l.T("analytics.title"), func() { u.OpenAnalytics(u.ports.Analytics) }))
	}
	if !u.status.ShiftOpen {
		body.Add(wrapped(l.T("reports.no_shift")))
	}
	return page(u.header(l.T("register.reports"), true), body)
}

// historyPage is how many documents the history shows at a time.
const historyPage = 20

// historyScreen is «История отчетов и чеков»: documents found by shift number, period, receipt
// number or fiscal sign, amount, kind and state, a page at a time. «Показать ещё» asks for the
// page after the last document shown (the keyset cursor), so the tenth page costs what the first
// does however large the journal.
type historyScreen struct {
	u          *UI
	shift      string
	from       string
	to         string
	number     string
	amountFrom string
	amountTo   string
	kind       int // index into historyKinds
	state      int // index into historyStates

	query HistoryFilter // the search the list shows, without its cursor
	docs  []IssuedDocument
	more  bool
	err   error
	busy  bool

	errAt historyField // the field s.err is about

	list  *fyne.Container // the list shown, which a further page extends in place
	moreB *widget.Button  // «Показать ещё» under it
	// scroll holds the form and the list: a search's result, below the form, is scrolled into view.
	scroll *container.Scroll
}

// historyField is where on the history's filter an error belongs.
type historyField int

const (
	atSearch  historyField = iota // the search itself (the journal's answer)
	atShift                       // the shift number
	atDates                       // the period
	atAmounts                     // the amounts
)

// historyKind is an entry of the history's kind menu: a kind of document, or receipts of one
// operation.
type historyKind struct {
	id        string // message ID of its name
	kind      kkm.DocumentKind
	operation HistoryOperation
}

// historyKinds are the entries of the kind menu, in its order; the first selects everything.
func historyKinds() []historyKind {
	return []historyKind{
		{id: "history.kind.all"},
		{id: "history.kind.receipts", kind: kkm.KindReceipt},
		{id: "op.sale", operation: HistorySale},
		{id: "op.sale_return", operation: HistorySaleReturn},
		{id: "op.purchase", operation: HistoryPurchase},
		{id: "op.purchase_return", operation: HistoryPurchaseReturn},
		{id: "op.cash_in", kind: kkm.KindCashIn},
		{id: "op.cash_out", kind: kkm.KindCashOut},
		{id: "reports.x", kind: kkm.KindXReport},
		{id: "reports.z", kind: kkm.KindZReport},
	}
}

// historyState is an entry of the history's state menu.
type historyState struct {
	id    string // message ID of its name
	state HistoryState
}

// historyStates are the entries of the state menu, in its order; the first selects every state.
func historyStates() []historyState {
	return []historyState{
		{"history.state.any", HistoryAnyState},
		{"history.state.fiscalised", HistoryFiscalised},
		{"history.state.waiting", HistoryWaiting},
		{"history.state.offline", HistoryOffline},
		{"history.state.refused", HistoryRefused},
	}
}

func newHistoryScreen(u *UI) *historyScreen {
	s := &historyScreen{u: u}
	// The first page comes with the screen: the form stays at its top (its first filter,
	// «Номер смены», in view); only a search the cashier asked for scrolls to its result.
	s.find(false, false)
	return s
}

func (s *historyScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	var kinds, states []string
	for _, k := range historyKinds() {
		kinds = append(kinds, l.T(k.id))
	}
	for _, st := range historyStates() {
		states = append(states, l.T(st.id))
	}
	kind := widget.NewSelect(kinds, nil)
	kind.SetSelectedIndex(s.kind)
	kind.OnChanged = func(string) { s.kind = kind.SelectedIndex() }
	state := widget.NewSelect(states, nil)
	state.SetSelectedIndex(s.state)
	state.OnChanged = func(string) { s.state = state.SelectedIndex() }
	hint := strings.NewReplacer("02", l.T("history.dd"), "01", l.T("history.mm"), "2006", l.T("history.yyyy")).Replace(dateLayout(l))
	find := func(string) { s.search(false) }
	shift := entry(&s.shift, l.T("history.shift.hint"))
	number := entry(&s.number, l.T("history.number.hint"))
	from, to := u.dateEntry(&s.from, hint), u.dateEntry(&s.to, hint) // typed, or chosen on the calendar
	amountFrom, amountTo := entry(&s.amountFrom, l.T("history.amount.from.hint")), entry(&s.amountTo, l.T("history.amount.to.hint"))
	for _, e := range []*widget.Entry{shift, number, from, to, amountFrom, amountTo} {
		e.OnSubmitted = find
	}
	// A refusal of the filter sits under the field it is about (the shift, the dates, the
	// amounts), where the cashier looks; any other under «Найти».
	errAt := func(at historyField) *msgLabel {
		if s.err == nil || s.errAt != at {
			return errorText("")
		}
		return errorText(l.Error(s.err))
	}
	shiftErr, datesErr, amountsErr := errAt(atShift), errAt(atDates), errAt(atAmounts)
	// Editing a field the refusal is about makes the refusal stale (a cleared date no longer
	// refused): it goes at once.
	staleOnEdit := func(msg *msgLabel, at historyField, entries ...*widget.Entry) {
		for _, e := range entries {
			set := e.OnChanged
			e.OnChanged = func(v string) {
				set(v)
				if s.err != nil && s.errAt == at {
					s.err = nil
					msg.Hide()
				}
			}
		}
	}
	staleOnEdit(shiftErr, atShift, shift)
	staleOnEdit(datesErr, atDates, from, to)
	staleOnEdit(amountsErr, atAmounts, amountFrom, amountTo)
	filters := container.NewVBox(
		field(l.T("history.shift"), shift), shiftErr,
		container.NewGridWithColumns(2,
			field(l.T("history.from"), from),
			field(l.T("history.to"), to)),
		datesErr,
		field(l.T("history.number"), number),
		field(l.T("history.amount"), container.NewGridWithColumns(2, amountFrom, amountTo)), amountsErr,
		field(l.T("history.kind"), kind),
		field(l.T("history.state"), state),
		widget.NewButtonWithIcon(l.T("history.search"), theme.SearchIcon(), func() { s.search(false) }),
		errAt(atSearch),
	)
	s.list = container.NewVBox()
	for _, d := range s.docs {
		s.list.Add(s.item(d))
	}
	if len(s.docs) == 0 && !s.busy {
		s.list.Add(widget.NewLabel(l.T("history.empty")))
	}
	s.moreB = widget.NewButton(l.T("history.more"), func() { s.search(true) })
	if !s.more {
		s.moreB.Hide()
	}
	if s.busy {
		s.moreB.Disable()
	}
	s.scroll = container.NewVScroll(container.NewVBox(filters, widget.NewSeparator(), s.list, s.moreB))
	return container.NewBorder(u.header(l.T("reports.history"), true), nil, nil, nil, s.scroll)
}

// item is a document of the list; tapping it shows the document, to share or print it again.
func (s *historyScreen) item(d IssuedDocument) fyne.CanvasObject {
	u := s.u
	return u.documentItem(d, func() { u.open(newListedDocumentScreen(u, d)) })
}

// filter reads the typed filter.
func (s *historyScreen) filter() (HistoryFilter, historyField, error) {
	k := historyKinds()[s.kind]
	f := HistoryFilter{Kind: k.kind, Operation: k.operation, State: historyStates()[s.state].state,
		Number: strings.TrimSpace(s.number), Limit: historyPage}
	if t := strings.TrimSpace(s.shift); t != "" {
		n, ok := parseUint32(t)
		if !ok {
			return f, atShift, ErrShiftFormat
		}
		f.Shift = n
	}
	if t := strings.TrimSpace(s.from); t != "" {
		d, err := parseDate(s.u.loc, t) // 31.02 is refused as no date, «31/02» as a wrong form
		if err != nil {
			return f, atDates, err
		}
		f.From = d
	}
	if t := strings.TrimSpace(s.to); t != "" {
		d, err := parseDate(s.u.loc, t)
		if err != nil {
			return f, atDates, err
		}
		f.To = d.AddDate(0, 0, 1) // the whole last day
	}
	// One amount alone is that amount exactly; an upper bound alone is everything up to it.
	if t := strings.TrimSpace(s.amountFrom); t != "" {
		m, err := kkm.ParseMoney(t)
		if err != nil {
			return f, atAmounts, err
		}
		f.AmountFrom, f.AmountTo = m, m
	}
	if t := strings.TrimSpace(s.amountTo); t != "" {
		m, err := kkm.ParseMoney(t)
		if err != nil {
			return f, atAmounts, err
		}
		f.AmountTo = m
	}
	return f, atSearch, nil
}

// search loads the first page of what the filter selects, or, when more is set, the page after
// the last document shown, of the search the list shows.
func (s *historyScreen) search(more bool) { s.find(more, true) }

// find is search; reveal scrolls a first page's first document into view (a search the cashier
// asked for), which the page loaded with the screen must not do: at 360×640 it scrolled the
// form's first field out of sight before the cashier touched anything (walker S4 W8).
func (s *historyScreen) find(more, reveal bool) {
	u := s.u
	f := s.query
	if more && len(s.docs) > 0 {
		f.Before = s.docs[len(s.docs)-1].Seq
	} else {
		var err error
		f, s.errAt, err = s.filter()
		s.err = err
		if err != nil {
			u.render()
			return
		}
		more = false
	}
	s.busy = true
	if more && s.moreB != nil {
		s.moreB.Disable()
	}
	u.background(func(ctx context.Context) func() {
		p, err := u.ports.Journal.History(ctx, f)
		return func() {
			s.busy = false
			s.err, s.errAt = err, atSearch
			if err != nil {
				if u.current == s {
					u.render()
				}
				return
			}
			f.Before = 0
			s.query = f
			s.more = p.More
			if !more {
				s.docs = p.Documents
				if u.current == s {
					u.render()
					// The result is under the whole form: «Найти» would seem to do nothing.
					if reveal && s.scroll != nil && len(s.list.Objects) > 0 {
						scrollIntoView(s.scroll, s.list.Objects[0])
					}
				}
				return
			}
			s.docs = append(s.docs, p.Documents...)
			if u.current == s {
				s.extend(p.Documents)
			}
		}
	})
}

// extend adds a further page to the list shown, in place, so the list stays scrolled where the
// cashier tapped «Показать ещё».
func (s *historyScreen) extend(docs []IssuedDocument) {
	if s.list == nil || s.moreB == nil {
		s.u.render()
		return
	}
	for _, d := range docs {
		s.list.Add(s.item(d))
	}
	s.moreB.Enable()
	if !s.more {
		s.moreB.Hide()
	}
	s.list.Refresh()
}

// documentItem is a document in a list: a button with its title, and its time and amount under
// it, wrapped at words so the list fits a phone's width.
func (u *UI) documentItem(d IssuedDocument, tapped func()) fyne.CanvasObject {
	l := u.loc
	detail := dateTime(l, d.Document.Time)
	if t := d.Document.Total(); t != 0 {
		detail += " · " + money(l, t)
	}
	if awaitsAnswer(d) {
		detail += " · " + l.T("doc.waiting")
	}
	info := wrapped(detail) // time, amount and state: wrapped at words, never cut, never inside the amount
	if d.Refused != nil {
		// A clear mark: the document is in the journal but the OFD never counted it.
		info.SetText(l.T("doc.refused.short") + " · " + detail)
		info.Importance = widget.DangerImportance
	}
	// The title wraps too: «Сатып алуды қайтару №12345, ауысым 1234» at 130 % is wider than a
	// phone, and a button that does not wrap widened the whole window (walker S8).
	return container.NewVBox(newWrapButton(documentTitle(l, d.Document), tapped), info)
}
