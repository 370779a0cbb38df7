// Command ofdsim runs the OFD emulator (package ofdclient/ofdsim) standalone, so a register
// app, the conformance suite or a person with a protocol client can talk to an OFD on their own
// machine.
//
//	ofdsim -listen 127.0.0.1:7777 -register 123456:987654321:010101012345:KTCD1117737127791 -v
//
// Each -register is id:token[:rnm:znm]; the organisation and trading point are demo values.
// With -v every request and answer is logged in full. Interrupt to stop.
//
// It must not link the journal (storage) or SQLite: it imports the emulator and the wire only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ekassa-go/ekassa/ofdclient/ofdsim"
)

// registerFlags collects the repeated -register flag.
type registerFlags []ofdsim.RegisterConfig

func (r *registerFlags) String() string { return fmt.Sprint(len(*r), " registers") }

// Set parses id:token[:rnm:znm].
func (r *registerFlags) Set(v string) error {
	cfg, err := parseRegister(v)
	if err != nil {
		return err
	}
	*r = append(*r, cfg)
	return nil
}

// parseRegister parses id:token[:rnm:znm] into a register with demo organisation details.
func parseRegister(v string) (ofdsim.RegisterConfig, error) {
	parts := strings.Split(v, ":")
	if len(parts) != 2 && len(parts) != 4 {
		return ofdsim.RegisterConfig{}, fmt.Errorf("register %q: want id:token or id:token:rnm:znm", v)
	}
	id, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil {
		return ofdsim.RegisterConfig{}, fmt.Errorf("register %q: system ID: %w", v, err)
	}
	token, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return ofdsim.RegisterConfig{}, fmt.Errorf("register %q: token: %w", v, err)
	}
	cfg := ofdsim.RegisterConfig{
		ID: uint32(id), Token: uint32(token),
		RNM: fmt.Sprintf("%012d", id), ZNM: fmt.Sprintf("SIM%09d", id),
		Organisation: ofdsim.Organisation{
			Title: "ИП «Демо»", Address: "г. Астана, ул. Бейбітшілік 1", AddressKZ: "Астана қ., Бейбітшілік к-сі 1",
			IINBIN: "960624350642",
		},
		TradingPoint: ofdsim.TradingPoint{Title: "Демо дүкен", Address: "г. Астана, ул. Бейбітшілік 1"},
	}
	if len(parts) == 4 {
		cfg.RNM, cfg.ZNM = parts[2], parts[3]
	}
	return cfg, nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ofdsim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("ofdsim", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:7777", "address to listen on")
	verbose := fs.Bool("v", false, "log every request and answer in full")
	shiftLimit := fs.Duration("shift-limit", 24*time.Hour, "how long a shift may stay open before documents get code 11 (e.g. 12h, as Webkassa)")
	shiftLimitOffline := fs.Bool("shift-limit-offline", false, "refuse offline catch-up documents with code 11 too past the shift limit")
	allowMissingGeo := fs.Bool("allow-missing-geo", false, "accept fiscal requests without security_stats.geo_position, as a 2.0.2 OFD would")
	var regs registerFlags
	fs.Var(&regs, "register", "a register as id:token[:rnm:znm] (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(regs) == 0 {
		return errors.New("no -register given: the OFD would answer code 1 to everyone")
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s, err := ofdsim.New(ofdsim.Options{Logger: logger, Verbose: *verbose,
		ShiftLimit: *shiftLimit, ShiftLimitOffline: *shiftLimitOffline, AllowMissingGeo: *allowMissingGeo}, regs...)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Start(ctx, *listen); err != nil {
		return err
	}
	for _, r := range regs {
		logger.Info("register", "id", r.ID, "token", r.Token, "rnm", r.RNM, "znm", r.ZNM)
	}
	logger.Info("listening", "addr", s.Addr())
	<-ctx.Done()
	return s.Close()
}
