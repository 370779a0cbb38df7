package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ekassa-go/ekassa/kkm"
	"github.com/ekassa-go/ekassa/pricelist"
	"github.com/ekassa-go/ekassa/ui"
)

// A price list is imported only by the roles the owner allows the catalogue (a senior cashier by
// default): a cashier is refused with the role's error and nothing is imported; the administrator
// imports it, and the export gives the same items back.
func TestPriceListImportAskedPermission(t *testing.T) {
	r := newRig(t)
	cashier, err := r.rt.AddCashier(r.ctx, r.by, ui.CashierForm{Name: "Ержан", Role: kkm.RoleCashier, Code: "5555"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPriceLists(r.j, r.rt)
	tab, err := p.Read(r.ctx, strings.NewReader("Товар;Цена\nНан «Сынақ»;250\nСүт «Сынақ»;540\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := pricelist.GuessMapping(tab.Header)
	before, _, err := r.j.CountItems(r.ctx) // the demo register may come with goods of its own
	if err != nil {
		t.Fatal(err)
	}
	var re *kkm.RoleError
	if _, _, err := p.Import(r.ctx, cashier.Operator(), tab, m, false, nil); !errors.As(err, &re) || re.Action != kkm.ActionCatalogue {
		t.Fatalf("a cashier's import: %v", err)
	}
	if n, _, _ := r.j.CountItems(r.ctx); n != before {
		t.Fatalf("%d items imported by a cashier", n-before)
	}
	res, bad, err := p.Import(r.ctx, r.by, tab, m, false, nil)
	if err != nil || len(bad) != 0 || res.Added != 2 {
		t.Fatalf("the administrator's import: %+v %v %v", res, bad, err)
	}
	var out bytes.Buffer
	n, err := p.Export(r.ctx, &out, "xlsx", "kk")
	if err != nil || n != before+2 {
		t.Fatalf("export: %d %v", n, err)
	}
	back, err := p.Read(r.ctx, &out)
	if err != nil || len(back.Rows) != before+2 || back.Header[0] != "Атауы" {
		t.Fatalf("the export read back: %+v %v", back, err)
	}
	if _, err := p.Export(r.ctx, &out, "ods", "kk"); err == nil {
		t.Fatal("an unknown format exported")
	}
}
