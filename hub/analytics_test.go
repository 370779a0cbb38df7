package hub

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// receipts makes a register's chain of receipts: each (time, operation, total, cashier).
type sale struct {
	at      time.Time
	op      int
	total   int64
	cashier int
}

func receiptChain(serial string, sales []sale) []Document {
	prev := zeroHash
	out := make([]Document, len(sales))
	for i, s := range sales {
		content := fmt.Sprintf(`{"kind":"receipt","operator":{"code":%d,"name":"Cashier %d"},"receipt":{"operation":%d}}`,
			s.cashier, s.cashier, s.op)
		h := sha256.Sum256(append(append([]byte{}, prev...), content...))
		out[i] = Document{UUID: uuid.New(), Seq: int64(i + 1), Kind: "receipt", ShiftNumber: 1, Number: uint32(i + 1),
			IssuedAt: s.at, Total: s.total, Content: []byte(content), PrevHash: prev, Hash: h[:]}
		prev = h[:]
	}
	return out
}

func TestAnalyticsAcrossShops(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Chain")
	other, _, _ := s.CreateOrganization(ctx, "Someone else")
	r1, _, _ := s.AddRegister(ctx, org.ID, "R1", "Till 1", "Abay 10")
	r2, _, _ := s.AddRegister(ctx, org.ID, "R2", "Till 2", "Abay 10")
	r3, _, _ := s.AddRegister(ctx, org.ID, "R3", "Till 3", "Dostyk 5")
	rx, _, _ := s.AddRegister(ctx, other.ID, "RX", "Not ours", "Abay 10")

	kz := time.FixedZone("UTC+5", 5*3600)
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, kz)
	at := func(d, h int) time.Time { return day.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour) }
	const sell, sellReturn, buy = 2, 3, 0
	push := func(id int64, serial string, sales []sale) {
		if _, err := s.Push(ctx, id, receiptChain(serial, sales)); err != nil {
			t.Fatal(err)
		}
	}
	push(r1.ID, "R1", []sale{{at(-1, 9), sell, 500, 1}, {at(0, 9), sell, 1000, 1}, {at(0, 9), sellReturn, 300, 1}})
	push(r2.ID, "R2", []sale{{at(0, 10), sell, 2000, 2}, {at(0, 21), buy, 400, 2}})
	push(r3.ID, "R3", []sale{{at(0, 10), sell, 700, 1}, {at(1, 0), sell, 9999, 1}}) // the last is after the period
	push(rx.ID, "RX", []sale{{at(0, 10), sell, 123456, 9}})

	from, to := day, day.AddDate(0, 0, 1)
	cases := []struct {
		by   Grouping
		want []Figures
	}{
		{ByShop, []Figures{
			{Key: "Abay 10", Label: "Abay 10", Receipts: 4, Revenue: 1000 - 300 + 2000 - 400, PrevReceipts: 1, PrevRevenue: 500},
			{Key: "Dostyk 5", Label: "Dostyk 5", Receipts: 1, Revenue: 700},
		}},
		{ByRegister, []Figures{
			{Key: "R1", Label: "Till 1", Receipts: 2, Revenue: 700, PrevReceipts: 1, PrevRevenue: 500},
			{Key: "R2", Label: "Till 2", Receipts: 2, Revenue: 1600},
			{Key: "R3", Label: "Till 3", Receipts: 1, Revenue: 700},
		}},
		{ByCashier, []Figures{ // cashier 1 of R1 and cashier 1 of R3 are two people (W12)
			{Key: "R1/1", Label: "Cashier 1 (Till 1)", Receipts: 2, Revenue: 700, PrevReceipts: 1, PrevRevenue: 500},
			{Key: "R2/2", Label: "Cashier 2", Receipts: 2, Revenue: 1600},
			{Key: "R3/1", Label: "Cashier 1 (Till 3)", Receipts: 1, Revenue: 700},
		}},
		{ByHour, []Figures{
			{Key: "09", Receipts: 2, Revenue: 700, PrevReceipts: 1, PrevRevenue: 500},
			{Key: "10", Receipts: 2, Revenue: 2700},
			{Key: "21", Receipts: 1, Revenue: -400},
		}},
	}
	for _, c := range cases {
		got, err := s.Analytics(ctx, org.ID, from, to, c.by)
		if err != nil {
			t.Fatalf("%s: %v", c.by, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.by, got, c.want)
		}
	}
	if _, err := s.Analytics(ctx, org.ID, to, from, ByShop); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
	if _, err := s.Analytics(ctx, org.ID, from, to, "weekday"); err == nil {
		t.Error("an unknown grouping was accepted")
	}
}

