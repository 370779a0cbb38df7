# E-kassa: a mobile cash register for Kazakhstan (Go + Fyne).
#
#   make run          start the app in demo mode (embedded OFD emulator, no account, no network; kept between runs)
#   make test         vet, staticcheck and every test (installs what the build needs)
#   make lint         gofmt and staticcheck (pinned)
#   make bench        run the benchmarks
#   make fuzz         run every fuzz target for FUZZTIME each
#   make conformance  the OFD conformance suite (emulator by default; OFD_ADDR etc. for a real OFD)
#   make proto        regenerate ofdclient/pb from its .proto files
#   make hub          the owner's hub: a local PostgreSQL cluster and the hub beside it (HUB_DATA, HUB_LISTEN)
#   make hub-drill    registers as processes pushing through hub kills, a lost phone restored, a register days late
#   make ofdsim       run the OFD emulator standalone on 127.0.0.1:7777 with one register
#   make cross        build the non-UI packages for android/arm64 and ios/arm64 without cgo
#   make crash        the crash drill: a child issuing documents killed with SIGKILL (CRASH_KILLS, 1000)
#   make faults       the fault matrix against the emulator (docs/fault-matrix.md)
#   make fixture      generate a year of a busy shop (1 000 000 documents) for the scale benchmarks
#   make bench-scale  history, analytics, start cost and memory on that journal; a 10 000-document backlog drained
#   make test-mobile  the UI tests in Fyne's mobile simulation; make run-mobile runs the app in it
#   make measure      cold start, binary size, memory after a day of sales (docs/benchmarks.md)
#   make package-linux / package-android / package-ios
#
# Fyne needs cgo and the X11/GL headers. `deps` installs them when run as root on Debian/Ubuntu,
# and otherwise prints the exact command.

GO        ?= go
GOBIN     ?= $(shell $(GO) env GOPATH)/bin
FUZZTIME  ?= 20s
BENCHTIME ?= 1s
# Pinned tool versions: the generated code and the packages must not change with the day they are made.
PROTOC_GEN_GO_VERSION ?= v1.36.12
FYNE_TOOL_VERSION     ?= v1.7.4
STATICCHECK_VERSION   ?= v0.8.2

APT_PACKAGES := gcc libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libgles-dev
# One header per package above: present means installed.
DEP_HEADERS := /usr/include/GL/gl.h /usr/include/X11/Xcursor/Xcursor.h /usr/include/X11/extensions/Xrandr.h \
               /usr/include/X11/extensions/Xinerama.h /usr/include/X11/extensions/XInput2.h \
               /usr/include/X11/extensions/xf86vmode.h /usr/include/GLES2/gl2.h

.PHONY: all run build test vet lint pgdeps hub hub-drill bench fuzz conformance proto deps tools ofdsim cross fixture bench-scale crash faults test-mobile run-mobile measure \
        package-linux package-android package-ios clean

all: build

deps:
	@missing=""; for h in $(DEP_HEADERS); do [ -f $$h ] || missing="$$missing $$h"; done; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing the C headers Fyne needs:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "Fyne needs cgo and the X11/GL headers. Install them with:"; \
	    echo "  sudo apt-get install -y $(APT_PACKAGES)"; exit 1; \
	  fi; \
	fi

build: deps
	$(GO) build -o bin/ekassa .

run: deps
	$(GO) run . -demo

vet: deps
	$(GO) vet ./...

# staticcheck at a pinned version, run with `go run pkg@version` so it needs no entry in go.mod.
lint: deps
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  [ -z "$$unformatted" ] || { echo "gofmt would change: $$unformatted"; exit 1; }
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# The hub's tests start their own throwaway PostgreSQL cluster (internal/pgtest) from the machine's
# PostgreSQL; pgdeps installs Debian's when it is missing, and EKASSA_REQUIRE_PG makes a missing
# one a failure instead of a skip.
pgdeps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing PostgreSQL for the hub's tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "the hub's tests need PostgreSQL: sudo apt-get install -y postgresql"; exit 1; fi; }

test: deps pgdeps vet lint
	EKASSA_REQUIRE_PG=1 $(GO) test -count=1 ./...
	$(GO) test -count=1 -race ./kkm/... ./storage/... ./ofdclient/... ./delivery/...

# Fyne's mobile simulation on the desktop; migrated_fynedo runs UI callbacks on the UI goroutine
# as on a phone, which the headless tests need to finish an unlock.
test-mobile: deps
	$(GO) test -count=1 -tags mobile,migrated_fynedo ./ui/...

run-mobile: deps
	$(GO) run -tags mobile . -demo

# The owner's hub on this machine: a PostgreSQL cluster in HUB_DATA and the hub beside it over
# TLS (a self-signed certificate); it prints where to point a register.
HUB_DATA ?= hub-data
HUB_LISTEN ?= 127.0.0.1:8443

hub: pgdeps
	$(GO) run ./cmd/ekassa-hub local -data $(HUB_DATA) -listen $(HUB_LISTEN)

# The separate-process drill (internal/hubdrill), bigger than go test's: 20 registers, 5 days.
HUB_DRILL_REGISTERS ?= 20
HUB_DRILL_DAYS ?= 5

