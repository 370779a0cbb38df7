package app

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ekassa-go/ekassa/csvexport"
	"github.com/ekassa-go/ekassa/storage"
	"github.com/ekassa-go/ekassa/ui"
)

// analytics adapts the journal's analytics (package storage) and the CSV export (package
// csvexport over the journal's documents) to the analytics screen's port, ui.Analytics.
type analytics struct {
	journal *storage.Journal
}

// newAnalytics returns the analytics screen's port over the journal.
func newAnalytics(j *storage.Journal) ui.Analytics { return analytics{journal: j} }

// Compare returns the figures of [from, to) beside those of the period of equal length before.
func (a analytics) Compare(ctx context.Context, from, to time.Time) (ui.AnalyticsComparison, error) {
	c, err := a.journal.CompareAnalytics(ctx, from, to, storage.DefaultTopItems)
	if err != nil {
		return ui.AnalyticsComparison{}, err
	}
	return ui.AnalyticsComparison{Current: analyticsPeriod(c.Current), Previous: analyticsPeriod(c.Previous)}, nil
}

// Export writes the CSV of what for [from, to) to w, its titles and values translated by text.
func (a analytics) Export(ctx context.Context, w io.Writer, what ui.ExportKind, from, to time.Time, text func(id string) string) error {
	opt := csvexport.Options{Text: text}
	var err error
	switch what {
	case ui.ExportReceipts:
		_, err = csvexport.Receipts(ctx, w, a.journal, from, to, opt)
	case ui.ExportItems:
		_, err = csvexport.Items(ctx, w, a.journal, from, to, opt)
	case ui.ExportShifts:
		_, err = csvexport.Shifts(ctx, w, a.journal, from, to, opt)
	default:
		err = fmt.Errorf("app: unknown export %q", what)
	}
	return err
}

// analyticsPeriod turns the journal's analytics of a period into what the screen draws.
func analyticsPeriod(a storage.Analytics) ui.AnalyticsPeriod {
	out := ui.AnalyticsPeriod{From: a.From, To: a.To, Total: analyticsFigures(a.Total),
		ByHour: make([]ui.AnalyticsBucket, 0, len(a.ByHour))}
	for h, f := range a.ByHour {
		out.ByHour = append(out.ByHour, ui.AnalyticsBucket{Hour: h, Revenue: f.Revenue, Count: f.SaleCount})
	}
	for _, d := range a.ByDay {
		out.ByDay = append(out.ByDay, ui.AnalyticsBucket{Time: d.Day, Revenue: d.Revenue, Count: d.SaleCount})
	}
	for _, c := range a.ByCashier {
		name := c.Operator.Name
		if name == "" {
			name = strconv.FormatUint(uint64(c.Operator.Code), 10)
		}
		out.ByCashier = append(out.ByCashier, ui.AnalyticsBucket{Label: name, Revenue: c.Revenue, Count: c.SaleCount})
	}
	for _, it := range a.TopBySum {
		out.TopItems = append(out.TopItems, ui.AnalyticsBucket{Label: it.Name, Revenue: it.Sum, Count: it.Lines,
			Quantity: it.Quantity, Unit: it.Unit})
	}
	return out
}

// analyticsFigures turns the journal's sums into the screen's.
func analyticsFigures(f storage.Figures) ui.AnalyticsFigures {
	return ui.AnalyticsFigures{Sales: f.Sales, SaleCount: f.SaleCount, Returns: f.Returns, ReturnCount: f.ReturnCount,
		Revenue: f.Revenue, Average: f.Average(), Cash: f.Cash, Card: f.Card, Mobile: f.Mobile}
}
