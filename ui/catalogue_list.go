package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// The catalogue's lists: the items a search found, on the catalogue screen and on the sale screen,
// and the favourites' grid. Each is a Fyne List or GridWrap over a slice of items, so scrolling
// reuses a few row widgets instead of building one per item, and a new search only changes the
// slice and refreshes what is shown (design.md §7: a screen built once and refreshed).

// searchLimit is how many items a search shows: more is scrolling nobody does at a till.
const searchLimit = 50

// favouritesLimit is how many favourites the grid shows.
const favouritesLimit = 60

// itemList is a List of items whose rows wrap a long НКТ name at words: each row is as tall as
// its text needs at the list's width, measured when the row is shown.
type itemList struct {
	l       *i18n.Localizer
	items   []kkm.Item
	list    *widget.List
	heights map[widget.ListItemID]float32
	tapped  func(kkm.Item)
}

func newItemList(l *i18n.Localizer, tapped func(kkm.Item)) *itemList {
	x := &itemList{l: l, tapped: tapped, heights: map[widget.ListItemID]float32{}}
	x.list = widget.NewList(
		func() int { return len(x.items) },
		func() fyne.CanvasObject {
			name := bold("")
			name.Wrapping = fyne.TextWrapWord
			return container.NewVBox(name, wrapped(""))
		},
		x.update,
	)
	x.list.OnSelected = func(id widget.ListItemID) {
		x.list.UnselectAll()
		if id >= 0 && id < len(x.items) && x.tapped != nil {
			x.tapped(x.items[id])
		}
	}
	return x
}

// update fills a row with the item and gives the row the height its wrapped text takes.
func (x *itemList) update(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(x.items) {
		return
	}
	it := x.items[id]
	box := o.(*fyne.Container)
	box.Objects[0].(*widget.Label).SetText(it.Name)
	box.Objects[1].(*msgLabel).SetText(itemDetail(x.l, it))
	w := o.Size().Width
	if w <= 0 {
		w = x.list.Size().Width
	}
	if w <= 0 {
		return
	}
	o.Resize(fyne.NewSize(w, o.Size().Height))
	if h := o.MinSize().Height; x.heights[id] != h {
		x.heights[id] = h
		x.list.SetItemHeight(id, h)
	}
}

// show replaces the items listed, from the top.
func (x *itemList) show(items []kkm.Item) {
	x.items = items
	x.heights = map[widget.ListItemID]float32{}
	x.list.UnselectAll()
	x.list.Refresh()
	x.list.ScrollToTop()
}

// itemDetail is what a list shows under an item's name: its price per unit, its article code and
// its first barcode, as printed on the goods.
func itemDetail(l *i18n.Localizer, it kkm.Item) string {
	parts := []string{l.T("catsell.price_per", map[string]any{"Price": money(l, it.Price), "Unit": unitName(l, it.Unit)})}
	if it.Code != "" {
		parts = append(parts, l.T("catsell.code_short", map[string]any{"Code": it.Code}))
	}
	if len(it.Barcodes) > 0 {
		parts = append(parts, kkm.DisplayBarcode(it.Barcodes[0]))
	}
	if it.Marked != "" {
		parts = append(parts, l.T("catsell.marked_short"))
	}
	return strings.Join(parts, " · ")
}

// favouriteTile is one button of the favourites' grid: the name, wrapped at words, over the price,
// on a large target. It is tapped as a whole.
type favouriteTile struct {
	widget.BaseWidget
	name   *msgLabel
	price  *msgLabel
	button *widget.Button
	tapped func()
}

// tileWidth and tileHeight are the favourite's button: two to a 360-pixel phone, three lines of a
// name at 130 % text and the price under them.
const (
	tileWidth  = 172
	tileHeight = 112
)

func newFavouriteTile() *favouriteTile {
	t := &favouriteTile{name: wrapped(""), price: boldMsg("")}
	// Wrapped at spaces, three lines at most and no more than fit above the price, the last
	// ending in «…»: a long name never runs over the price under it, and in regular weight a
	// long word («Бородинский») fits the tile at 130 % text without being broken (walker S4 W3).
	t.name.MaxLines = 3
	t.name.Alignment = fyne.TextAlignCenter
	t.price.Alignment = fyne.TextAlignCenter
	t.button = widget.NewButton("", func() {
		if t.tapped != nil {
			t.tapped()
		}
	})
	t.ExtendBaseWidget(t)
	return t
}

// MinSize is the tile's size, alike for every tile of the grid: two to a 360-pixel phone, and
// as high as three lines of a name over the price take at the text size in force (at 130 % the
// fixed 112 left room for one line of the name).
func (t *favouriteTile) MinSize() fyne.Size {
	th := t.Theme()
	size, inner, pad := th.Size(theme.SizeNameText), th.Size(theme.SizeNameInnerPadding), th.Size(theme.SizeNamePadding)
	line := fyne.MeasureText("A", size, fyne.TextStyle{}).Height
	bold := fyne.MeasureText("A", size, fyne.TextStyle{Bold: true}).Height
	h := 3*pad + (3*line + 2*inner) + (bold + 2*inner) // padded round, and the border's padding between the two
	return fyne.NewSize(tileWidth, max(tileHeight, h))
}

// CreateRenderer draws the button under the name and the price.
func (t *favouriteTile) CreateRenderer() fyne.WidgetRenderer {
	text := container.NewBorder(nil, t.price, nil, nil, t.name)
	return widget.NewSimpleRenderer(container.NewStack(t.button, container.NewPadded(text)))
}

// favouritesGrid is the one-tap grid of the favourite items.
type favouritesGrid struct {
	l      *i18n.Localizer
	items  []kkm.Item
	grid   *widget.GridWrap
	tapped func(kkm.Item)
}

func newFavouritesGrid(l *i18n.Localizer, tapped func(kkm.Item)) *favouritesGrid {
	g := &favouritesGrid{l: l, tapped: tapped}
	g.grid = widget.NewGridWrap(
		func() int { return len(g.items) },
		func() fyne.CanvasObject { return newFavouriteTile() },
		func(id widget.GridWrapItemID, o fyne.CanvasObject) {
			if id >= len(g.items) {
				return
			}
			it, t := g.items[id], o.(*favouriteTile)
			t.name.SetText(it.Name)
			price := money(g.l, it.Price)
			if fractional(it.Unit) { // a price per kilogram, litre, metre: say so
				price = g.l.T("catsell.price_per", map[string]any{"Price": price, "Unit": unitName(g.l, it.Unit)})
			}
			t.price.SetText(price)
			t.tapped = func() { g.tapped(it) }
		},
	)
	return g
}

// show replaces the favourites shown.
func (g *favouritesGrid) show(items []kkm.Item) {
	g.items = items
	g.grid.Refresh()
}

// searchRun runs the catalogue's searches as the cashier types: each keystroke asks the
// catalogue off the UI goroutine, and only the answer to the latest query is shown (an older
// one that comes late is dropped).
type searchRun struct {
	u        *UI
	cat      Catalogue // nil: the register's own (Ports.Catalogue)
	seq      int
	archived bool
	show     func([]kkm.Item, error)
}

// search asks for text and shows the answer when it is still the latest.
func (r *searchRun) search(text string) {
	cat := r.cat
	if cat == nil {
		cat = r.u.ports.Catalogue
	}
	if cat == nil {
		return
	}
	r.seq++
	seq, archived := r.seq, r.archived
	r.u.background(func(ctx context.Context) func() {
		items, err := cat.Search(ctx, text, archived, searchLimit)
		return func() {
			if seq == r.seq {
				r.show(items, err)
			}
		}
	})
}
