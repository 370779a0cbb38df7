// Package kkm is the register's domain in pure Go: money and quantities, receipts with their VAT,
// discounts, markups, payments and change, shifts and their ZX counters, the register's rules
// (24-hour shift, 72-hour offline limit, maximum sum, buyer IIN/BIN) and the documents it issues.
//
// It imports nothing of the project and knows nothing of SQL, sockets or Fyne: the journal
// (package storage) persists what this package computes, and the OFD link (package ofdclient)
// turns it into protocol messages.
package kkm

import "time"

// Money is an amount in tiyn (1/100 of a tenge). No float ever holds an amount.
type Money int64

// Quantity is a quantity in thousandths of its unit (2.5 kg = 2500), as on the wire.
type Quantity int64

// Operation is what a receipt does. The values equal the wire's OperationTypeEnum.
type Operation int32

// The four receipt operations.
const (
	OpPurchase       Operation = 0 // покупка (OPERATION_BUY)
	OpPurchaseReturn Operation = 1 // возврат покупки (OPERATION_BUY_RETURN)
	OpSale           Operation = 2 // продажа (OPERATION_SELL)
	OpSaleReturn     Operation = 3 // возврат продажи (OPERATION_SELL_RETURN)
)

// PaymentType is how a receipt is paid. The values equal the wire's PaymentTypeEnum.
type PaymentType int32

// The payment types a register accepts (credit and tare are deprecated on the wire).
const (
	PayCash   PaymentType = 0
	PayCard   PaymentType = 1
	PayMobile PaymentType = 4
)

// DocumentKind names a kind of journal document. The values are stored in the journal.
type DocumentKind string

// The documents a register issues. All but the X report are fiscal and go to the OFD.
const (
	KindReceipt DocumentKind = "receipt"
	KindCashIn  DocumentKind = "cash_in"
	KindCashOut DocumentKind = "cash_out"
	KindXReport DocumentKind = "x_report"
	KindZReport DocumentKind = "z_report"
)

// Fiscal reports whether documents of this kind are fiscal (sent to the OFD through the outbox).
func (k DocumentKind) Fiscal() bool { return k != KindXReport }

// Operator is the cashier who issued a document, as the OFD knows them.
type Operator struct {
	Code uint32 `json:"code"`
	Name string `json:"name"`
}

// Document is one issued document, immutable once committed to the journal. It keeps its whole
// content so it can be shown, shared and sent years later. The OFD's answer (fiscal sign, QR link)
// is not part of it: the journal records that beside it when it arrives.
type Document struct {
	Kind        DocumentKind `json:"kind"`
	ShiftNumber uint32       `json:"shift"`  // fr_shift_number, counted through from registration
	Number      uint32       `json:"number"` // document number within the shift, from 1
	Time        time.Time    `json:"time"`   // the register's local time of issue
	Operator    Operator     `json:"operator"`

	// Offline is set when the document was issued while the register was offline (the outbox was
	// not empty or the OFD unreachable); an offline receipt carries OfflineNumber, the register's
	// own number sent as offline_ticket_number, and a locally built QR link.
	Offline       bool   `json:"offline,omitempty"`
	OfflineNumber uint32 `json:"offline_number,omitempty"`

	Receipt *Receipt `json:"receipt,omitempty"` // KindReceipt
	Cash    Money    `json:"cash,omitempty"`    // KindCashIn, KindCashOut: the amount moved
	Report  *Report  `json:"report,omitempty"`  // KindXReport, KindZReport: the counters at issue

	// Text is the document as printed (the same text goes to the OFD as printed_ticket).
	Text string `json:"text,omitempty"`

	// Geo is where the register was when it issued the document, sent with it to the OFD
	// (security_stats.geo_position). Nil in documents journaled before 2.0.3's geolocation: the
	// OFD link then takes the trading point's coordinates from the settings.
	Geo *GeoPosition `json:"geo,omitempty"`
}
