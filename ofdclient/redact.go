package ofdclient

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// The TOKEN is the register's credential with the OFD: whoever has it (with the system ID, which
// is printed on every receipt) can fiscalise in the register's name. It appears in no log line and
// no error text (issue 15, item 6); a log names a token only by TokenTag.

// tagKey is made once per process, so a tag means nothing outside the log it appears in.
var tagKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // crypto/rand does not fail on the platforms Go supports
	return k
}()

// TokenTag names token in a log without revealing it: "token#" and 6 hex digits of an HMAC of the
// token under a key made afresh for each process. Two lines of one log with the same tag speak of
// the same token; a 32-bit token cannot be recovered from the tag without the key, which never
// leaves the process. Zero (no token) is "token#none".
func TokenTag(token uint32) string {
	if token == 0 {
		return "token#none"
	}
	m := hmac.New(sha256.New, tagKey)
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], token)
	m.Write(b[:])
	return "token#" + hex.EncodeToString(m.Sum(nil)[:3])
}

// String shows a header with its token as TokenTag, so that a header printed by mistake (%v)
// does not print the token.
func (h Header) String() string {
	return fmt.Sprintf("{app %#04x v%d size %d id %d %s reqnum %d}", h.AppCode, h.Version, h.Size, h.SystemID, TokenTag(h.Token), h.ReqNum)
}
