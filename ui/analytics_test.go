package ui

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/ekassa-go/ekassa/csvexport"
	"github.com/ekassa-go/ekassa/i18n"
	"github.com/ekassa-go/ekassa/kkm"
)

// fakeAnalytics answers with fixed figures and records what it was asked.
type fakeAnalytics struct {
	asked    [][2]time.Time
	exported []ExportKind
}

func (f *fakeAnalytics) Compare(_ context.Context, from, to time.Time) (AnalyticsComparison, error) {
	f.asked = append(f.asked, [2]time.Time{from, to})
	hours := func(peak kkm.Money) []AnalyticsBucket {
		h := make([]AnalyticsBucket, 24)
		for i := range h {
			h[i].Hour = i
		}
		h[10].Revenue, h[10].Count = peak, 3
		return h
	}
	return AnalyticsComparison{
		Current: AnalyticsPeriod{From: from, To: to,
			Total: AnalyticsFigures{Sales: 1_500_000, SaleCount: 12, Returns: 100_000, ReturnCount: 1, Revenue: 1_400_000,
				Average: 125_000, Cash: 600_000, Card: 700_000, Mobile: 100_000},
			ByHour:    hours(1_400_000),
			ByDay:     []AnalyticsBucket{{Time: from, Revenue: 1_400_000, Count: 12}},
			ByCashier: []AnalyticsBucket{{Label: "Әлия Қасымова", Revenue: 1_400_000, Count: 12}},
			TopItems:  []AnalyticsBucket{{Label: "Ірімшік", Revenue: 420_000, Quantity: 1000, Unit: "166"}},
		},
		Previous: AnalyticsPeriod{From: from.Add(-to.Sub(from)), To: from,
			Total:  AnalyticsFigures{Sales: 1_000_000, SaleCount: 10, Revenue: 1_000_000, Average: 100_000, Cash: 1_000_000},
			ByHour: hours(1_000_000),
		},
	}, nil
}

func (f *fakeAnalytics) Export(_ context.Context, w io.Writer, what ExportKind, from, to time.Time, text func(string) string) error {
	f.exported = append(f.exported, what)
	_, err := io.WriteString(w, "\uFEFF"+text("csv.column.seq")+";total\r\n1;1234,50\r\n")
	return err
}

// nopCloser is a buffer an export can close.
type nopCloser struct {
	bytes.Buffer
	closed bool
}

func (n *nopCloser) Close() error { n.closed = true; return nil }

func TestAnalyticsRanges(t *testing.T) {
	now := time.Date(2026, 3, 12, 15, 4, 0, 0, time.UTC) // a Thursday
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		r        AnalyticsRange
		from, to time.Time
	}{
		{RangeToday, day(3, 12), day(3, 13)},
		{RangeYesterday, day(3, 11), day(3, 12)},
		{RangeWeek, day(3, 9), day(3, 16)},
		{RangeMonth, day(3, 1), day(4, 1)},
	}
	for _, c := range cases {
		if from, to := c.r.Period(now); !from.Equal(c.from) || !to.Equal(c.to) {
			t.Errorf("%d: [%s, %s), want [%s, %s)", c.r, from, to, c.from, c.to)
		}
	}
}

func TestAnalyticsScreen(t *testing.T) {
	for _, lang := range i18n.Langs() {
		t.Run(string(lang), func(t *testing.T) {
			h := newHarness(t, true, true, lang)
			h.unlock()
			fa := &fakeAnalytics{}
			now := time.Date(2026, 3, 12, 15, 4, 0, 0, time.UTC)
			s := newAnalyticsScreen(h.u, fa, func() time.Time { return now })
			h.u.open(s)
			h.settle()
			h.see(h.T("analytics.title"), h.T("analytics.revenue"), h.money(1_400_000)+" (+40 %)",
				h.money(1_000_000), h.T("analytics.average"), h.money(125_000)+" (+25 %)",
				"10:00", "Әлия Қасымова", "Ірімшік", h.T("analytics.export.receipts"))
			if len(fa.asked) != 1 || !fa.asked[0][0].Equal(time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("asked %v, want today", fa.asked)
			}
			if lang == i18n.Russian {
				h.shot("analytics")
			}

			h.choose(h.T("analytics.range.today"), h.T("analytics.range.month"))
			h.settle()
			if got := fa.asked[len(fa.asked)-1]; !got[0].Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) ||
				!got[1].Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("month asked as %v", got)
			}

			// A custom period: a wrong date says so, a right one is asked for whole days.
			h.choose(h.T("analytics.range.month"), h.T("analytics.range.custom"))
			h.settle()
			layout := dateLayout(h.u.loc)
			h.typeInto(layout, 0, "bad")
			h.typeInto(layout, 1, time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC).Format(layout))
			h.tap(h.T("analytics.show"))
			h.settle()
			h.see(h.u.loc.Error(ErrDateFormat))
			h.typeInto(layout, 0, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Format(layout))
			h.tap(h.T("analytics.show"))
			h.settle()
			if got := fa.asked[len(fa.asked)-1]; !got[0].Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) ||
				!got[1].Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("custom period asked as %v", got)
			}

			// The export writes through the port and closes the file.
			var out nopCloser
			s.export(&out, ExportItems)
			h.settle()
			if !out.closed || !bytes.HasPrefix(out.Bytes(), []byte("\uFEFF")) || !slices.Equal(fa.exported, []ExportKind{ExportItems}) {
				t.Errorf("export: closed %v, %q, kinds %v", out.closed, out.String(), fa.exported)
			}
			h.see(h.T("analytics.exported"))
		})
	}
}

// Every column and value the journal's CSV export asks to translate has a text in every language.
func TestExportIDsTranslated(t *testing.T) {
	b := i18n.MustBundle()
	for _, lang := range i18n.Langs() {
		l := b.Localizer(lang)
		for _, id := range csvexport.IDs() {
			if !l.Has(id) {
				t.Errorf("%s: no text for %s", lang, id)
			}
		}
	}
}
