package ofdsim

import (
	"strings"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// The emulator's checks of marked goods (fact sheet §3.3, commodity list_excise_stamp, field 14;
// Order 626 para 56 item 8): a commodity that carries marking codes carries one per unit, so its
// quantity is whole and equals the number of codes; each code has the shape of a marking code
// (AI 01 and a 14-digit GTIN first, or the 29-character tobacco pack code without AIs); a unit
// appears once in a receipt; and a return gives back only units its original sold and no earlier
// return gave back. The emulator
// keeps its own reading of a code, apart from the register's kkm parser, so that a fault in one
// is not hidden by the same fault in the other.

// stampUnit returns what identifies the unit of a marking code: for a GS1 element string, AI 01,
// the GTIN, AI 21 and the serial up to the first group separator; for the AI-less tobacco code,
// its GTIN and serial. ok is false when the code has neither shape.
func stampUnit(code string) (unit string, ok bool) {
	digits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case len(code) > 200:
		return "", false
	case strings.HasPrefix(code, "01") && len(code) > 18 && digits(code[2:16]) && code[16:18] == "21":
		unit, _, _ = strings.Cut(code, "\x1d")
		return unit, len(unit) > 18
	case len(code) == 29 && digits(code[:14]) && !strings.Contains(code, "\x1d"):
		return code[:21], true
	}
	return "", false
}

// checkStamps checks the marking codes of one commodity (what names it in a refusal) and adds
// their units to seen, refusing a unit already there.
func checkStamps(what string, quantity uint64, stamps []string, seen map[string]bool) *refusal {
	if len(stamps) == 0 {
		return nil
	}
	if quantity%1000 != 0 || quantity/1000 != uint64(len(stamps)) {
		return refuse(codeIncorrectData, "%s: %d marking codes for quantity %d.%03d; a marked item needs one code per whole unit",
			what, len(stamps), quantity/1000, quantity%1000)
	}
	for i, code := range stamps {
		unit, ok := stampUnit(code)
		if !ok {
			return refuse(codeIncorrectData, "%s: list_excise_stamp %d %q is not a marking code", what, i+1, code)
		}
		if seen[unit] {
			return refuse(codeIncorrectData, "%s: the unit %q is in the receipt twice", what, unit)
		}
		seen[unit] = true
	}
	return nil
}

// checkReturnedStamps refuses a return whose marking codes name a unit its original did not sell,
// or one an earlier return (a receipt of the ledgers naming the same parent) already gave back.
func (s *Server) checkReturnedStamps(ret *pb.TicketRequest, parent *receipt) *refusal {
	sold := map[string]bool{}
	for _, it := range parent.ticket().GetItems() {
		for _, code := range it.GetCommodity().GetListExciseStamp() {
			if unit, ok := stampUnit(code); ok {
				sold[unit] = true
			}
		}
	}
	if len(sold) == 0 {
		return nil
	}
	back := map[string]bool{}
	named := ret.GetParentTicket().GetParentTicketNumber()
	for _, l := range s.ledgers {
		for _, r := range l.receipts {
			if r.ParentSign != named || r.request == nil {
				continue
			}
			for _, it := range r.ticket().GetItems() {
				for _, code := range it.GetCommodity().GetListExciseStamp() {
					if unit, ok := stampUnit(code); ok {
						back[unit] = true
					}
				}
			}
		}
	}
	for _, it := range ret.GetItems() {
		for _, code := range it.GetCommodity().GetListExciseStamp() {
			unit, _ := stampUnit(code)
			switch {
			case !sold[unit]:
				return refuse(codeIncorrectData, "the return gives back the unit %q its original did not sell", unit)
			case back[unit]:
				return refuse(codeIncorrectData, "the unit %q was already given back by an earlier return", unit)
			}
		}
	}
	return nil
}
