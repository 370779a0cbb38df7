package kkm

// Total returns the document's amount: a receipt's total, the cash moved by a cash in or out, and
// 0 for reports.
func (d *Document) Total() Money {
	switch d.Kind {
	case KindReceipt:
		if d.Receipt != nil {
			return d.Receipt.Total
		}
	case KindCashIn, KindCashOut:
		return d.Cash
	}
	return 0
}
