// Package pb holds the messages of the KGD protocol 2.0.3 between a cash register and an OFD,
// generated from this project's own .proto files (proto2, package kz.kazakhtelecom.proto.v203).
//
// The .proto files beside this file are the source; the *.pb.go files are generated and
// committed. To regenerate them, from the repository root (or `make proto`):
//
//	GOBIN=$(go env GOPATH)/bin go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	cd ofdclient/pb && protoc --proto_path=. --go_out=. --go_opt=paths=source_relative *.proto
//
// protoc is Debian's protobuf-compiler (3.21.12 was used); protoc-gen-go must be the version of
// google.golang.org/protobuf in go.mod.
//
// The same files let protoc act as an independent encoder and decoder, e.g.
//
//	protoc -I ofdclient/pb --decode=kz.kazakhtelecom.proto.v203.Response message.proto < body.bin
//
// It imports nothing of the project.
package pb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative common.proto message.proto ticket.proto report.proto service.proto reginfo.proto bind_taxation.proto nomenclature.proto nomenclature_barcode.proto auth.proto
