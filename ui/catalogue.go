package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/barcode"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// «Тауарлар каталогы» (Каталог товаров): the shop's goods, found as the cashier types, created,
// edited, archived and brought back. Every cashier may look; creating, editing and archiving are
// for the roles the owner allows (kkm.ActionCatalogue), asked before the item's screen opens and
// checked again by the catalogue when it saves.

// catalogueScreen lists the catalogue: a search as you type over the items on sale or the
// archived ones, and «Жаңа тауар».
type catalogueScreen struct {
	u *UI
	// cat is the catalogue shown: the register's own (Ports.Catalogue), or with owner the
	// organization's at the hub (the owner mode, owner_catalogue.go).
	cat      Catalogue
	owner    OwnerCatalogue
	regsEdit bool // the owner lets registers change the hub's catalogue
	regsBusy bool
	regsErr  error
	query    string
	archived bool
	err      error
	stale    bool // the catalogue may have changed behind the list (an import): search again

	run   searchRun
	list  *itemList
	errL  *msgLabel
	count *msgLabel
}

func newCatalogueScreen(u *UI) *catalogueScreen {
	return newCatalogueScreenOf(u, u.ports.Catalogue, nil)
}

// newCatalogueScreenOf lists cat; owner is set when cat is the organization's at the hub.
func newCatalogueScreenOf(u *UI, cat Catalogue, owner OwnerCatalogue) *catalogueScreen {
	s := &catalogueScreen{u: u, cat: cat, owner: owner}
	s.run = searchRun{u: u, cat: cat, show: s.found}
	s.list = newItemList(u.loc, func(it kkm.Item) { s.edit(it) })
	s.errL, s.count = errorText(""), wrapped("")
	s.count.Hide()
	s.run.search("")
	return s
}

func (s *catalogueScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	s.list.l = l
	search := entry(&s.query, l.T("catsell.search.hint"))
	bound := search.OnChanged
	search.OnChanged = func(v string) { bound(v); s.run.search(v) }
	chosen := 0
	if s.archived {
		chosen = 1
	}
	which := segmented([]string{l.T("catsell.on_sale"), l.T("catsell.archived")}, chosen, func(i int) {
		s.archived = i == 1
		s.run.archived = s.archived
		s.run.search(s.query)
		u.render()
	})
	s.errL.SetText(l.Error(s.err))
	s.errL.Hidden = s.err == nil
	title := l.T("catsell.title")
	if s.owner != nil {
		title = l.T("hubowner.catalogue.title")
	}
	top := container.NewVBox(u.header(title, true), search, which, s.errL, s.count)
	if s.stale {
		s.stale = false
		s.run.search(s.query)
	}
	var bottom fyne.CanvasObject = primary(l.T("catsell.new"), func() { s.create(nil) })
	if s.owner != nil {
		return s.ownerView(top, bottom)
	}
	if u.ports.PriceLists != nil {
		// The price lists' import and export (pricelist.go): what it imports is listed on return.
		prices := widget.NewButtonWithIcon("", theme.UploadIcon(), func() {
			s.stale = true
			u.catalogueChanged()
			u.OpenPriceLists()
		})
		bottom = container.NewBorder(nil, nil, nil, prices, bottom)
	}
	return container.NewBorder(top, bottom, nil, nil, s.list.list)
}

// found shows a search's answer.
func (s *catalogueScreen) found(items []kkm.Item, err error) {
	s.err = err
	s.errL.SetText(s.u.loc.Error(err))
	s.errL.Hidden = err == nil
	s.errL.Refresh()
	if err == nil {
		s.list.show(items)
	}
	s.count.SetText("")
	s.count.Hide()
	if err == nil && len(items) == 0 {
		s.count.SetText(s.u.loc.T("catsell.none"))
		s.count.Show()
	}
}

// edit opens an item's screen, when the cashier may change the catalogue.
func (s *catalogueScreen) edit(it kkm.Item) {
	s.u.allowThen(kkm.ActionCatalogue, func() {
		s.u.open(s.itemScreen(it))
	})
}

// itemScreen is an item's screen over the catalogue shown, which lists again once it is saved.
func (s *catalogueScreen) itemScreen(it kkm.Item) *itemEditScreen {
	e := newItemEditScreen(s.u, it, func(kkm.Item) {
		if s.owner == nil {
			s.u.catalogueChanged()
		}
		s.run.search(s.query)
	})
	e.cat = s.cat
	return e
}

