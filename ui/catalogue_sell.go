package ui

import (
	"context"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/kkm"
)

// Selling from the catalogue on the register screen (issue 14.2):
//
//   - a search field over the extended form finds items as the cashier types, by name, barcode,
//     NTIN or code; a result tapped goes on the receipt (one piece, or the quantity asked for an
//     item sold by weight or measure);
//   - the grid button beside the field shows the favourites as a grid of large buttons, one tap
//     one piece;
//   - a barcode scanner acting as a keyboard adds the item it reads, or one more of it, from
//     either tab without a field focused (its keys are told from typing by their pace,
//     barcode.KeyboardScanner; keyboard.go routes them here), and out of the search field when
//     the field has the focus (scanEntry takes the burst back out of the text);
//   - a scale label (prefixes 20–29, kkm.ScaleFormat) adds the weighed item with its weight or
//     price; an unknown barcode offers to create the item with that code, or tells a cashier
//     without the permission whom to ask; a marked item asks for its marking code as the
//     marked-goods flow does, and a marking code scanned is the unit itself.

// catalogueSale is the extended form's catalogue part. It keeps its list and grid between
// renders: a render only moves them into the new view.
type catalogueSale struct {
	sale    *extendedSale
	query   string
	showFav bool // «Таңдаулылар» chosen instead of the receipt
	note    error
	run     searchRun
	results *itemList
	favs    *favouritesGrid
	favLoad bool // the favourites are loaded (again after the catalogue changed)

	center            *fyne.Container // the form, the results or the favourites
	form              fyne.CanvasObject
	noteL             *msgLabel
	favBtn            *widget.Button     // the favourites' grid on and off
	row               *fyne.Container    // the search field, that button and the last refusal
	slots             [3]*fyne.Container // where the row sits: atop the form, the results, the favourites
	placed            *fyne.Container    // the center last arranged by switchCenter, and for which view
	placedAt          int
	resultsView       fyne.CanvasObject
	lastResults       []kkm.Item
	windowKeys        *fieldScan // the register's keys with no field focused (keys)
	lastAdded         string     // the name of the item the last scan or tap put on the receipt
	now               func() time.Time
	scanEntryNow      func() time.Time // the search field's clock (tests replay a pace)
	searchField       *scanEntry
	resultsEmpty      *msgLabel
	resultsEmptyShown bool
}

func newCatalogueSale(sale *extendedSale) *catalogueSale {
	c := &catalogueSale{sale: sale, now: time.Now, scanEntryNow: time.Now}
	u := sale.u
	c.run = searchRun{u: u, show: c.found}
	c.results = newItemList(u.loc, func(it kkm.Item) { c.query = ""; c.sell(it, "") })
	c.favs = newFavouritesGrid(u.loc, func(it kkm.Item) { c.sell(it, "") })
	return c
}

// scaleFormats are the scale labels' layouts this register reads (the settings' ScaleLabels, or
// the default layout for every prefix 20–29).
func scaleFormats(s kkm.Settings) kkm.ScaleFormats { return s.ScaleLabels.Effective() }

// formSlot is where the search row sits on the receipt's form: its first line, inside the form's
// scroll, so that the row takes none of the fixed height a small phone at a large text size needs
// for the total and «Далее». view puts it at the top of the form before wrap.
func (c *catalogueSale) formSlot() fyne.CanvasObject {
	c.slots[0] = container.NewStack()
	if c.sale.u.ports.Catalogue == nil {
		c.slots[0].Hide()
	}
	return c.slots[0]
}

