package kkm

// MaxReceiptLines is the most lines a receipt may have. It is derived from the frame a request
// travels in: the OFD link sends at most 1 MiB per request (ofdclient.MaxRequestFrame, the limit
// its emulator applies), and a line costs at most ~900 bytes on the wire with its share of the
// printed text (printed_ticket), measured with the longest name and section (in two-byte Kazakh
// letters), an НКТ code, an item modifier and the largest amounts
// (ofdclient TestWorstCaseLinesFitTheFrame). 1 000 such lines take ~885 KB (86 % of the frame): any receipt within
// this bound fits, whatever its lines hold, except marking codes, which add one code per unit;
// the app measures the built request before it writes a document for those
// (ofdclient.Identity.CheckSendable). Past this bound a receipt is refused as it is computed.
const MaxReceiptLines = 1000

// ErrReceiptTooManyLines refuses a receipt with more than MaxReceiptLines lines.
const ErrReceiptTooManyLines Code = "err.receipt.too_many_lines" // {{.Max}} {{.Lines}}

// MaxSectionLength bounds a line's section code (section_code, a string on the wire): a
// department's number or short code ("1", "12", "Бар"), printed on the receipt. The protocol sets
// no length; without one a section could hold any amount of text and outgrow the frame, which the
// line bound above assumes it does not.
const MaxSectionLength = 32

// ErrLineSection refuses a section code that is too long or holds control characters.
const ErrLineSection Code = "err.receipt.line.section" // {{.Line}} {{.Max}}

// checkSection checks line n's section code.
func checkSection(n int, section string) error {
	if checkText(section, MaxSectionLength, ErrLineSection) != nil {
		return newError(ErrLineSection, "Line", n, "Max", MaxSectionLength)
	}
	return nil
}

// checkLineCount refuses a draft with more lines than MaxReceiptLines.
func checkLineCount(n int) error {
	if n > MaxReceiptLines {
		return newError(ErrReceiptTooManyLines, "Max", MaxReceiptLines, "Lines", n)
	}
	return nil
}