// create opens the screen of a new item, with barcode when one was scanned.
func (s *catalogueScreen) create(codes []string) {
	s.u.allowThen(kkm.ActionCatalogue, func() {
		it := kkm.Item{Unit: kkm.UnitPiece, VATRate: kkm.VATDefault, Barcodes: codes}
		s.u.open(s.itemScreen(it))
	})
}

// itemEditScreen creates or edits one item: its name as in the НКТ, NTIN, the shop's code, any
// number of barcodes (each read by kkm.ReadBarcode as it is added), unit with its ЕСФ code, price
// on the decimal keypad, VAT rate, marked group and the favourite flag; an item saved before can
// be archived or brought back. saved runs with the item as the catalogue saved it.
type itemEditScreen struct {
	u      *UI
	item   kkm.Item // as it came: its ID, and whether it is archived
	name   string
	ntin   string
	code   string
	codes  []string // barcode keys
	typed  string   // the barcode field
	unit   string
	price  string
	vat    kkm.VATRate
	marked kkm.MarkedGroup
	fav    bool
	saved  func(kkm.Item)
	cat    Catalogue // where it is saved; nil: the register's own (Ports.Catalogue)

	err     error
	errAt   editField
	busy    bool
	priceE  *padEntry
	scanner barcode.KeyboardScanner
	now     func() time.Time
}

// editField is where on the item's screen an error belongs.
type editField int

const (
	editName editField = iota
	editNTIN
	editCode
	editBarcode
	editPrice
	editOther // unit, marked group, a save refused: at the bottom
)

func newItemEditScreen(u *UI, it kkm.Item, saved func(kkm.Item)) *itemEditScreen {
	s := &itemEditScreen{u: u, item: it, name: it.Name, ntin: it.NTIN, code: it.Code,
		codes: append([]string(nil), it.Barcodes...), unit: it.Unit, vat: it.VATRate, marked: it.Marked,
		fav: it.Favourite, saved: saved, now: time.Now}
	if s.unit == "" {
		s.unit = kkm.UnitPiece
	}
	if it.Price > 0 {
		s.price = plainMoney(u.loc, it.Price)
	}
	// A new item's barcodes come as scanned: read them to their keys as any other.
	for i, c := range s.codes {
		if b, err := kkm.ReadBarcode(c); err == nil {
			s.codes[i] = b.Key
		}
	}
	s.scanner.OnScan = s.addBarcode
	return s
}

