package kkm

import (
	"net"
	"strconv"
	"strings"
	"time"
)

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
	// Token is the token the register was last connected with («Подключить кассу»), kept for
	// journals and versions that read it here. It is not the live token: the OFD rotates that
	// with its answers and «Смена токена» replaces it, and both are kept only in the journal's
	// OFD link state, which is what requests carry; the app reports the link's token as its
	// Settings().Token.
	Token        uint32 `json:"token"`
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

	// TradingPoint is the trading point's coordinates, set once by the owner (its Source is
	// ignored: TradingPointPosition gives GeoSourceTradingPoint). Fiscal requests carry them
	// when the device gives no position of its own (nil: none set).
	TradingPoint *GeoPosition `json:"trading_point,omitempty"`
	// ProtocolVersion is the KGD protocol version the register speaks with its OFD, as in the
	// frame header (0: 203, protocol 2.0.3). The OFD link picks its request mapping by it.
	ProtocolVersion uint16 `json:"protocol_version,omitempty"`

	// Permissions reserve returns, the Z report, settings, the token and cashiers for some roles
	// (nil: DefaultPermissions). AutoLockAfter locks the app after that long without a touch
	// (0: only on going to the background).
	Permissions   Permissions   `json:"permissions,omitempty"`
	AutoLockAfter time.Duration `json:"auto_lock_after,omitempty"`

	// Printer is the receipt printer the documents print on (zero: none).
	Printer Printer `json:"printer,omitzero"`

	// ScaleLabels are the layouts of the shop's scale labels (nil: DefaultScaleFormat for every
	// prefix 20–29); see ScaleFormats. CatalogueVersion is the owner's hub catalogue version the
	// register's catalogue holds, the cursor its pull goes on from (0: nothing pulled yet).
	ScaleLabels      ScaleFormats `json:"scale_labels,omitempty"`
	CatalogueVersion int64        `json:"catalogue_version,omitempty"`

	// SimpleItem is the free-price item simple mode's lines carry instead of SimpleLineName
	// (issue 14.3): the owner names it as in the НКТ, with its NTIN when there is one.
	SimpleItem SimpleItem `json:"simple_item,omitzero"`

	Reg RegInfo `json:"reg_info"`
}

// SimpleItem is the free-price item of simple mode: every amount typed on the keypad is one piece
// of it, printed and sent to the OFD with this name and NTIN. A zero SimpleItem is SimpleLineName
// without an NTIN.
type SimpleItem struct {
	Name string `json:"name,omitempty"` // as in the НКТ; empty: SimpleLineName
	NTIN string `json:"ntin,omitempty"` // digits (ValidateNTIN); empty: none
}

// LineName is the name simple mode's lines carry.
func (s SimpleItem) LineName() string {
	if n := strings.TrimSpace(s.Name); n != "" {
		return n
	}
	return SimpleLineName
}

// The defaults and upper bounds of the time limits.
const (
	DefaultOfflineLimit = 72 * time.Hour // the autonomous period (fact sheet §6.1)
	DefaultShiftLimit   = 24 * time.Hour // the longest shift (fact sheet §6.2)
)

// Limits of the settings.
const (
	MaxRegisterNameLength = 64            // characters in RegisterName
	MaxAutoLockAfter      = 8 * time.Hour // the longest idle time before the app locks
)

// DefaultSettings returns the settings of a new register: not a VAT payer (default rate 16 % once
// it becomes one), no maximum sum, receipt modifiers and buyer IIN/BIN off, auto cash-out off, the
// 72-hour offline limit and the 24-hour shift limit. System ID, serial number, token and the
// registration info come from the OFD's personal cabinet and the first COMMAND_INFO.
func DefaultSettings() Settings {
	return Settings{
		DefaultVATRate: VAT16,
		OfflineLimit:   DefaultOfflineLimit,
		ShiftLimit:     DefaultShiftLimit,
	}
}

// Validate checks the settings the owner can change. Every refusal is a typed *Error:
// ErrSettingsRegisterName (longer than MaxRegisterNameLength), ErrSettingsMaxSum (negative or
// above MaxMoney), ErrSettingsVATRate (a VAT payer's default rate must be 0, 5, 10 or 16 %),
// ErrSettingsVATCertificate (a VAT payer gives the certificate's series and number, digits only),
// ErrSettingsOfflineLimit and ErrSettingsShiftLimit (positive, at most 72 h and 24 h),
// ErrSettingsOFDAddress (host:port with a numeric port, when set), the printer (Printer.Validate),
// the trading point's coordinates
// when set (GeoPosition.Validate: within range and inside Kazakhstan) and ErrSettingsSellerIINBIN (the
// organisation's IIN/BIN, when known, passes ValidateIINBIN, which it wraps).
func (s Settings) Validate() error {
	if err := checkText(s.RegisterName, MaxRegisterNameLength, ErrSettingsRegisterName); err != nil {
		return err
	}
	if s.MaxReceiptSum < 0 || s.MaxReceiptSum > MaxMoney {
		return newError(ErrSettingsMaxSum, "Max", MaxMoney)
	}
	if s.VATPayer {
		if !s.DefaultVATRate.Taxed() {
			return newError(ErrSettingsVATRate)
		}
		if !allDigits(s.VATCertificateSeries) || !allDigits(s.VATCertificateNumber) ||
			len(s.VATCertificateSeries) > MaxVATCertificateLen || len(s.VATCertificateNumber) > MaxVATCertificateLen {
			return newError(ErrSettingsVATCertificate)
		}
	}
	if s.OfflineLimit <= 0 || s.OfflineLimit > DefaultOfflineLimit {
		return newError(ErrSettingsOfflineLimit, "Max", int64(DefaultOfflineLimit/time.Hour))
	}
	if s.ShiftLimit <= 0 || s.ShiftLimit > DefaultShiftLimit {
		return newError(ErrSettingsShiftLimit, "Max", int64(DefaultShiftLimit/time.Hour))
	}
	if s.OFDAddress != "" {
		host, port, err := net.SplitHostPort(s.OFDAddress)
		if err != nil {
			return wrapError(ErrSettingsOFDAddress, err, "Input", s.OFDAddress)
		}
		if p, perr := strconv.ParseUint(port, 10, 16); host == "" || perr != nil || p == 0 {
			return newError(ErrSettingsOFDAddress, "Input", s.OFDAddress)
		}
	}
	if s.TradingPoint != nil {
		p := *s.TradingPoint
		p.Source = GeoSourceTradingPoint
		if err := p.Validate(); err != nil {
			return err
		}
	}
	if err := s.Permissions.validate(); err != nil {
		return err
	}
	if s.AutoLockAfter < 0 || s.AutoLockAfter > MaxAutoLockAfter {
		return newError(ErrSettingsAutoLock, "Max", int64(MaxAutoLockAfter/time.Minute))
	}
	if err := s.Printer.Validate(); err != nil {
		return err
	}
	if err := s.ScaleLabels.Validate(); err != nil {
		return err
	}
	if err := ValidateItemName(strings.TrimSpace(s.SimpleItem.Name)); err != nil {
		return err
	}
	if err := ValidateNTIN(strings.TrimSpace(s.SimpleItem.NTIN)); err != nil {
		return err
	}
	if s.Reg.OrgIINBIN != "" {
		if err := ValidateIINBIN(s.Reg.OrgIINBIN); err != nil {
			return wrapError(ErrSettingsSellerIINBIN, err, "Input", s.Reg.OrgIINBIN)
		}
	}
	return nil
}

// allDigits reports whether s is a non-empty string of decimal digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
