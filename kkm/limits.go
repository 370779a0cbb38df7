package kkm

// The register's limits are the protocol's: every number the register accepts travels to the
// OFD in a field that holds it, and no OFD we know refuses it. This is the one table; ComputeReceipt,
// the cash operations, the counters and the screens' keypads all check against it, so the cashier
// is stopped as the number is typed and a document the OFD would refuse as out of range is never
// written (design.md §3.11). A register may be stricter than an OFD, never looser.
//
// Where each number comes from (fact sheet spec/ofd-protocol.md, protocol text kgd-protocol-2.0.2.txt):
//
//	limit          value                          source
//	-------------  -----------------------------  ------------------------------------------------
//	MaxCount       2 147 483 647                  [SPEC202] §1: "диапазоны значений беззнаковых типов
//	                                              ограничиваются максимально допустимыми положительными
//	                                              значениями соответствующих знаковых чисел": a uint32
//	                                              field (ZX counts, offline_ticket_number) holds at most
//	                                              2^31 − 1.
//	MaxQuantity    1 000 000,000 units            Item.quantity is uint32 in 2.0.2 (uint64 in 2.0.3,
//	(1e9 thousandths)                             wire-compatible), so an OFD reading it as 2.0.2 takes
//	                                              at most 2 147 483 647 thousandths; the emulator
//	                                              (ofdsim lineSum) refuses more than 1 000 000 000
//	                                              thousandths as out of range. The stricter one wins.
//	MaxMoney       999 999 999 999,99 ₸           Money is {bills uint64, coins uint32 0–99}; bills
//	(99 999 999 999 999 tiyn)                     may reach 2^63 − 1 by [SPEC202] §1, but the emulator
//	                                              (ofdsim checkMoney) refuses bills above 10^12 as
//	                                              "beyond any register's range"; 12 digits of tenge keep
//	                                              the sums the OFD and the register add up (Σ lines,
//	                                              counters) far inside int64 tiyn on both sides (92 233
//	                                              amounts of the maximum). It bounds each amount that travels as one
//	                                              Money: a price, a line's sum (price × quantity, and
//	                                              after its markup), a discount or markup, the receipt
//	                                              total, each payment (cash taken included) and the
//	                                              change, a cash in or out.
//	MinLine        0,01 ₸                         a line's price × quantity rounds to at least a tiyn: a
//	                                              line of nothing is no sale, and a receipt modifier is
//	                                              spread over the lines by their sums (ErrLineZero).
//	MaxDrawer      = MaxMoney                     the cash in the drawer travels as one Money too
//	                                              (ZXReport.cash_sum), in every X and Z report: a sale
//	                                              or cash in that would take it above MaxMoney is
//	                                              refused (ErrDrawerLimit), so the Z always goes through.
//	counters       int64 tiyn (9.2·10^18)         shift sums and non-nullable sums are Money in the Z
//	                                              whose bills may reach 2^63 − 1; the register keeps
//	                                              them in int64 tiyn and refuses a document that would
//	                                              overflow one (ErrCounterOverflow), never wraps it.
//
// The emulator keeps its own checks, written independently in ofdclient/ofdsim; the property test
// TestAcceptedDocumentsAreAcceptedByTheOFD (ofdclient/ofdsim) issues random drafts near these limits
// through kkm, builds their requests and has the emulator accept every one.
const (
	// MaxMoney is the largest amount of one price, line, modifier, total, payment, change or cash
	// operation: 999 999 999 999,99 ₸.
	MaxMoney Money = 99_999_999_999_999
	// MaxDrawer is the most cash the drawer may hold: it is reported as one amount (cash_sum).
	MaxDrawer Money = MaxMoney
	// MaxQuantity is the largest quantity of a line: 1 000 000 units (in thousandths).
	MaxQuantity Quantity = 1_000_000_000
	// MinLine is the least a line's price × quantity may come to: one tiyn.
	MinLine Money = 1
	// MaxCount is the largest count the protocol's uint32 fields carry ([SPEC202] §1).
	MaxCount = 2_147_483_647
)

// Refusals at the limits of the table, beside ErrMoneyOverflow (an amount), ErrQuantityOverflow,
// ErrReceiptOverflow (a receipt's total or modifier) and ErrCounterOverflow. Each names its limit
// as {{.Max}}, so the cashier reads the number.
const (
	ErrLineOverflow Code = "err.limit.line"      // price × quantity (or after a markup) above {{.Max}}; {{.Line}}
	ErrDrawerLimit  Code = "err.limit.drawer"    // the drawer would hold more than {{.Max}}; {{.Cash}} now
	ErrLineZero     Code = "err.limit.line_zero" // price × quantity rounds below {{.Min}}; {{.Line}}
)

// limitMessageIDs lists the message IDs of limits.go, for MessageIDs.
func limitMessageIDs() []string {
	return []string{string(ErrLineOverflow), string(ErrDrawerLimit), string(ErrLineZero)}
}
