package kkm

// MaxReceiptLines is the most lines a receipt may have. It is derived from the frame a request
// travels in: the OFD link sends at most 1 MiB per request (ofdclient.MaxRequestFrame, the limit
// its emulator applies), and a line costs at most ~850 bytes on the wire with its share of the
// printed text (printed_ticket), measured with the longest name (MaxItemNameLength Kazakh
// letters), an НКТ code, an item modifier and the largest amounts
// (ofdclient TestWorstCaseLinesFitTheFrame). 1 000 such lines take ~850 KB: any receipt within
// this bound fits, whatever its lines hold, except marking codes, which add one code per unit;
// the app measures the built request before it writes a document for those
// (ofdclient.Identity.CheckSendable). Past this bound a receipt is refused as it is computed.
const MaxReceiptLines = 1000

// ErrReceiptTooManyLines refuses a receipt with more than MaxReceiptLines lines.
const ErrReceiptTooManyLines Code = "err.receipt.too_many_lines" // {{.Max}} {{.Lines}}

// checkLineCount refuses a draft with more lines than MaxReceiptLines.
func checkLineCount(n int) error {
	if n > MaxReceiptLines {
		return newError(ErrReceiptTooManyLines, "Max", MaxReceiptLines, "Lines", n)
	}
	return nil
}