hub-drill: pgdeps
	EKASSA_REQUIRE_PG=1 EKASSA_HUB_DRILL_REGISTERS=$(HUB_DRILL_REGISTERS) EKASSA_HUB_DRILL_DAYS=$(HUB_DRILL_DAYS) \
	  EKASSA_HUB_DRILL_SELL=40 $(GO) test -count=1 -v -timeout 30m -run '^TestHubDrill$$' ./internal/hubdrill

# Needs a display (DISPLAY, e.g. Xvfb), xdotool and imagemagick for the first-frame timing.
measure: build
	$(GO) run ./cmd/ekassa-measure day -n 2000
	$(GO) run ./cmd/ekassa-measure start -bin bin/ekassa -runs 5

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) ./...

# Each fuzz target runs on its own for FUZZTIME (go test -fuzz takes one target at a time).
fuzz: deps
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# The packages that must carry over to the phones unchanged: the domain, the journal, the OFD link.
CROSS_PACKAGES := ./kkm/... ./storage/... ./ofdclient/... ./delivery/...

cross:
	CGO_ENABLED=0 GOOS=android GOARCH=arm64 $(GO) build $(CROSS_PACKAGES)
	CGO_ENABLED=0 GOOS=ios GOARCH=arm64 $(GO) build $(CROSS_PACKAGES)

# The scale journals live outside the repository (1.2 GB, minutes to make); the benchmarks
# generate them on first use into FIXTURE_DIR and reuse them.
FIXTURE_DIR ?= $(or $(TMPDIR),/tmp)/ekassa-fixture

fixture:
	@mkdir -p "$(FIXTURE_DIR)"
	@[ -f "$(FIXTURE_DIR)/journal-1m.db" ] || $(GO) run ./cmd/ekassa-fixture -out $(FIXTURE_DIR)/journal-1m.db -docs 1000000 -seed 1

bench-scale:
	EKASSA_SCALE=1 EKASSA_FIXTURE_DIR=$(FIXTURE_DIR) $(GO) test -run '^$$' -bench 'Scale(HistoryPage|Analytics|Start)' -benchtime 200x ./storage/fixture/
	EKASSA_SCALE=1 EKASSA_FIXTURE_DIR=$(FIXTURE_DIR) $(GO) test -run '^$$' -bench ScaleResidentMemory -benchtime 3x ./storage/fixture/
	EKASSA_SCALE=1 $(GO) test -run '^$$' -bench 'DrainOverBareInsert/backlog=10000' -benchtime 1x ./delivery/

# A register for a client to connect to: system ID 123456, token 987654321 (the vectors' values).
ofdsim:
	$(GO) run ./cmd/ofdsim -listen 127.0.0.1:7777 -register 123456:987654321:010101012345:KTCD1117737127791 -v

CRASH_KILLS ?= 1000

crash: deps
	EKASSA_CRASH_KILLS=$(CRASH_KILLS) $(GO) test -count=1 -v -run '^TestCrashDrill$$' ./internal/crashdrill

faults:
	$(GO) test -count=1 -v -run '^TestFaultMatrix' ./delivery/

conformance:
	$(GO) test -count=1 -v -run '^TestConformance' ./delivery/...

proto: tools
	cd ofdclient/pb && PATH="$(GOBIN):$$PATH" protoc --proto_path=. --go_out=. --go_opt=paths=source_relative *.proto

tools:
	@command -v protoc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler >/dev/null; \
	  else echo "install protoc: sudo apt-get install -y protobuf-compiler"; exit 1; fi; }
	@[ -x "$(GOBIN)/protoc-gen-go" ] && "$(GOBIN)/protoc-gen-go" --version | grep -q "$(PROTOC_GEN_GO_VERSION)" || \
	  $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

# `fyne package` bumps Build in FyneApp.toml and rewrites the file after every run; the version is
# ours to set in a commit, not a side effect of building, so the file is put back as it was.
FYNE_PACKAGE = cp FyneApp.toml .FyneApp.toml.keep; \
	$(GO) run fyne.io/tools/cmd/fyne@$(FYNE_TOOL_VERSION) package --release --os
FYNE_RESTORE = status=$$?; mv -f .FyneApp.toml.keep FyneApp.toml; exit $$status

package-linux: deps
	@$(FYNE_PACKAGE) linux; $(FYNE_RESTORE)

package-android:
	@[ -n "$$ANDROID_NDK_HOME" ] && [ -d "$$ANDROID_NDK_HOME" ] || { \
	  echo "package-android needs the Android NDK (r25 or newer): set ANDROID_NDK_HOME to its folder."; exit 1; }
	@$(FYNE_PACKAGE) android; $(FYNE_RESTORE)

package-ios:
	@[ "$$(uname -s)" = Darwin ] && command -v xcodebuild >/dev/null 2>&1 || { \
	  echo "package-ios needs macOS with Xcode and a signing identity (Apple developer account)."; exit 1; }
	@$(FYNE_PACKAGE) ios; $(FYNE_RESTORE)

clean:
	rm -rf bin E-kassa.tar.xz