// wrap puts the catalogue's search, the favourites and the results around the extended form.
func (c *catalogueSale) wrap(form fyne.CanvasObject) fyne.CanvasObject {
	u, l := c.sale.u, c.sale.u.loc
	if u.ports.Catalogue == nil {
		return form
	}
	c.results.l, c.favs.l = l, l
	if !c.favLoad {
		c.loadFavourites()
	}
	c.form = form
	c.searchField = newScanEntry(c.scannedInField, func() time.Time { return c.scanEntryNow() })
	bind(&c.searchField.Entry, &c.query, l.T("catsell.search.hint"))
	bound := c.searchField.OnChanged
	c.searchField.OnChanged = func(v string) {
		bound(v)
		c.note = nil
		c.showNote()
		c.run.search(v)
		c.switchCenter()
	}
	c.searchField.OnSubmitted = func(string) { c.submitted() }
	c.noteL = errorText("")
	c.showNote()
	// One button beside the field shows the favourites' grid instead of the receipt, and back.
	c.favBtn = widget.NewButtonWithIcon("", theme.GridIcon(), func() { c.choose(!c.showFav) })
	c.row = container.NewVBox(container.NewBorder(nil, nil, nil, c.favBtn, c.searchField), c.noteL)
	c.resultsEmpty = wrapped(l.T("catsell.none"))
	c.slots[1], c.slots[2] = container.NewStack(), container.NewStack()
	if c.slots[0] == nil {
		c.formSlot()
	}
	c.resultsView = container.NewBorder(container.NewVBox(c.slots[1], c.resultsEmpty), nil, nil, nil, c.results.list)
	c.center = container.NewStack(form, c.resultsView, container.NewBorder(c.slots[2], nil, nil, nil, c.favs.grid))
	c.switchCenter()
	return c.center
}

// choose shows the receipt's form or the favourites.
func (c *catalogueSale) choose(fav bool) {
	c.showFav = fav
	c.switchCenter()
}

// switchCenter shows the results while something is typed, else the form or the favourites, and
// moves the search row to the top of the one shown (the field keeps the focus: it is the same
// widget).
func (c *catalogueSale) switchCenter() {
	if c.center == nil {
		return
	}
	searching := c.query != ""
	at := 0
	switch {
	case searching:
		at = 1
	case c.showFav:
		at = 2
	}
	empty := searching && c.resultsEmptyShown
	if c.placed == c.center && c.placedAt == at {
		// The same view as before this key: only the «nothing found» line may change. The form
		// is not laid out again for every key typed.
		if c.resultsEmpty.Hidden == empty {
			showIf(c.resultsEmpty, empty)
		}
		return
	}
	c.placed, c.placedAt = c.center, at
	objs := c.center.Objects
	showIf(objs[0], at == 0)
	showIf(objs[1], at == 1)
	showIf(objs[2], at == 2)
	for i, slot := range c.slots {
		if slot == nil {
			continue
		}
		want := i == at
		if has := len(slot.Objects) > 0; has != want {
			slot.Objects = nil
			if want {
				slot.Objects = []fyne.CanvasObject{c.row}
			}
			slot.Refresh()
		}
	}
	c.resultsEmpty.Hidden = !empty
	c.favBtn.Importance = widget.MediumImportance
	if !searching && c.showFav {
		c.favBtn.Importance = widget.HighImportance
	}
	c.favBtn.Refresh()
	c.center.Refresh()
}

// showNote shows the last refusal of a scan or a tap, or nothing.
func (c *catalogueSale) showNote() {
	if c.noteL == nil {
		return
	}
	c.noteL.SetText(c.sale.u.loc.Error(c.note))
	c.noteL.Hidden = c.note == nil
	c.noteL.Refresh()
}

// found shows a search's answer, while something is still typed.
func (c *catalogueSale) found(items []kkm.Item, err error) {
	if err != nil {
		c.note = err
		c.showNote()
		return
	}
	c.lastResults = items
	c.resultsEmptyShown = len(items) == 0
	c.results.show(items)
	c.switchCenter()
}

// loadFavourites reads the favourites into the grid.
func (c *catalogueSale) loadFavourites() {
	u := c.sale.u
	c.favLoad = true
	u.background(func(ctx context.Context) func() {
		items, err := u.ports.Catalogue.Favourites(ctx, favouritesLimit)
		return func() {
			if err != nil {
				c.note = err
				c.showNote()
				return
			}
			c.favs.show(items)
		}
	})
}

// submitted is Enter in the search field: the first item found goes on the receipt; with none
// found, what was typed is read as a barcode when it may be one (codeLike: typed by hand, or by a
// scanner too slow to tell).
func (c *catalogueSale) submitted() {
	text := c.query
	if text == "" {
		return
	}
	if len(c.lastResults) > 0 {
		it := c.lastResults[0]
		c.query = ""
		c.sell(it, "")
		return
	}
	if !codeLike(text) {
		return // a name nothing matched: «nothing found» is shown, and the text stays to be corrected
	}
	c.query = ""
	c.scan(text)
}