func TestExportCSV(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Chain")
	other, _, _ := s.CreateOrganization(ctx, "Other")
	r1, _, _ := s.AddRegister(ctx, org.ID, "R1", "Till; one", "Abay 10")
	rx, _, _ := s.AddRegister(ctx, other.ID, "RX", "Not ours", "Abay 10")
	kz := time.FixedZone("UTC+5", 5*3600)
	t0 := time.Date(2026, 12, 3, 9, 30, 0, 0, kz)
	if _, err := s.Push(ctx, r1.ID, receiptChain("R1", []sale{{t0, 2, 123405, 1}, {t0.Add(time.Hour), 3, 5, 1}})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push(ctx, rx.ID, receiptChain("RX", []sale{{t0, 2, 1, 9}})); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n, err := s.ExportCSV(ctx, &b, org.ID, t0.Add(-time.Hour), t0.Add(24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("ExportCSV = %d, %v", n, err)
	}
	want := "\ufeffshop;register;register_name;seq;kind;shift;number;issued_at;total;offline;cashier\n" +
		"Abay 10;R1;\"Till; one\";1;receipt;1;1;2026-12-03 09:30:00;1234,05;false;Cashier 1\n" +
		"Abay 10;R1;\"Till; one\";2;receipt;1;2;2026-12-03 10:30:00;0,05;false;Cashier 1\n"
	if b.String() != want {
		t.Fatalf("CSV:\n%q\nwant\n%q", b.String(), want)
	}
}

// TestAnalyticsRollupMatchesReceipts: the figures read from the hourly rollup and the receipts at a
// period's ends are the sums of the receipts themselves, for random receipts pushed in random
// batches and random periods that start and end anywhere in an hour.
func TestAnalyticsRollupMatchesReceipts(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Chain")
	rng := rand.New(rand.NewPCG(18, 3))
	base := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	type held struct {
		shop, serial string
		s            sale
	}
	var all []held
	for i, shop := range []string{"Abay 10", "Dostyk 5", "Abay 10"} {
		serial := fmt.Sprintf("P%d", i)
		r, _, err := s.AddRegister(ctx, org.ID, serial, "Till "+serial, shop)
		if err != nil {
			t.Fatal(err)
		}
		var sales []sale
		at := base
		for k := 0; k < 150; k++ {
			at = at.Add(time.Duration(rng.IntN(50)) * time.Minute)
			sales = append(sales, sale{at, []int{0, 1, 2, 2, 2, 3}[rng.IntN(6)], int64(rng.IntN(100000)), 1 + rng.IntN(3)})
			all = append(all, held{shop, serial, sales[len(sales)-1]})
		}
		docs := receiptChain(serial, sales)
		for k := 0; k < len(docs); {
			n := min(1+rng.IntN(40), len(docs)-k)
			if _, err := s.Push(ctx, r.ID, docs[k:k+n]); err != nil {
				t.Fatal(err)
			}
			k += n
		}
	}
	kz := time.FixedZone("UTC+5", 5*3600)
	for round := 0; round < 25; round++ {
		from := base.Add(time.Duration(rng.IntN(4000)) * time.Minute)
		to := from.Add(time.Duration(1+rng.IntN(4000)) * time.Minute) // whole days in some, none in others
		prev := from.Add(-to.Sub(from))
		for _, by := range []Grouping{ByShop, ByRegister, ByCashier, ByHour} {
			want := map[string]*Figures{}
			for _, h := range all {
				if h.s.at.Before(prev) || !h.s.at.Before(to) {
					continue
				}
				key := map[Grouping]string{ByShop: h.shop, ByRegister: h.serial, ByCashier: h.serial + "/" + fmt.Sprint(h.s.cashier),
					ByHour: h.s.at.In(kz).Format("15")}[by]
				f := want[key]
				if f == nil {
					f = &Figures{Key: key}
					want[key] = f
				}
				rev := h.s.total
				if h.s.op == 0 || h.s.op == 3 {
					rev = -rev
				}
				if h.s.at.Before(from) {
					f.PrevReceipts++
					f.PrevRevenue += rev
				} else {
					f.Receipts++
					f.Revenue += rev
				}
			}
			got, err := s.Analytics(ctx, org.ID, from, to, by)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s %v–%v: %d groups, want %d", by, from, to, len(got), len(want))
			}
			for _, g := range got {
				w := want[g.Key]
				if w == nil || g.Receipts != w.Receipts || g.Revenue != w.Revenue || g.PrevReceipts != w.PrevReceipts || g.PrevRevenue != w.PrevRevenue {
					t.Fatalf("%s %v–%v: %+v, want %+v", by, from, to, g, w)
				}
				// Each register has its cashiers 1–3 under the same names: each is labelled
				// with its register's name beside (W12).
				if serial, code, ok := strings.Cut(g.Key, "/"); by == ByCashier && (!ok || g.Label != "Cashier "+code+" (Till "+serial+")") {
					t.Fatalf("cashier %q labelled %q", g.Key, g.Label)
				}
			}
		}
	}
}

// TestHourOfDayRollupMatchesRecount: the figures by the hour of the day, read from the rollup by
// month and hour of the day (whole months, and months less the days outside a period), from the
// hourly one and from the receipts, equal a recount of the receipts pushed, over three months of
// sales, returns and purchases of three registers, with some receipts refused by the OFD after they
// were rolled up; for random periods up to 70 days and for calendar months beside the 30 days before.
// The other groupings are checked over the same periods too.
func TestHourOfDayRollupMatchesRecount(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	org, _, _ := s.CreateOrganization(ctx, "Chain")
	rng := rand.New(rand.NewPCG(18, 9))
	kz := time.FixedZone("UTC+5", 5*3600)
	base := time.Date(2026, 9, 20, 0, 0, 0, 0, kz)
	type held struct {
		shop, serial string
		s            sale
		refused      bool
	}
	var all []held
	for i, shop := range []string{"Abay 10", "Dostyk 5", "Abay 10"} {
		serial := fmt.Sprintf("M%d", i)
		r, _, err := s.AddRegister(ctx, org.ID, serial, "Till "+serial, shop)
		if err != nil {
			t.Fatal(err)
		}
		var sales []sale
		for at := base.Add(time.Duration(rng.IntN(600)) * time.Minute); at.Before(base.AddDate(0, 3, 0)); at = at.Add(time.Duration(30+rng.IntN(600)) * time.Minute) {
			sales = append(sales, sale{at, []int{0, 1, 2, 2, 2, 2, 3}[rng.IntN(7)], int64(rng.IntN(1_000_000)), 1 + rng.IntN(3)})
		}
		docs := receiptChain(serial, sales)
		for k := 0; k < len(docs); {
			n := min(1+rng.IntN(60), len(docs)-k)
			if _, err := s.Push(ctx, r.ID, docs[k:k+n]); err != nil {
				t.Fatal(err)
			}
			k += n
		}
		// The OFD's answers after the rollups hold every receipt: one in twelve refused.
		var answers []Answer
		for k, sl := range sales {
			refused := rng.IntN(12) == 0
			answers = append(answers, Answer{Seq: int64(k + 1), Refused: refused, Data: []byte(`{}`)})
			all = append(all, held{shop, serial, sl, refused})
		}
		last := docs[len(docs)-1]
		if _, err := s.PutSafe(ctx, r.ID, SafePush{HeadSeq: last.Seq, HeadHash: last.Hash, Sealed: []byte("sealed"), Answers: answers}); err != nil {
			t.Fatal(err)
		}
	}
	type period struct{ from, to time.Time }
	periods := []period{
		{time.Date(2026, 11, 1, 0, 0, 0, 0, kz), time.Date(2026, 12, 1, 0, 0, 0, 0, kz)},                    // November beside Oct 2 – Nov 1
		{time.Date(2026, 10, 1, 0, 0, 0, 0, kz), time.Date(2026, 11, 1, 0, 0, 0, 0, kz)},                    // October beside 31 days of Aug–Sep
		{time.Date(2026, 12, 1, 0, 0, 0, 0, kz), time.Date(2026, 12, 18, 14, 37, 0, 0, kz)},                 // this month so far
		{time.Date(2026, 10, 3, 7, 15, 30, 0, kz), time.Date(2026, 12, 29, 23, 59, 59, 0, kz)},              // across months, ends inside hours
		{time.Date(2026, 10, 16, 0, 0, 0, 0, kz), time.Date(2026, 10, 31, 12, 0, 0, 0, kz)},                 // just under half a month
		{time.Date(2026, 10, 15, 0, 0, 0, 0, kz), time.Date(2026, 11, 1, 0, 0, 0, 0, kz).Add(-time.Second)}, // just over
	}
	for range 20 {
		from := base.Add(time.Duration(rng.IntN(90*24*60)) * time.Minute)
		periods = append(periods, period{from, from.Add(time.Duration(1+rng.IntN(70*24*60)) * time.Minute)})
	}
	for _, p := range periods {
		prev := p.from.Add(-p.to.Sub(p.from))
		for _, by := range []Grouping{ByHour, ByShop, ByRegister, ByCashier} {
			want := map[string]*Figures{}
			for _, h := range all {
				if h.refused || h.s.at.Before(prev) || !h.s.at.Before(p.to) {
					continue
				}
				key := map[Grouping]string{ByShop: h.shop, ByRegister: h.serial, ByCashier: h.serial + "/" + fmt.Sprint(h.s.cashier),
					ByHour: h.s.at.In(kz).Format("15")}[by]
				f := want[key]
				if f == nil {
					f = &Figures{Key: key}
					want[key] = f
				}
				rev := h.s.total
				if h.s.op == 0 || h.s.op == 3 {
					rev = -rev
				}
				if h.s.at.Before(p.from) {
					f.PrevReceipts++
					f.PrevRevenue += rev
				} else {
					f.Receipts++
					f.Revenue += rev
				}
			}
			got, err := s.Analytics(ctx, org.ID, p.from, p.to, by)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s %v–%v: %d groups, want %d", by, p.from, p.to, len(got), len(want))
			}
			for _, g := range got {
				w := want[g.Key]
				if w == nil || g.Receipts != w.Receipts || g.Revenue != w.Revenue || g.PrevReceipts != w.PrevReceipts || g.PrevRevenue != w.PrevRevenue {
					t.Fatalf("%s %v–%v: %+v, want %+v", by, p.from, p.to, g, w)
				}
			}
		}
	}
}
