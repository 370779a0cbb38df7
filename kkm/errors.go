package kkm

import (
	"fmt"
	"sort"
	"strings"
)

// Code is the stable message ID of an error the register can report to a cashier, such as
// "err.receipt.empty". The i18n layer translates it; the constants below are the complete list
// (see MessageIDs). A Code is itself an error, so it serves as the target of errors.Is:
//
//	if errors.Is(err, kkm.ErrReceiptEmpty) { ... }
type Code string

// Error returns the message ID itself.
func (c Code) Error() string { return string(c) }

// MessageID returns the message ID, the key of the translated text.
func (c Code) MessageID() string { return string(c) }

// Error is a refusal by the register: a stable Code the UI translates, the values its message
// needs (TemplateData), and, where there is one, the cause it wraps.
type Error struct {
	Code Code           // what went wrong; the message ID
	Data map[string]any // the message's parameters, by the names used in the translations
	Err  error          // the underlying cause, if any
}

// newError builds an *Error with the given code and parameters given as key, value pairs.
func newError(code Code, kv ...any) *Error {
	e := &Error{Code: code}
	if len(kv) > 0 {
		e.Data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Data[kv[i].(string)] = kv[i+1]
		}
	}
	return e
}

// wrapError builds an *Error with the given code that wraps cause.
func wrapError(code Code, cause error, kv ...any) *Error {
	e := newError(code, kv...)
	e.Err = cause
	return e
}

