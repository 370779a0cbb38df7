package ui

import (
	"context"
	"io"
	"time"

	"github.com/ekassa-go/ekassa/kkm"
)

// Analytics is what the analytics screen needs: the figures of a period beside those of the
// period before it, and the CSV export. The app adapts the journal's CompareAnalytics and
// Export* (package storage) to it.
type Analytics interface {
	// Compare returns the analytics of [from, to) and of the period of equal length before it.
	Compare(ctx context.Context, from, to time.Time) (AnalyticsComparison, error)
	// Export writes the CSV of what (receipts, items or shifts) for [from, to) to w, with the
	// column titles and values translated by text (the screen's language; csvexport.Options.Text).
	Export(ctx context.Context, w io.Writer, what ExportKind, from, to time.Time, text func(id string) string) error
}

// ExportKind is what an export holds.
type ExportKind string

// The exports.
const (
	ExportReceipts ExportKind = "receipts"
	ExportItems    ExportKind = "items"
	ExportShifts   ExportKind = "shifts"
)

// ExportKinds lists the exports in the order the screen offers them.
func ExportKinds() []ExportKind { return []ExportKind{ExportReceipts, ExportItems, ExportShifts} }

// AnalyticsFigures are the sums of a set of receipts; purchases are not among them.
type AnalyticsFigures struct {
	Sales       kkm.Money
	SaleCount   int64
	Returns     kkm.Money // sale returns
	ReturnCount int64
	Revenue     kkm.Money // Sales − Returns
	Average     kkm.Money // Sales / SaleCount
	Cash        kkm.Money // net of returns, as are Card and Mobile
	Card        kkm.Money
	Mobile      kkm.Money
}

// AnalyticsBucket is the revenue and sales of one hour of the day, day, cashier or item.
type AnalyticsBucket struct {
	Label    string       // a cashier's or item's name; empty for hours and days
	Time     time.Time    // a day's midnight; zero otherwise
	Hour     int          // an hour of the day, 0–23
	Revenue  kkm.Money    // for items: the sum sold less returned
	Count    int64        // sales (for items: lines)
	Quantity kkm.Quantity // items only
	Unit     string       // items only
}

// AnalyticsPeriod is the analytics of one period.
type AnalyticsPeriod struct {
	From, To  time.Time
	Total     AnalyticsFigures
	ByHour    []AnalyticsBucket // 24, by hour of day
	ByDay     []AnalyticsBucket // every day of the period
	ByCashier []AnalyticsBucket // highest revenue first
	TopItems  []AnalyticsBucket // highest sum first
}

// AnalyticsComparison is a period beside the period of equal length before it.
type AnalyticsComparison struct {
	Current, Previous AnalyticsPeriod
}