func (s *itemEditScreen) view() fyne.CanvasObject {
	u, l := s.u, s.u.loc
	errAt := func(f editField) *msgLabel {
		if s.err != nil && s.errAt == f {
			return errorText(l.Error(s.err))
		}
		e := errorText("")
		e.Hide()
		return e
	}
	name := entry(&s.name, l.T("item.name.hint"))
	ntin := wholeEntry(&s.ntin, l.T("item.ntin.hint", map[string]any{"Max": kkm.MaxNTINLength}))
	code := entry(&s.code, l.T("catsell.code.hint"))
	body := container.NewVBox(
		field(l.T("catsell.name"), container.NewVBox(name, errAt(editName))),
		container.NewVBox(wrapped(l.T("item.ntin")), ntin, errAt(editNTIN)),
		field(l.T("catsell.code"), container.NewVBox(code, errAt(editCode))),
	)
	// The barcodes: one row each with its removal, then the field a scanner types into.
	bars := container.NewVBox(bold(l.T("catsell.barcodes")))
	for i, c := range s.codes {
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			s.codes = append(s.codes[:i:i], s.codes[i+1:]...)
			u.render()
		})
		bars.Add(container.NewBorder(nil, nil, nil, remove, wrapped(kkm.DisplayBarcode(c))))
	}
	typed := entry(&s.typed, l.T("catsell.barcode.hint"))
	typed.OnSubmitted = func(string) { s.addTyped() }
	bars.Add(container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.ContentAddIcon(), s.addTyped), typed))
	bars.Add(errAt(editBarcode))
	body.Add(bars)

	units := kkm.Units()
	names := make([]string, len(units))
	for i, un := range units {
		names[i] = l.T("catsell.unit", map[string]any{"Name": unitName(l, un.Code), "Code": un.Code})
	}
	unit := widget.NewSelect(names, nil)
	for i, un := range units {
		if un.Code == s.unit {
			unit.SetSelectedIndex(i)
		}
	}
	unit.OnChanged = func(string) { s.unit = units[unit.SelectedIndex()].Code }
	body.Add(field(l.T("item.unit"), unit))

	s.priceE = newPadEntry(nil)
	bind(&s.priceE.Entry, &s.price, l.T("sale.amount.hint"))
	s.priceE.text = true // an amount has a decimal comma, which the numeric keyboard lacks
	body.Add(field(l.T("item.price"), container.NewVBox(s.priceE, errAt(editPrice))))
	body.Add(u.decimalPad(func() *padEntry { return s.priceE }))

	set := u.ports.Settings.Settings()
	if set.VATPayer {
		body.Add(field(l.T("item.vat"), vatSelect(l, set.DefaultVATRate, s.vat, func(r kkm.VATRate) { s.vat = r })))
	}

	groups := append([]kkm.MarkedGroup{""}, kkm.MarkedGroups()...)
	gnames := make([]string, len(groups))
	for i, g := range groups {
		gnames[i] = l.T("catsell.not_marked")
		if g != "" {
			gnames[i] = l.T(g.MessageID())
		}
	}
	group := widget.NewSelect(gnames, nil)
	for i, g := range groups {
		if g == s.marked {
			group.SetSelectedIndex(i)
		}
	}
	group.OnChanged = func(string) { s.marked = groups[group.SelectedIndex()] }
	body.Add(field(l.T("item.marked.group"), group))
	body.Add(check(&s.fav, l.T("catsell.favourite"), nil))
	body.Add(errAt(editOther))

	save := primary(l.T("item.save"), s.save)
	actions := []fyne.CanvasObject{save}
	if s.item.ID != 0 {
		label := "catsell.archive"
		if s.item.Archived {
			label = "catsell.unarchive"
		}
		actions = append(actions, widget.NewButton(l.T(label), s.archive))
	}
	if s.busy {
		for _, a := range actions {
			a.(*widget.Button).Disable()
		}
	}
	actions = append(actions, widget.NewButton(l.T("button.cancel"), u.back))
	title := l.T("catsell.new")
	if s.item.ID != 0 {
		title = l.T("catsell.edit")
	}
	return page(u.header(title, true), body, actions...)
}

// addTyped adds the barcode in the field (typed, or scanned into it), and empties the field when
// it was taken.
func (s *itemEditScreen) addTyped() {
	if s.add(s.typed) {
		s.typed = ""
	}
	s.u.render()
}

// addBarcode adds a barcode a scanner typed with no field focused.
func (s *itemEditScreen) addBarcode(raw string) {
	s.add(raw)
	s.u.render()
}

// add reads a barcode and puts its key on the item, once; a refusal is kept and shown.
func (s *itemEditScreen) add(raw string) bool {
	b, err := kkm.ReadBarcode(raw)
	if err != nil {
		s.err, s.errAt = err, editBarcode
		return false
	}
	s.err = nil
	for _, c := range s.codes {
		if c == b.Key {
			return true
		}
	}
	if len(s.codes) >= kkm.MaxBarcodesPerItem {
		s.err, s.errAt = &kkm.Error{Code: kkm.ErrItemTooManyBarcodes, Data: map[string]any{"Max": kkm.MaxBarcodesPerItem}}, editBarcode
		return false
	}
	s.codes = append(s.codes, b.Key)
	return true
}

// scanRune and scanEnter take a scanner's keys typed with no field focused (keyboard.go).
func (s *itemEditScreen) scanRune(r rune) { s.scanner.Rune(r, s.now()) }

func (s *itemEditScreen) scanEnter() { s.scanner.Enter(s.now()) }

var _ keyScanTarget = (*itemEditScreen)(nil)

