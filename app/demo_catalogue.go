package app

import (
	"context"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/storage"
)

// demoItems is the demo register's small catalogue, so that a new user can sell from the
// favourites, scan (the barcodes are valid EAN-13s to type or print) and weigh (the apples' code
// 00123 is on the scale labels 2000123…) at once.
func demoItems() []kkm.Item {
	return []kkm.Item{
		{Name: "Нан «Бородинский» 400 г", Barcodes: []string{"4870001000011"}, Code: "101", Unit: kkm.UnitPiece, Price: 25000, Favourite: true},
		{Name: "Сүт 3,2% 1 л", NTIN: "0290000100002", Barcodes: []string{"4870001000028"}, Code: "102", Unit: kkm.UnitPiece, Price: 58000, Favourite: true},
		{Name: "Қымыз «Сары-Арқа» 0,5 л", Barcodes: []string{"4870001000035"}, Code: "103", Unit: kkm.UnitPiece, Price: 120000, Favourite: true},
		{Name: "Шұбат 0,5 л", Barcodes: []string{"4870001000042"}, Code: "104", Unit: kkm.UnitPiece, Price: 110000},
		{Name: "Шай «Пиала» 100 пакет", Barcodes: []string{"4870001000059"}, Code: "105", Unit: kkm.UnitPiece, Price: 189000, Favourite: true},
		{Name: "Ірімшік 250 г", Barcodes: []string{"4870001000066"}, Code: "106", Unit: kkm.UnitPiece, Price: 95000},
		{Name: "Сыра «Шымкент» 0,5 л", Barcodes: []string{"4870001000073"}, Code: "107", Unit: kkm.UnitPiece, Price: 65000, Marked: kkm.MarkedBeer},
		{Name: "Алма «Апорт»", Code: "00123", Unit: "166", Price: 90000, Favourite: true},
		{Name: "Картоп", Code: "00124", Unit: "166", Price: 32000, Favourite: true},
	}
}

// seedDemoCatalogue puts the demo catalogue into a new demo journal.
func seedDemoCatalogue(ctx context.Context, j *storage.Journal) error {
	_, err := j.ImportItems(ctx, demoItems())
	return err
}