// codeLike tells typed text that may be a code (digits, with Latin letters and signs as a Code 128
// or a marking code has) from a name: with a space, a letter outside Latin, or no digit at all it
// is a name, and Enter on a name nothing matched must not offer to create an item with the code
// «rbbb» that kkm.ReadBarcode reads «киии» as (a scanner typing through the Russian layout).
func codeLike(text string) bool {
	digit := false
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r == ' ' || r > unicode.MaxASCII:
			return false
		}
	}
	return digit
}

// scannedInField takes a scan that landed in the focused search field: the field already has its
// text back as before the burst.
func (c *catalogueSale) scannedInField(code string) { c.scan(code) }

// scan looks up a scanned or typed code and sells its item: a scale label's item with its weight
// or price, any other barcode's item one more. The extended tab shows what was added.
func (c *catalogueSale) scan(raw string) {
	u, s := c.sale.u, c.sale
	cat := u.ports.Catalogue
	if cat == nil {
		return
	}
	s.reg.tab = tabExtended
	c.showFav = false
	c.note = nil
	c.showNote() // the last refusal goes as the next scan comes (a dialog may follow it)
	if label, ok, err := scaleFormats(u.ports.Settings.Settings()).ReadScaleLabel(raw); ok {
		if err != nil {
			c.refuse(err)
			return
		}
		u.background(func(ctx context.Context) func() {
			it, found, err := cat.ItemByCode(ctx, label.Code)
			return func() {
				switch {
				case err != nil:
					c.refuse(err)
				case !found:
					c.offerCreate(kkm.Item{Code: label.Code, Unit: "166"}, func(it kkm.Item) { c.sellWeighed(it, label) })
				case it.Archived:
					c.refuse(&kkm.Error{Code: errItemArchived, Data: map[string]any{"Name": it.Name}})
				default:
					c.sellWeighed(it, label)
				}
			}
		})
		return
	}
	b, err := kkm.ReadBarcode(raw)
	if err != nil {
		c.refuse(err)
		return
	}
	u.background(func(ctx context.Context) func() {
		it, found, err := cat.ItemByBarcode(ctx, raw)
		return func() {
			switch {
			case err != nil:
				c.refuse(err)
			case !found:
				c.offerCreate(kkm.Item{Barcodes: []string{b.Key}}, func(it kkm.Item) { c.sell(it, raw) })
			case it.Archived:
				c.refuse(&kkm.Error{Code: errItemArchived, Data: map[string]any{"Name": it.Name}})
			default:
				c.sell(it, raw)
			}
		}
	})
}

// errItemArchived refuses to sell an archived item: {{.Name}}.
const errItemArchived = "err.catsell.archived"

// errScanUnknown is the message for an unknown barcode when the cashier may not create items:
// {{.Code}}.
const errScanUnknown = "err.catsell.unknown"

// refuse shows why a scan or a tap sold nothing.
func (c *catalogueSale) refuse(err error) {
	c.note = err
	c.sale.u.render()
}

// offerCreate offers to create the item a scan did not find, with its code; saved, it is sold
// (then). A cashier who may not change the catalogue is told so, and whom to ask.
func (c *catalogueSale) offerCreate(it kkm.Item, then func(kkm.Item)) {
	u, l := c.sale.u, c.sale.u.loc
	code := it.Code
	if len(it.Barcodes) > 0 {
		code = kkm.DisplayBarcode(it.Barcodes[0])
	}
	ask := func() {
		u.confirmText("catsell.unknown.title", l.T("catsell.unknown.offer", map[string]any{"Code": code}), "catsell.unknown.create", func() {
			if it.Unit == "" {
				it.Unit = kkm.UnitPiece
			}
			it.VATRate = kkm.VATDefault
			u.open(newItemEditScreen(u, it, func(saved kkm.Item) {
				u.catalogueChanged()
				then(saved)
			}))
		})
	}
	adm := u.ports.Access
	if adm == nil {
		ask()
		return
	}
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		err := adm.Allow(ctx, by, kkm.ActionCatalogue)
		return func() {
			if err != nil {
				c.note = &kkm.Error{Code: errScanUnknown, Data: map[string]any{"Code": code}}
				u.render()
				u.inform("catsell.unknown.title", l.Error(c.note))
				return
			}
			ask()
		}
	})
}