// form reads the item as typed, or the first error and where it lies.
func (s *itemEditScreen) form() (kkm.Item, editField, error) {
	it := s.item
	it.Name, it.NTIN, it.Code = strings.TrimSpace(s.name), strings.TrimSpace(s.ntin), strings.TrimSpace(s.code)
	it.Barcodes = append([]string(nil), s.codes...)
	it.Unit, it.VATRate, it.Marked, it.Favourite = s.unit, s.vat, s.marked, s.fav
	if strings.TrimSpace(s.typed) != "" {
		// A barcode typed but not yet added is what the cashier means: add it, or say why not.
		b, err := kkm.ReadBarcode(s.typed)
		if err != nil {
			return it, editBarcode, err
		}
		it.Barcodes = append(it.Barcodes, b.Key)
	}
	price, err := kkm.ParseMoney(s.price)
	if err == nil && price <= 0 {
		err = kkm.Code(kkm.ErrItemPrice)
	}
	if err != nil {
		return it, editPrice, err
	}
	it.Price = price
	if err := it.Validate(); err != nil {
		return it, editFieldOf(err), err
	}
	return it, editOther, nil
}

// editFieldOf is where a refusal of the item belongs on its screen.
func editFieldOf(err error) editField {
	var ke *kkm.Error
	if !errors.As(err, &ke) {
		return editOther
	}
	switch ke.Code {
	case kkm.ErrItemNameEmpty, kkm.ErrLineNameEmpty, kkm.ErrLineNameInvalid:
		return editName
	case kkm.ErrLineNTIN:
		return editNTIN
	case kkm.ErrItemCode, kkm.ErrItemCodeTaken:
		return editCode
	case kkm.ErrBarcodeEmpty, kkm.ErrBarcodeCheckDigit, kkm.ErrBarcodeInvalid, kkm.ErrBarcodeTaken, kkm.ErrItemTooManyBarcodes:
		return editBarcode
	case kkm.ErrItemPrice, kkm.ErrMoneyOverflow:
		return editPrice
	}
	return editOther
}

// save checks the item and saves it in the catalogue, then goes back.
func (s *itemEditScreen) save() {
	u := s.u
	it, at, err := s.form()
	if err != nil {
		s.err, s.errAt = err, at
		u.render()
		return
	}
	s.busy, s.err = true, nil
	u.render()
	by := u.cashier.Operator()
	u.background(func(ctx context.Context) func() {
		saved, err := s.catalogue().SaveItem(ctx, by, it)
		return func() {
			s.busy = false
			if err != nil {
				s.err, s.errAt = err, editFieldOf(err)
				u.render()
				return
			}
			s.typed = ""
			u.back()
			if s.saved != nil {
				s.saved(saved)
			}
		}
	})
}

// catalogue is where the item is saved.
func (s *itemEditScreen) catalogue() Catalogue {
	if s.cat != nil {
		return s.cat
	}
	return s.u.ports.Catalogue
}

// archive archives the item, or brings an archived one back, and goes back.
func (s *itemEditScreen) archive() {
	u := s.u
	s.busy, s.err = true, nil
	u.render()
	by, it := u.cashier.Operator(), s.item
	u.background(func(ctx context.Context) func() {
		err := s.catalogue().SetArchived(ctx, by, it.ID, !it.Archived)
		return func() {
			s.busy = false
			if err != nil {
				s.err, s.errAt = err, editOther
				u.render()
				return
			}
			it.Archived = !it.Archived
			u.back()
			if s.saved != nil {
				s.saved(it)
			}
		}
	})
}

// vatSelect picks an item's VAT rate: the register's default (named with its rate) or any rate of
// the law, showing chosen and handing the cashier's choice to set. The item screen of the
// catalogue and the sale's item form offer the same list.
func vatSelect(l *i18n.Localizer, def, chosen kkm.VATRate, set func(kkm.VATRate)) *widget.Select {
	rates := append([]kkm.VATRate{kkm.VATDefault}, kkm.VATRates()...)
	labels := make([]string, len(rates))
	for i, r := range rates {
		labels[i] = vatName(l, r)
		if r == kkm.VATDefault {
			labels[i] = l.T("vat.default", map[string]any{"Rate": vatName(l, def)})
		}
	}
	vat := widget.NewSelect(labels, nil)
	for i, r := range rates {
		if r == chosen {
			vat.SetSelectedIndex(i)
		}
	}
	vat.OnChanged = func(string) { set(rates[vat.SelectedIndex()]) }
	return vat
}
