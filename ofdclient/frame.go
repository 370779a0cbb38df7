package ofdclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/ekassa-go/ekassa/ofdclient/pb"
)

// Header constants of the KGD protocol (fact sheet §2.2).
const (
	// AppCode is the APPCODE every frame starts with (bytes A2 81 on the wire).
	AppCode uint16 = 0x81A2
	// Version202 is the protocol version 2.0.2 as it travels in the header.
	Version202 uint16 = 202
	// Version203 is the protocol version 2.0.3, the one this package speaks.
	Version203 uint16 = 203
	// HeaderSize is the length of the frame header in bytes.
	HeaderSize = 18
	// DefaultFrameLimit is the largest frame, header included, that ReadFrame accepts when
	// given no limit: 1 MiB. The largest legitimate answer is an INFO or a report with a
	// few hundred ZX counters, a few kilobytes; a nomenclature download is the only thing
	// that could grow further, and the register does not ask for it. Kazakhtelecom's
	// Kotlin client caps answers at 5 MiB.
	DefaultFrameLimit = 1 << 20
)

// Header is the 18-byte frame header. All fields are little-endian on the wire, in this order.
type Header struct {
	// AppCode is always AppCode; EncodeFrame fills it in when zero.
	AppCode uint16
	// Version is the protocol version as a number (203 for 2.0.3); EncodeFrame uses
	// Version203 when zero.
	Version uint16
	// Size is the total length of the frame, header included; EncodeFrame computes it.
	Size uint32
	// SystemID is the device ID the OFD assigned to the register (the header's ID).
	SystemID uint32
	// Token is the rotating exchange key; the OFD may answer with a new one.
	Token uint32
	// ReqNum is the request number (REQNUM); the OFD answers with the same one.
	ReqNum uint16
}

// AppendBinary appends the 18 header bytes to b, exactly as the fields are, and returns the
// extended slice. It implements encoding.BinaryAppender.
func (h Header) AppendBinary(b []byte) ([]byte, error) {
	b = binary.LittleEndian.AppendUint16(b, h.AppCode)
	b = binary.LittleEndian.AppendUint16(b, h.Version)
	b = binary.LittleEndian.AppendUint32(b, h.Size)
	b = binary.LittleEndian.AppendUint32(b, h.SystemID)
	b = binary.LittleEndian.AppendUint32(b, h.Token)
	b = binary.LittleEndian.AppendUint16(b, h.ReqNum)
	return b, nil
}

// MarshalBinary returns the 18 header bytes. It implements encoding.BinaryMarshaler.
func (h Header) MarshalBinary() ([]byte, error) {
	return h.AppendBinary(make([]byte, 0, HeaderSize))
}

// ParseHeader decodes and checks the header at the start of b: the app code must be AppCode
// and SIZE at least HeaderSize. Any version is accepted (the real test OFD answers with 202);
// the caller decides what to do with it. Errors are *FrameError values.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, &FrameError{Kind: ErrShortFrame, Err: io.ErrUnexpectedEOF}
	}
	h := Header{
		AppCode:  binary.LittleEndian.Uint16(b[0:2]),
		Version:  binary.LittleEndian.Uint16(b[2:4]),
		Size:     binary.LittleEndian.Uint32(b[4:8]),
		SystemID: binary.LittleEndian.Uint32(b[8:12]),
		Token:    binary.LittleEndian.Uint32(b[12:16]),
		ReqNum:   binary.LittleEndian.Uint16(b[16:18]),
	}
	if h.AppCode != AppCode {
		return h, &FrameError{Kind: ErrAppCode, Header: h,
			Err: fmt.Errorf("app code %#04x, want %#04x", h.AppCode, AppCode)}
	}
	if h.Size < HeaderSize {
		return h, &FrameError{Kind: ErrFrameSize, Header: h,
			Err: fmt.Errorf("SIZE %d is less than the %d-byte header", h.Size, HeaderSize)}
	}
	return h, nil
}

