package ui

import (
	"github.com/ekassa-go/ekassa/kkm"
)

// fitCatalogue is a catalogue of long НКТ names, for the fit test.
func fitCatalogue() *fakeCatalogue {
	return &fakeCatalogue{items: []kkm.Item{
		{ID: 1, Name: "Нан «Бородинский» қара бидай ұны, кесілген, 400 г", NTIN: "02900001234567890123", Code: "000123",
			Barcodes: []string{"0" + ean13("487000123456"), "0" + ean13("460123450001")}, Unit: kkm.UnitPiece, Price: 99999999, Favourite: true, Marked: kkm.MarkedBeer},
		{ID: 2, Name: "Сүт «Лактель» пастерленген, майлылығы 3,2%, 1 л", Barcodes: []string{"0" + ean13("487000765432")}, Unit: kkm.UnitPiece, Price: 58000, Favourite: true},
		{ID: 3, Name: "Қымыз «Сары-Арқа» 0,5 л", Code: "771", Unit: kkm.UnitPiece, Price: 120000, Favourite: true},
		{ID: 4, Name: "Алма «Апорт» Алматы облысы, жоғары сұрып", Code: "00123", Unit: "166", Price: 90000, Favourite: true},
	}}
}

// catalogueFits checks the register's catalogue parts: the favourites, the search's results, the
// quantity asked for a weighed item and the offer for an unknown barcode.
func (h *harness) catalogueFits(shot func(string)) {
	h.t.Helper()
	reg := h.u.reg
	c := reg.extended.catalogue()
	c.choose(true)
	h.settle()
	h.fits("the favourites")
	shot("catalogue-favourites")
	c.choose(false)
	h.typeInto(h.T("catsell.search.hint"), 0, "а")
	h.fits("the search's results")
	shot("catalogue-search")
	h.typeInto(h.T("catsell.search.hint"), 0, "")
	c.askQuantity(fitCatalogue().items[3], func(kkm.Quantity) {})
	h.settle()
	h.fits("the weighed item's quantity")
	h.closeDialogs()
	c.offerCreate(kkm.Item{Barcodes: []string{"0" + ean13("460123450001")}}, func(kkm.Item) {})
	h.settle()
	h.fits("the unknown barcode's offer")
	h.closeDialogs()
}
