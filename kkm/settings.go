package kkm

import "time"

// RegInfo is the registration the OFD returns (service.reg_info): who owns the register, where it
// works and its numbers. The register prints it on every receipt.
type RegInfo struct {
	OrgTitle             string `json:"org_title"`      // organisation name or the individual entrepreneur's full name
	OrgIINBIN            string `json:"org_iin_bin"`    // the seller's IIN/BIN
	OrgAddress           string `json:"org_address"`    // legal address
	OrgAddressKZ         string `json:"org_address_kz"` // legal address in Kazakh (since 2.0.3)
	OrgOKED              string `json:"org_oked,omitempty"`
	PointTitle           string `json:"point_title"`   // trading point
	PointAddress         string `json:"point_address"` // where the register is used
	PointAddressKZ       string `json:"point_address_kz"`
	RNM                  string `json:"rnm"`    // KGD registration number (fns_kkm_id), 12 digits
	ZNM                  string `json:"znm"`    // serial number as the OFD knows it (serial_number)
	KKMID                string `json:"kkm_id"` // the OFD's id of the register
	PointOfPaymentNumber string `json:"point_of_payment_number,omitempty"`
	OFDTitle             string `json:"ofd_title,omitempty"`     // the OFD's name, printed on receipts
	OFDCheckURL          string `json:"ofd_check_url,omitempty"` // the site where a buyer checks a receipt
}

// Settings is everything the manual's «Настройки» holds, plus the registration info from the OFD.
// The storage keeps it as JSON with these stable tags. Durations are stored in nanoseconds.
type Settings struct {
	SystemID     uint32 `json:"system_id"`     // the header's device ID (системный идентификатор)
	SerialNumber string `json:"serial_number"` // ZNM (заводской номер)
	Token        uint32 `json:"token"`         // the current token; the OFD rotates it
	RegisterName string `json:"register_name"` // a name the owner gives the register («Название кассы»)

	AutoCashOut             bool  `json:"auto_cash_out"`             // «Автоизъятие»: withdraw all cash before a Z report
	ReceiptModifiersAllowed bool  `json:"receipt_modifiers_allowed"` // «Скидки/наценки на чек»
	BuyerIINBINAllowed      bool  `json:"buyer_iin_bin_allowed"`     // «ИИН/БИН покупателя» (extended mode only)
	MaxReceiptSum           Money `json:"max_receipt_sum"`           // «Максимальная сумма»; 0 means no limit

	VATPayer             bool    `json:"vat_payer"`              // «Плательщик НДС»
	DefaultVATRate       VATRate `json:"default_vat_rate"`       // the rate of lines that name none
	VATCertificateSeries string  `json:"vat_certificate_series"` // серия свидетельства НДС
	VATCertificateNumber string  `json:"vat_certificate_number"` // номер свидетельства НДС

	OfflineLimit time.Duration `json:"offline_limit"` // how long the register may work offline (72 h)
	ShiftLimit   time.Duration `json:"shift_limit"`   // how long a shift may last (24 h)
	OFDAddress   string        `json:"ofd_address"`   // host:port of the OFD

	Reg RegInfo `json:"reg_info"`
}

// The defaults and upper bounds of the time limits.
const (
	DefaultOfflineLimit = 72 * time.Hour // the autonomous period (fact sheet §6.1)
	DefaultShiftLimit   = 24 * time.Hour // the longest shift (fact sheet §6.2)
)