// Frame is one frame read from the wire: its header and its protobuf payload.
type Frame struct {
	Header  Header
	Payload []byte
}

// Sentinel kinds of frame errors, for errors.Is. Every error ReadFrame, ParseHeader,
// EncodeFrame and the Decode functions return matches exactly one of them.
var (
	// ErrShortFrame: the stream ended before a whole frame was read (a truncated header or
	// payload, or no bytes at all). It wraps io.EOF or io.ErrUnexpectedEOF.
	ErrShortFrame = errors.New("ofdclient: short frame")
	// ErrAppCode: the first two bytes are not the protocol's APPCODE 0x81A2.
	ErrAppCode = errors.New("ofdclient: wrong app code")
	// ErrFrameSize: SIZE is smaller than the header.
	ErrFrameSize = errors.New("ofdclient: bad frame size")
	// ErrFrameTooLarge: SIZE is over the reader's limit, or a payload is too large to send.
	ErrFrameTooLarge = errors.New("ofdclient: frame too large")
	// ErrPayload: the payload is not a valid protobuf message of the expected type, or a
	// message could not be encoded.
	ErrPayload = errors.New("ofdclient: bad payload")
)

// FrameError is a malformed, truncated or oversized frame, or a payload that does not
// decode. errors.Is matches it against its Kind (one of the Err* sentinels above) and
// against its cause.
type FrameError struct {
	// Kind is one of ErrShortFrame, ErrAppCode, ErrFrameSize, ErrFrameTooLarge, ErrPayload.
	Kind error
	// Header is the header as far as it was read (zero if it was not).
	Header Header
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *FrameError) Error() string {
	if e.Err == nil {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Err.Error()
}

// Unwrap returns the kind and the cause, so errors.Is works with both.
func (e *FrameError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// ReadFrame reads exactly one frame from r: the 18-byte header, then SIZE−18 payload bytes.
// limit is the largest SIZE accepted; limit <= 0 means DefaultFrameLimit. A frame over the
// limit is refused from its header alone, before its payload is read or allocated. A reader
// that stalls blocks ReadFrame: give it a deadline (as Transport does with the connection).
// Every error is a *FrameError, except the reader's own errors other than EOF, which come
// back wrapped as they are.
func ReadFrame(r io.Reader, limit int) (Frame, error) {
	if limit <= 0 {
		limit = DefaultFrameLimit
	}
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return Frame{}, readError(Header{}, "header", err)
	}
	h, err := ParseHeader(hb[:])
	if err != nil {
		return Frame{}, err
	}
	if uint64(h.Size) > uint64(limit) {
		return Frame{}, &FrameError{Kind: ErrFrameTooLarge, Header: h,
			Err: fmt.Errorf("SIZE %d is over the limit of %d bytes", h.Size, limit)}
	}
	payload := make([]byte, h.Size-HeaderSize)
	if _, err := io.ReadFull(r, payload); err != nil {
		return Frame{}, readError(h, "payload", err)
	}
	return Frame{Header: h, Payload: payload}, nil
}

// readError classifies an error of io.ReadFull: an end of stream is a short frame, anything
// else (a timeout, a reset) is the reader's own error, wrapped with what was being read.
func readError(h Header, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FrameError{Kind: ErrShortFrame, Header: h, Err: fmt.Errorf("reading the %s: %w", what, err)}
	}
	return fmt.Errorf("ofdclient: reading the frame %s: %w", what, err)
}

// EncodeFrame builds a frame from a header and a message: it marshals m with proto2
// semantics and deterministic field order (required fields must be set; zero values of
// required fields are written), sets h.AppCode and h.Size, uses Version203 when h.Version
// is zero, and returns the header and payload bytes. It returns the header as sent.
func EncodeFrame(h Header, m proto.Message) ([]byte, Header, error) {
	return AppendEncodedFrame(nil, h, m)
}