// sameItem reports whether a line of the receipt sells the item as it is now: a scan of it adds
// one to that line instead of a line of its own.
func sameItem(ln kkm.LineDraft, it kkm.Item) bool {
	return ln.Name == it.Name && ln.NTIN == it.NTIN && ln.Unit == it.Unit && ln.Price == it.Price &&
		ln.VATRate == it.VATRate && ln.Marked == it.Marked && ln.Modifier == nil
}

// sell puts the item on the receipt: one more of it, or, for an item sold by weight or measure,
// the quantity asked. raw is the code scanned: a marked item's marking code is the unit itself.
func (c *catalogueSale) sell(it kkm.Item, raw string) {
	s := c.sale
	it = c.forRegister(it)
	s.reg.tab = tabExtended
	c.note = nil
	if fractional(it.Unit) {
		c.askQuantity(it, func(q kkm.Quantity) { c.addLine(it.Line(q)) })
		return
	}
	var code string
	if it.Marked != "" {
		if mc, err := kkm.ParseMarkingCode(raw); err == nil {
			code = mc.String()
		}
	}
	for i, ln := range s.lines {
		if !sameItem(ln, it) {
			continue
		}
		q := ln.Quantity + kkm.QuantityOne
		if q > kkm.MaxQuantity {
			c.refuse(&kkm.Error{Code: kkm.ErrQuantityOverflow, Data: map[string]any{"Max": kkm.MaxQuantity}})
			return
		}
		s.lines[i].Quantity = q
		c.markedNext(i, code)
		return
	}
	s.lines = append(s.lines, it.Line(kkm.QuantityOne))
	c.markedNext(len(s.lines)-1, code)
}

// markedNext finishes a line after one more unit: a marked line takes the code scanned, or asks
// for it on the marking screen; any other shows the receipt.
func (c *catalogueSale) markedNext(i int, code string) {
	u, s := c.sale.u, c.sale
	ln := s.lines[i]
	c.lastAdded = ln.Name
	if ln.Marked == "" {
		u.render()
		return
	}
	m := newMarkingScreen(u, s, i)
	if code != "" {
		if err := m.accept(code); err == nil {
			u.render()
			return
		}
	}
	u.open(m)
}

// sellWeighed puts a scale label's item on the receipt with the label's weight or sum.
func (c *catalogueSale) sellWeighed(it kkm.Item, label kkm.ScaleLabel) {
	it = c.forRegister(it)
	ln, err := it.ScaleLine(label)
	if err != nil {
		c.refuse(err)
		return
	}
	c.addLine(ln)
}

// addLine puts a line on the receipt, checked as the receipt will check it.
func (c *catalogueSale) addLine(ln kkm.LineDraft) {
	s := c.sale
	s.reg.tab = tabExtended
	s.lines = append(s.lines, ln)
	c.lastAdded = ln.Name
	if ln.Marked != "" {
		c.markedNext(len(s.lines)-1, "")
		return
	}
	s.u.render()
}

// askQuantity asks how much of an item sold by weight or measure goes on the receipt, on the
// decimal keypad; then gets the quantity typed.
func (c *catalogueSale) askQuantity(it kkm.Item, then func(kkm.Quantity)) {
	u, l := c.sale.u, c.sale.u.loc
	var typed string
	e := newPadEntry(nil)
	bind(&e.Entry, &typed, l.T("catsell.quantity.hint", map[string]any{"Unit": unitName(l, it.Unit)}))
	e.text = true
	msg := errorText("")
	msg.Hide()
	var d dialog.Dialog
	add := func() {
		q, err := kkm.ParseQuantity(typed)
		if err == nil {
			_, err = kkm.MulQuantity(it.Price, q)
		}
		if err != nil {
			msg.SetText(l.Error(err))
			msg.Show()
			return
		}
		d.Hide()
		then(q)
	}
	e.OnSubmitted = func(string) { add() }
	head := wrapped(it.Name)
	head.TextStyle = fyne.TextStyle{Bold: true}
	ok := primary(l.T("item.add"), add)
	content := container.NewVBox(head, wrapped(itemDetail(l, it)), e, msg, u.decimalPad(func() *padEntry { return e }), ok,
		widget.NewButton(l.T("button.cancel"), func() { d.Hide() }))
	d = dialog.NewCustomWithoutButtons("", content, u.win)
	u.showDialog(d)
	u.win.Canvas().Focus(e)
}

// catalogueChanged reloads what the sale shows of the catalogue after an item changed.
func (u *UI) catalogueChanged() {
	if u.reg != nil && u.reg.extended.cat != nil {
		u.reg.extended.cat.favLoad = false
	}
}

