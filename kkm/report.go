package kkm

import "time"

// Counter is a count of operations and their sum, as the ZXReport's Operation message.
type Counter struct {
	Count uint32 `json:"count"`
	Sum   Money  `json:"sum"`
}

// ByOperation holds one counter per receipt operation, indexed by Operation (OpPurchase = 0 …
// OpSaleReturn = 3), as the ZXReport's repeated Operation fields with n = 4.
type ByOperation [4]Counter

// SectionCounters are the counters of one section (отдел): per operation, the number of lines and
// their Gross (before discounts and markups).
type SectionCounters struct {
	Section    string      `json:"section"`
	Operations ByOperation `json:"operations"`
}

// TaxTurnover is the ZXReport's Tax.TaxOperation for one operation: the turnover at a rate (the
// lines' Sums, VAT included), the VAT in it, and the turnover without VAT (Turnover − VAT).
type TaxTurnover struct {
	Turnover           Money `json:"turnover"`
	VAT                Money `json:"vat"`
	TurnoverWithoutVAT Money `json:"turnover_without_vat"`
}

// TaxCounters are the counters of one VAT rate, per operation (the ZXReport's Tax, tax type 100).
type TaxCounters struct {
	Rate       VATRate        `json:"rate"`
	Operations [4]TaxTurnover `json:"operations"`
}

// PaymentCounter is the ZXReport's TicketOperation.Payment: receipts paid this way and the sum
// (for cash, the amount taken; the change is counted apart in ChangeSum).
type PaymentCounter struct {
	Type  PaymentType `json:"type"`
	Count uint32      `json:"count"`
	Sum   Money       `json:"sum"`
}

// ReceiptCounters are the ZXReport's TicketOperation for one operation.
type ReceiptCounters struct {
	TotalCount   uint32           `json:"total_count"` // receipts since registration (tickets_total_count)
	Count        uint32           `json:"count"`       // receipts this shift (tickets_count)
	Sum          Money            `json:"sum"`         // their totals (tickets_sum)
	Payments     []PaymentCounter `json:"payments"`    // cash, card, mobile, always these three
	OfflineCount uint32           `json:"offline_count"`
	DiscountSum  Money            `json:"discount_sum"` // item and receipt discounts
	MarkupSum    Money            `json:"markup_sum"`   // item and receipt markups
	ChangeSum    Money            `json:"change_sum"`
}

// PlacementCounters are the ZXReport's MoneyPlacement: cash in (deposit) or cash out (withdrawal).
type PlacementCounters struct {
	TotalCount   uint32 `json:"total_count"` // since registration (operations_total_count)
	Count        uint32 `json:"count"`       // this shift (operations_count)
	Sum          Money  `json:"sum"`         // this shift (operations_sum)
	OfflineCount uint32 `json:"offline_count"`
}

// The two money placements, indexed as the wire's MoneyPlacementEnum.
const (
	PlacementCashIn  = 0 // MONEY_PLACEMENT_DEPOSIT, внесение
	PlacementCashOut = 1 // MONEY_PLACEMENT_WITHDRAWAL, изъятие
)

// ShiftCounters are the counters of one shift, kept in State and updated with every document, so
// that a report costs the same after 10 receipts or 100 000. The "total count" fields count since
// registration and carry over from shift to shift; everything else starts at zero with the shift.
type ShiftCounters struct {
	Sections    []SectionCounters `json:"sections"`     // per section, before modifiers, by code
	Operations  ByOperation       `json:"operations"`   // receipts and their Gross, before modifiers
	Discounts   ByOperation       `json:"discounts"`    // discount modifiers (items and receipts) and their sum
	Markups     ByOperation       `json:"markups"`      // markup modifiers and their sum
	TotalResult ByOperation       `json:"total_result"` // receipts and their totals, after modifiers
	Taxes       []TaxCounters     `json:"taxes"`        // per taxed rate, ascending

	Receipts   [4]ReceiptCounters   `json:"receipts"`   // ticket_operations, per operation
	Placements [2]PlacementCounters `json:"placements"` // money_placements: cash in, cash out

	StartNonNullable [4]Money `json:"start_non_nullable"` // non-nullable sums at the shift's start
}

// Report is the content of an X or Z report: every counter of the protocol's ZXReport (fact sheet
// §3.4), with the shift's number and times. An X report is a snapshot of an open shift; a Z report
// is the same at the close, with CloseTime set.
//
// Revenue is defined as sales − sale returns − purchases + purchase returns, each the receipts'
// totals after modifiers (TotalResult): the money the shift's receipts brought in. It is signed; the
// wire sends its absolute value with is_negative.
type Report struct {
	ShiftNumber uint32    `json:"shift_number"`
	Time        time.Time `json:"time"`                // date_time of the report
	OpenTime    time.Time `json:"open_time"`           // open_shift_time
	CloseTime   time.Time `json:"close_time,omitzero"` // close_shift_time, Z only

	ShiftCounters

	NonNullable  [4]Money `json:"non_nullable"`   // non-nullable sums now (at the close for Z)
	CashInDrawer Money    `json:"cash_in_drawer"` // cash_sum
	Revenue      Money    `json:"revenue"`        // signed; see the type's comment
}

// RevenueWire returns the revenue as the wire's Revenue{sum, is_negative}: its absolute value and
// whether it is negative.
func (r *Report) RevenueWire() (sum Money, negative bool) {
	if r.Revenue < 0 {
		return -r.Revenue, true
	}
	return r.Revenue, false
}