// Error returns the message ID followed by its parameters and cause, for logs.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("kkm: ")
	b.WriteString(string(e.Code))
	if len(e.Data) > 0 {
		keys := make([]string, 0, len(e.Data))
		for k := range e.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// MessageID returns the stable message ID of the error, the key of its translated text.
func (e *Error) MessageID() string { return string(e.Code) }

// TemplateData returns the parameters of the message (nil when it has none). Money values are
// given as Money and quantities as Quantity; the i18n layer formats them.
func (e *Error) TemplateData() map[string]any { return e.Data }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Code, so errors.Is(err, kkm.ErrReceiptEmpty) works.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// The message IDs of every refusal in this package.
const (
	// Money and quantities as typed by a cashier.
	ErrMoneyEmpty           Code = "err.money.empty"             // nothing typed
	ErrMoneySyntax          Code = "err.money.syntax"            // not an amount; {{.Input}}
	ErrMoneyNegative        Code = "err.money.negative"          // a minus sign
	ErrMoneyTooManyDecimals Code = "err.money.too_many_decimals" // a third decimal
	ErrMoneyOverflow        Code = "err.limit.amount"            // above {{.Max}} (limits.go)
	ErrMoneyCoins           Code = "err.money.coins"             // wire coins above 99
	ErrQuantityEmpty        Code = "err.quantity.empty"
	ErrQuantitySyntax       Code = "err.quantity.syntax"
	ErrQuantityNegative     Code = "err.quantity.negative"
	ErrQuantityTooManyDecs  Code = "err.quantity.too_many_decimals" // a fourth decimal
	ErrQuantityOverflow     Code = "err.limit.quantity"             // above {{.Max}} (limits.go)
	ErrQuantityZero         Code = "err.quantity.zero"
	ErrQuantityFraction     Code = "err.quantity.fraction" // a fraction of a unit that cannot be split; {{.Unit}}

	// Receipts.
	ErrReceiptEmpty            Code = "err.receipt.empty"
	ErrReceiptOperation        Code = "err.receipt.operation" // unknown operation
	ErrLineNameEmpty           Code = "err.receipt.line.name_empty"
	ErrLineNameInvalid         Code = "err.receipt.line.name_invalid" // too long or with control characters; {{.Max}}
	ErrLinePriceZero           Code = "err.receipt.line.price_zero"
	ErrLineUnitUnknown         Code = "err.receipt.line.unit_unknown"
	ErrLineNTIN                Code = "err.receipt.line.ntin"                 // the НКТ code is not digits or too long; {{.Max}}
	ErrLineModifierSimple      Code = "err.receipt.line.modifier_simple_mode" // item modifiers need extended mode
	ErrVATRateInvalid          Code = "err.receipt.vat_rate_invalid"
	ErrVATNotPayer             Code = "err.receipt.vat_not_payer" // a VAT rate on a line of a non-payer
	ErrModifierInvalid         Code = "err.receipt.modifier_invalid"
	ErrModifierNotAllowed      Code = "err.receipt.modifier_not_allowed" // receipt discount/markup off in settings
	ErrDiscountTooLarge        Code = "err.receipt.discount_too_large"   // discount ≥ the amount it reduces
	ErrPaymentsMissing         Code = "err.receipt.payments_missing"
	ErrPaymentType             Code = "err.receipt.payment_type"
	ErrPaymentDuplicate        Code = "err.receipt.payment_duplicate"
	ErrPaymentZero             Code = "err.receipt.payment_zero"
	ErrPaymentsShort           Code = "err.receipt.payments_short"            // {{.Total}} {{.Paid}}
	ErrNonCashExceedsTotal     Code = "err.receipt.noncash_exceeds_total"     // {{.Total}} {{.NonCash}}
	ErrChangeNotAllowed        Code = "err.receipt.change_not_allowed"        // change on a pay-out receipt
	ErrReceiptMaxSum           Code = "err.receipt.max_sum"                   // {{.Total}} {{.Max}}
	ErrReceiptOverflow         Code = "err.limit.total"                       // a total or modifier above {{.Max}} (limits.go)
	ErrBuyerIINBINNotAllowed   Code = "err.receipt.buyer_iin_bin_not_allowed" // off in settings
	ErrBuyerIINBINSimpleMode   Code = "err.receipt.buyer_iin_bin_simple_mode" // only in extended mode
	ErrBuyerIINBINIsSeller     Code = "err.receipt.buyer_iin_bin_is_seller"   // equals the seller's
	ErrIINBINLength            Code = "err.iin_bin.length"                    // not 12 characters
	ErrIINBINDigits            Code = "err.iin_bin.digits"                    // not only digits
	ErrIINBINCheckDigit        Code = "err.iin_bin.check_digit"               // check digit wrong
	ErrReturnParentMissing     Code = "err.return.parent_missing"             // a return without its original
	ErrReturnParentUnexpected  Code = "err.return.parent_unexpected"          // a parent on a sale or purchase
	ErrReturnParentIncomplete  Code = "err.return.parent_incomplete"          // number, time, RNM or total missing
	ErrReturnParentMismatch    Code = "err.return.parent_mismatch"            // the details differ from the original
	ErrReturnOperationMismatch Code = "err.return.operation_mismatch"         // e.g. a sale return of a purchase
	ErrReturnExceedsOriginal   Code = "err.return.exceeds_original"           // {{.Left}}
	ErrReturnItemNotInOriginal Code = "err.return.item_not_in_original"       // {{.Name}}
	ErrReturnItemExceedsOrig   Code = "err.return.item_exceeds_original"      // {{.Name}} {{.Left}}
	ErrReturnModeMismatch      Code = "err.return.mode_mismatch"              // simple vs extended
	ErrCashAmountZero          Code = "err.cash.amount_zero"                  // cash in/out of nothing
	ErrCashInsufficient        Code = "err.cash.insufficient"                 // {{.Amount}} {{.Cash}}
	ErrShiftExpired            Code = "err.shift.expired"                     // past the shift limit; only Z
	ErrShiftNotOpen            Code = "err.shift.not_open"                    // Z or X without a shift
	ErrClockBackwards          Code = "err.clock.backwards"                   // {{.Last}} {{.Now}}
	ErrClockNothingToCorrect   Code = "err.clock.correct.not_needed"          // {{.Last}} {{.OFD}}
	ErrCounterOverflow         Code = "err.counter.overflow"                  // a counter would overflow
	ErrOfflineLimit            Code = "err.offline.limit"                     // {{.Hours}}
	ErrSerialNumberFormat      Code = "err.serial_number.format"              // ZNM not in the format
	ErrSerialNumberCheckDigit  Code = "err.serial_number.check_digit"         // ZNM check digit wrong
	ErrSettingsShiftLimit      Code = "err.settings.shift_limit"              // {{.Max}}
	ErrSettingsOfflineLimit    Code = "err.settings.offline_limit"            // {{.Max}}
	ErrSettingsMaxSum          Code = "err.settings.max_sum"                  // negative or too large
	ErrSettingsVATRate         Code = "err.settings.vat_rate"                 // no valid default rate
	ErrSettingsVATCertificate  Code = "err.settings.vat_certificate"          // series/number missing or not digits
	ErrSettingsOFDAddress      Code = "err.settings.ofd_address"              // not host:port
	ErrSettingsSellerIINBIN    Code = "err.settings.seller_iin_bin"           // the organisation's IIN/BIN invalid
	ErrSettingsRegisterName    Code = "err.settings.register_name"            // too long
	ErrSettingsPermissions     Code = "err.settings.permissions"              // an unknown action or role; {{.Action}}
	ErrSettingsAutoLock        Code = "err.settings.auto_lock"                // negative or above {{.Max}} minutes
	ErrSettingsPrinterAddress  Code = "err.printer.address"                   // the printer's address is not host or host:port
	ErrSettingsPrinterPaper    Code = "err.printer.paper"                     // the printer's paper is neither 58 nor 80 mm
	ErrCashierName             Code = "err.cashier.name"                      // empty
	ErrCashierRole             Code = "err.cashier.role"                      // not 1, 2 or 3
)

// MessageIDs returns every message ID this package can produce, so the i18n layer can check that
// each one is translated in every language.
func MessageIDs() []string {
	codes := []Code{
		ErrMoneyEmpty, ErrMoneySyntax, ErrMoneyNegative, ErrMoneyTooManyDecimals, ErrMoneyOverflow,
		ErrMoneyCoins, ErrQuantityEmpty, ErrQuantitySyntax, ErrQuantityNegative, ErrQuantityTooManyDecs,
		ErrQuantityOverflow, ErrQuantityZero, ErrQuantityFraction,
		ErrReceiptEmpty, ErrReceiptOperation, ErrLineNameEmpty, ErrLineNameInvalid, ErrLinePriceZero, ErrLineUnitUnknown,
		ErrLineNTIN,
		ErrLineModifierSimple, ErrVATRateInvalid, ErrVATNotPayer, ErrModifierInvalid, ErrModifierNotAllowed,
		ErrDiscountTooLarge, ErrPaymentsMissing, ErrPaymentType, ErrPaymentDuplicate, ErrPaymentZero,
		ErrPaymentsShort, ErrNonCashExceedsTotal, ErrChangeNotAllowed, ErrReceiptMaxSum, ErrReceiptOverflow,
		ErrBuyerIINBINNotAllowed, ErrBuyerIINBINSimpleMode, ErrBuyerIINBINIsSeller,
		ErrIINBINLength, ErrIINBINDigits, ErrIINBINCheckDigit,
		ErrReturnParentMissing, ErrReturnParentUnexpected, ErrReturnParentIncomplete, ErrReturnParentMismatch,
		ErrReturnOperationMismatch, ErrReturnExceedsOriginal, ErrReturnItemNotInOriginal,
		ErrReturnItemExceedsOrig, ErrReturnModeMismatch,
		ErrCashAmountZero, ErrCashInsufficient, ErrShiftExpired, ErrShiftNotOpen, ErrClockBackwards, ErrClockNothingToCorrect,
		ErrCounterOverflow, ErrOfflineLimit, ErrSerialNumberFormat, ErrSerialNumberCheckDigit,
		ErrSettingsShiftLimit, ErrSettingsOfflineLimit, ErrSettingsMaxSum, ErrSettingsVATRate,
		ErrSettingsVATCertificate, ErrSettingsOFDAddress, ErrSettingsSellerIINBIN, ErrSettingsRegisterName,
		ErrSettingsPermissions, ErrSettingsAutoLock, ErrSettingsPrinterAddress, ErrSettingsPrinterPaper,
		ErrCashierName, ErrCashierRole,
	}
	ids := make([]string, len(codes))
	for i, c := range codes {
		ids[i] = string(c)
	}
	ids = append(ids, markingMessageIDs()...)
	ids = append(ids, limitMessageIDs()...)
	ids = append(ids, geoMessageIDs()...)
	ids = append(ids, returnMessageIDs()...)
	ids = append(ids, catalogueMessageIDs()...)
	return append(ids, roleMessageIDs()...)
}
