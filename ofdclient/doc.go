// Package ofdclient speaks the KGD protocol 2.0.3 between the cash register and an OFD
// (оператор фискальных данных), such as Kazakhtelecom's oofd.kz.
//
// The wire is plain TCP, one connection per request: the register connects, writes one frame,
// reads one frame and closes. A frame is an 18-byte little-endian [Header] followed by a
// protobuf payload: a [pb.Request] from the register, a [pb.Response] from the OFD.
//
// The package is built in layers:
//
//   - frame.go: the header and frame codec ([Header], [ReadFrame], [WriteFrame], [EncodeFrame],
//     [DecodeRequest], [DecodeResponse]) with typed errors ([FrameError]) for anything malformed;
//   - transport.go: one request/response exchange over TCP ([Transport.Exchange]) with
//     deadlines, cancellation and errors that tell a temporary failure (retry, then go offline)
//     from everything else ([IsTemporary]);
//   - convert.go: money and wall-clock time to and from their wire forms;
//   - request.go: the requests built from kkm documents ([Identity.Request]: TICKET,
//     MONEY_PLACEMENT, CLOSE_SHIFT, REPORT, with reg_info and the offline fields);
//   - protocol.go: the seam of the protocol version ([Protocol], [ProtocolFor]): the header's
//     VERSION and the mapping of documents onto requests, chosen per register, 2.0.3 today, with
//     the register's position (security_stats.geo_position) in every fiscal request;
//   - size.go: [Identity.CheckSendable], the measure of a document's request against
//     [MaxRequestFrame] before the app writes it;
//   - connect.go: connecting a register ([Connect], COMMAND_INFO) and reconciling the local
//     shift with the OFD's view of it ([Reconcile]);
//   - result.go: the OFD's result codes and the typed errors of a refusal ([ResultError]) and of
//     no answer ([UnreachableError]).
//
// A result code other than 0 is not a transport error: the exchange returns the response and
// the caller (package delivery's sender) decides what the code means for the register.
//
// This package is the wire only: it imports kkm and its own pb, and must not import storage,
// delivery, app or ui, so the standalone emulator (cmd/ofdsim) links no SQLite. The sending
// policy (the queue, offline mode, blocks) lives in package delivery.
package ofdclient
