package escpos

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net"
	"os"
	"time"
)

// DefaultPort is the TCP port of raw printing on network printers.
const DefaultPort = "9100"

// DefaultTimeout bounds a print job when the context has no deadline of its own.
const DefaultTimeout = 15 * time.Second

// ErrNoAddress is returned when a printer has no address to send to.
var ErrNoAddress = errors.New("escpos: no printer address")

// Printer is a network receipt printer, as chosen in the settings.
type Printer struct {
	// Addr is the printer's host or host:port; without a port, DefaultPort.
	Addr string
	// Dots is the printable width: Dots58mm or Dots80mm (zero means Dots58mm).
	Dots int
	// Dither reduces the image to dots; Threshold suits rendered receipts.
	Dither Dither
	// Timeout bounds a job when ctx has no deadline; zero means DefaultTimeout.
	Timeout time.Duration
}

// address returns host:port, adding the default port.
func (p Printer) address() (string, error) {
	if p.Addr == "" {
		return "", ErrNoAddress
	}
	if _, _, err := net.SplitHostPort(p.Addr); err == nil {
		return p.Addr, nil
	}
	return net.JoinHostPort(p.Addr, DefaultPort), nil
}

// dots returns the effective width.
func (p Printer) dots() int {
	if p.Dots <= 0 {
		return Dots58mm
	}
	return p.Dots
}

// Print prints an image (a receipt drawn by package receipt at its printer scale, say) as one job:
// initialise, raster, feed, cut.
func (p Printer) Print(ctx context.Context, img image.Image) error {
	return p.Send(ctx, Job(img, p.dots(), p.Dither))
}

// Send opens a TCP connection to the printer, writes data whole and closes it. It gives up when
// ctx is done or its deadline (else Timeout) passes, whichever is first; the error wraps the
// cause (a *net.OpError, context.DeadlineExceeded, …).
func (p Printer) Send(ctx context.Context, data []byte) error {
	addr, err := p.address()
	if err != nil {
		return err
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("escpos: connect to printer %s: %w", addr, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("escpos: printer %s: %w", addr, err)
	}
	// A cancelled context interrupts a write blocked on a printer that stopped reading.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(data); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("escpos: send to printer %s: %w (%w)", addr, context.Cause(ctx), err)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The connection's deadline is the context's: it passed a moment before ctx noticed.
			return fmt.Errorf("escpos: send to printer %s: %w (%w)", addr, context.DeadlineExceeded, err)
		}
		return fmt.Errorf("escpos: send to printer %s: %w", addr, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("escpos: finish job on printer %s: %w", addr, err)
		}
	}
	return nil
}