// AppendEncodedFrame appends to b the frame EncodeFrame builds, marshalling m straight after
// the header's place (one buffer, no copy of the payload): a caller that sends many requests
// passes the last one's buffer back as b[:0] and allocates nothing once it is large enough.
func AppendEncodedFrame(b []byte, h Header, m proto.Message) ([]byte, Header, error) {
	start := len(b)
	b = append(b, make([]byte, HeaderSize)...)
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(b, m)
	if err != nil {
		return b[:start], h, &FrameError{Kind: ErrPayload, Header: h, Err: err}
	}
	payload := len(b) - start - HeaderSize
	if uint64(payload) > math.MaxUint32-HeaderSize {
		return b[:start], h, &FrameError{Kind: ErrFrameTooLarge, Header: h,
			Err: fmt.Errorf("payload of %d bytes does not fit SIZE", payload)}
	}
	h.AppCode = AppCode
	if h.Version == 0 {
		h.Version = Version203
	}
	h.Size = uint32(HeaderSize + payload)
	h.AppendBinary(b[start:start]) // writes the 18 bytes in place: the capacity is there
	return b, h, nil
}

// AppendFrame appends a frame made of h and payload to b, filling in h.AppCode, h.Size and,
// when zero, h.Version. It returns the extended slice and the header as written.
func AppendFrame(b []byte, h Header, payload []byte) ([]byte, Header, error) {
	if uint64(len(payload)) > math.MaxUint32-HeaderSize {
		return b, h, &FrameError{Kind: ErrFrameTooLarge, Header: h,
			Err: fmt.Errorf("payload of %d bytes does not fit SIZE", len(payload))}
	}
	h.AppCode = AppCode
	if h.Version == 0 {
		h.Version = Version203
	}
	h.Size = uint32(HeaderSize + len(payload))
	b, _ = h.AppendBinary(b)
	return append(b, payload...), h, nil
}

// WriteFrame writes one frame made of h and payload to w in a single Write, filling in the
// header as AppendFrame does, and returns the header as written.
func WriteFrame(w io.Writer, h Header, payload []byte) (Header, error) {
	frame, h, err := AppendFrame(make([]byte, 0, HeaderSize+len(payload)), h, payload)
	if err != nil {
		return h, err
	}
	if _, err := w.Write(frame); err != nil {
		return h, fmt.Errorf("ofdclient: writing the frame: %w", err)
	}
	return h, nil
}

// unmarshal decodes a payload leniently: fields this schema does not know (a 2.0.2 server's
// tenantId in field 6, a later version's additions) are kept as unknown fields, and a missing
// required field deep in the message does not fail the decoding. DecodeRequest and
// DecodeResponse check the fields the protocol cannot do without.
func unmarshal(payload []byte, m proto.Message) error {
	return proto.UnmarshalOptions{AllowPartial: true}.Unmarshal(payload, m)
}

// DecodeRequest decodes a frame payload as a Request. The command must be present.
// Errors are *FrameError values of kind ErrPayload.
func DecodeRequest(payload []byte) (*pb.Request, error) {
	req := new(pb.Request)
	if err := unmarshal(payload, req); err != nil {
		return nil, &FrameError{Kind: ErrPayload, Err: fmt.Errorf("decoding a Request: %w", err)}
	}
	if req.Command == nil {
		return nil, &FrameError{Kind: ErrPayload, Err: errors.New("Request without a command")}
	}
	return req, nil
}

// DecodeResponse decodes a frame payload as a Response. The command and the result code
// must be present. Errors are *FrameError values of kind ErrPayload.
func DecodeResponse(payload []byte) (*pb.Response, error) {
	resp := new(pb.Response)
	if err := unmarshal(payload, resp); err != nil {
		return nil, &FrameError{Kind: ErrPayload, Err: fmt.Errorf("decoding a Response: %w", err)}
	}
	if resp.Command == nil {
		return nil, &FrameError{Kind: ErrPayload, Err: errors.New("a response without a command")}
	}
	if resp.Result == nil || resp.Result.ResultCode == nil {
		return nil, &FrameError{Kind: ErrPayload, Err: errors.New("a response without a result code")}
	}
	return resp, nil
}
