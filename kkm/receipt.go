package kkm

import "time"

// ModifierKind says whether a modifier lowers (discount) or raises (markup) an amount.
type ModifierKind uint8

// The two kinds of modifier (скидка, наценка).
const (
	Discount ModifierKind = 1
	Markup   ModifierKind = 2
)

// Modifier is a discount or markup as the cashier typed it, on one line or on the whole receipt:
// either a fixed Amount or a Percent, never both.
//
// Percent is in hundredths of a percent (basis points): 1000 is 10 %, 250 is 2.5 %, 10000 is
// 100 %. The amount it yields is rounded half up to the tiyn.
type Modifier struct {
	Kind    ModifierKind `json:"kind"`
	Amount  Money        `json:"amount,omitempty"`
	Percent int64        `json:"percent,omitempty"`
}

// LineDraft is one receipt line as the cashier typed it.
type LineDraft struct {
	Name     string    `json:"name"`               // required in extended mode; simple mode names it SimpleLineName
	Section  string    `json:"section,omitempty"`  // section (отдел) code; DefaultSection when empty
	Quantity Quantity  `json:"quantity"`           // thousandths of Unit; simple mode: 0 means 1
	Unit     string    `json:"unit,omitempty"`     // ИС ЭСФ unit code (see Units); UnitPiece when empty
	Price    Money     `json:"price"`              // price of one unit, VAT included
	VATRate  VATRate   `json:"vat_rate"`           // VATDefault takes Settings.DefaultVATRate
	Modifier *Modifier `json:"modifier,omitempty"` // an item discount or markup (extended mode only)
	NTIN     string    `json:"ntin,omitempty"`     // product code in the National Catalogue of Goods (НКТ); optional
	// Marked is the item's marked group, "" when it is not marked; a marked line needs one
	// marking code per unit in Codes (see ParseMarkingCode), as scanned or typed.
	Marked MarkedGroup `json:"marked,omitempty"`
	Codes  []string    `json:"codes,omitempty"`
	// From is, on a return, the number (from 1) of the original's line this line returns; it is
	// set by ComputeReturn and refused on a sale or purchase. 0 on returns made before lines named it.
	From int `json:"from,omitempty"`
}

// ParentReceipt identifies the original of a return, as the protocol's parent_ticket requires.
type ParentReceipt struct {
	Number  string    `json:"number"`  // the original's fiscal sign, or its offline number if not fiscalised
	Time    time.Time `json:"time"`    // the original's date and time
	RNM     string    `json:"rnm"`     // registration number of the register that issued it
	Total   Money     `json:"total"`   // the original's total
	Offline bool      `json:"offline"` // whether the original was issued offline
}

// ReceiptDraft is a receipt as the cashier typed it. ComputeReceipt validates it and computes the
// Receipt; it is never stored.
//
// In simple mode (Simple set, the manual's «Простой режим ККМ») each line is just an amount: Price
// is the amount, Quantity may be left 0 (one piece), Name empty, no item modifiers and no buyer
// IIN/BIN. SimpleDraft builds such a draft.
type ReceiptDraft struct {
	Operation   Operation      `json:"operation"`
	Simple      bool           `json:"simple,omitempty"`
	Lines       []LineDraft    `json:"lines"`
	Modifier    *Modifier      `json:"modifier,omitempty"` // receipt-level discount or markup
	Payments    []Payment      `json:"payments"`           // for cash: the amount taken from the buyer
	BuyerIINBIN string         `json:"buyer_iin_bin,omitempty"`
	Parent      *ParentReceipt `json:"parent,omitempty"` // required for the two returns, refused otherwise
}

// Payment is the part of a receipt paid one way. For cash, Sum is the amount taken from the buyer
// (change included); for card and mobile it is the amount charged.
type Payment struct {
	Type PaymentType `json:"type"`
	Sum  Money       `json:"sum"`
}

// Line is one computed receipt line.
//
// The amounts go from Gross to Sum:
//
//	Gross = round(Price × Quantity)        before any modifier (ZX "operations", per section)
//	Sum   = Gross − Discount + Markup      the line's own modifier (an item DISCOUNT/MARKUP)
//	        − ReceiptDiscount + ReceiptMarkup  its share of the receipt-level modifier
//
// Sum is what the buyer actually pays for the line, and VAT is the VAT included in Sum at VATRate.
// That one VAT number is printed, sent to the OFD (commodity taxes, or the receipt's per-rate taxes,
// which are sums of line VATs) and counted in the ZX report.
type Line struct {
	Name            string      `json:"name"`
	Section         string      `json:"section"`
	Quantity        Quantity    `json:"quantity"`
	Unit            string      `json:"unit"` // ИС ЭСФ unit code, the wire's measure_unit_code
	Price           Money       `json:"price"`
	VATRate         VATRate     `json:"vat_rate"` // resolved: VATNone or a percentage
	Modifier        *Modifier   `json:"modifier,omitempty"`
	NTIN            string      `json:"ntin,omitempty"`   // НКТ product code (the wire's commodity ntin); empty when none
	Marked          MarkedGroup `json:"marked,omitempty"` // marked group; "" when not marked
	Codes           []string    `json:"codes,omitempty"`  // one canonical marking code per unit (the wire's list_excise_stamp)
	From            int         `json:"from,omitempty"`   // a return's line: the original's line it returns (from 1); 0 if not named
	Gross           Money       `json:"gross"`
	Discount        Money       `json:"discount,omitempty"`
	Markup          Money       `json:"markup,omitempty"`
	ReceiptDiscount Money       `json:"receipt_discount,omitempty"`
	ReceiptMarkup   Money       `json:"receipt_markup,omitempty"`
	Sum             Money       `json:"sum"`
	VAT             Money       `json:"vat"`
}

// TaxSum is the VAT of one rate on a receipt: Turnover is the sum of the line Sums at that rate
// (VAT included) and VAT the sum of their line VATs.
type TaxSum struct {
	Rate     VATRate `json:"rate"`
	Turnover Money   `json:"turnover"`
	VAT      Money   `json:"vat"`
}

// Receipt is a computed receipt: every amount the receipt shows, the OFD receives and the ZX
// counters add up. It reconciles to the tiyn:
//
//	Σ Line.Gross − Σ Line.Discount + Σ Line.Markup = Subtotal
//	Subtotal − Discount + Markup = Total = Σ Payments − Change
//	Σ Line.Sum = Total;  VAT = Σ Taxes.VAT = Σ Line.VAT
type Receipt struct {
	Operation   Operation      `json:"operation"`
	Simple      bool           `json:"simple,omitempty"`
	Lines       []Line         `json:"lines"`
	Gross       Money          `json:"gross"`              // Σ Line.Gross, before modifiers
	Subtotal    Money          `json:"subtotal"`           // after the item modifiers
	Modifier    *Modifier      `json:"modifier,omitempty"` // the receipt-level modifier as typed
	Discount    Money          `json:"discount,omitempty"` // receipt-level discount amount
	Markup      Money          `json:"markup,omitempty"`   // receipt-level markup amount
	Total       Money          `json:"total"`
	Taxes       []TaxSum       `json:"taxes,omitempty"` // per taxed rate, ascending
	VAT         Money          `json:"vat"`             // Σ Taxes.VAT
	Payments    []Payment      `json:"payments"`        // in order cash, card, mobile; no zero sums
	Taken       Money          `json:"taken"`           // cash taken from the buyer (the cash payment)
	Change      Money          `json:"change"`          // change given back, only ever from cash
	BuyerIINBIN string         `json:"buyer_iin_bin,omitempty"`
	Parent      *ParentReceipt `json:"parent,omitempty"`
}