// scanEntry is a text field that notices a barcode scanner typing into it (fieldScan): a burst of
// keys ending in Enter at a scanner's pace is taken back out of the text and handed to onScan, so
// a scan while the cashier's cursor is in the field sells the item instead of searching for its
// digits.
type scanEntry struct {
	widget.Entry
	scan *fieldScan
}

func newScanEntry(onScan func(code string), now func() time.Time) *scanEntry {
	e := &scanEntry{}
	e.scan = newFieldScan(now, func() func() {
		before := e.Text
		return func() { e.SetText(before) }
	}, onScan)
	e.ExtendBaseWidget(e)
	return e
}

// TypedRune times the key before the field takes it.
func (e *scanEntry) TypedRune(r rune) {
	e.scan.rune(r)
	e.Entry.TypedRune(r)
}

// TypedKey takes a scanner's Enter; any other key, or an Enter typed by a person, is the field's.
func (e *scanEntry) TypedKey(k *fyne.KeyEvent) {
	if e.scan.key(k.Name) {
		return
	}
	e.Entry.TypedKey(k)
}

// scanRune takes a key typed on the register screen with no field focused: the simple tab's
// keypad gets it as before, and the catalogue's fieldScan times it (keyboard.go); a run that
// turns out to be a scan leaves the keypad as it was before the run.
func (s *registerScreen) scanRune(r rune) {
	if s.u.ports.Catalogue != nil {
		s.extended.catalogue().keys().rune(r)
	}
	s.u.padRune(r)
}

// scanEnter takes Enter with no field focused: the end of a scan, or else the simple keypad's
// «ВВОД =».
func (s *registerScreen) scanEnter() {
	if s.u.ports.Catalogue != nil && s.extended.catalogue().keys().enter() {
		return
	}
	if s.u.onRegister() && s.tab == tabSimple {
		s.u.keyPad("=")
	}
}

// keys is the pace test of the window's keys on the register screen: a scan puts the simple
// keypad back as it was before the scan's first key, refusal included.
func (c *catalogueSale) keys() *fieldScan {
	if c.windowKeys == nil {
		c.windowKeys = newFieldScan(func() time.Time { return c.now() }, func() func() {
			reg := c.sale.reg
			in := reg.simple.in
			in.terms = append([]kkm.Money(nil), in.terms...)
			return func() { reg.simple.in = in }
		}, c.scan)
	}
	return c.windowKeys
}

// fieldScans makes a field of the sale tell a scanner's keys from typing (padEntry.noticeScans):
// the scan sells its item, the field and what the form made of it are put back (keep), and the
// field, rebuilt with the form, gets the focus back (refocus is called when it is rebuilt).
func (c *catalogueSale) fieldScans(e *padEntry, keep func() func(), refocus func()) {
	if c.sale.u.ports.Catalogue == nil {
		return
	}
	e.noticeScans(func() time.Time { return c.scanEntryNow() }, keep, func(code string) {
		refocus()
		c.scan(code)
	})
}

var _ keyScanTarget = (*registerScreen)(nil)

// showIf shows or hides o.
func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// scannedNote says, on the item form, which item a scan into its quantity or price put on the
// receipt (the form itself stays as the cashier typed it); empty before such a scan.
func (s *itemScreen) scannedNote() fyne.CanvasObject {
	c := s.sale.cat
	switch {
	case !s.scanned || c == nil:
		return container.NewStack()
	case c.note != nil:
		return errorText(s.u.loc.Error(c.note)) // the scan sold nothing: why
	case c.lastAdded == "":
		return container.NewStack()
	}
	return wrapped(s.u.loc.T("catsell.scan.added", map[string]any{"Name": c.lastAdded}))
}

// forRegister is the item as this register sells it: a register whose organization pays no VAT
// sells at its default rate (none), whatever rate the item carries — a price list imported from a
// VAT payer, or the hub's catalogue of an owner whose other shops pay it, named rates that kkm
// refuses on this register's receipt, and the cashier could sell none of those goods (seen in the
// walk: «ставку НДС указать нельзя» under every line from the price list).
func (c *catalogueSale) forRegister(it kkm.Item) kkm.Item {
	if !c.sale.u.ports.Settings.Settings().VATPayer {
		it.VATRate = kkm.VATDefault
	}
	return it
}
