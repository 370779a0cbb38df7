package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holderEnv names the journal when the test binary runs as the holding child of TestOneWriter.
const holderEnv = "EKASSA_STORAGE_LOCK_HOLDER"

// TestOneWriter runs this test binary again as a second process that opens the journal, sells
// one receipt and holds the journal until its stdin closes. While it holds it, this process may
// not open the journal (ErrJournalInUse, with its message ID), and a Commit through a second
// handle never happens; once the child is killed with SIGKILL (no Close, no unlock of its own),
// the kernel has dropped its lock and this process opens the journal and finds the child's sale.
// The other way round: with this process holding the journal, a second child is refused.
func TestOneWriter(t *testing.T) {
	if path := os.Getenv(holderEnv); path != "" {
		holdJournal(path)
		return
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	ctx := context.Background()

	child, stdin := startHolder(t, path)
	_, err := Open(ctx, path)
	if !errors.Is(err, ErrJournalInUse) {
		t.Fatalf("Open while another process holds the journal: %v, want ErrJournalInUse", err)
	}
	var le *LockError
	if !errors.As(err, &le) || le.SameProcess || le.MessageID() != "err.journal.in_use" {
		t.Errorf("the refusal %#v: want another process and err.journal.in_use", err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	stdin.Close()

	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the holder was killed: %v", err)
	}
	defer j.Close()
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 1 {
		t.Errorf("the holder's sale: %+v, %v", st, err)
	}

	// Now this process holds it: a second process is refused and says so.
	out, err := holderCommand(path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "refused err.journal.in_use") {
		t.Errorf("a second process while this one holds the journal: %v\n%s", err, out)
	}
	if st, err := j.OutboxStats(ctx); err != nil || st.Waiting != 1 {
		t.Errorf("after the refused process: %+v, %v", st, err)
	}
}

// TestSecondHandleInOneProcess: a journal open in this process cannot be opened again here, also
// not through another spelling of its path, and can be once the first handle is closed.
func TestSecondHandleInOneProcess(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, filepath.Join(dir, ".", "sub", "..", "journal.db")} {
		_, err := Open(ctx, p)
		var le *LockError
		if !errors.As(err, &le) || !le.SameProcess || !errors.Is(err, ErrJournalInUse) {
			t.Errorf("second Open of %s: %v, want the same-process refusal", p, err)
		}
	}
	// A symbolic link to it is another path, and the OS lock (per open file) refuses it.
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(path, link); err == nil {
		if err := os.Symlink(path+".lock", link+".lock"); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, link); !errors.Is(err, ErrJournalInUse) {
			t.Errorf("Open through a symbolic link: %v, want ErrJournalInUse", err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j2.Close()
}

func holderCommand(path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), holderEnv+"="+path)
	return cmd
}

// startHolder starts the holding child and returns once it holds the journal and has sold.
func startHolder(t *testing.T, path string) (*exec.Cmd, interface{ Close() error }) {
	t.Helper()
	cmd := holderCommand(path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if sc.Text() == "holding" {
			return cmd, stdin
		}
	}
	t.Fatalf("the holder never held the journal: %v", sc.Err())
	return nil, nil
}

// holdJournal is the child's side: open, sell, say "holding", wait for stdin to close. A refused
// Open prints "refused <message ID>" and exits 3.
func holdJournal(path string) {
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		var le *LockError
		if errors.As(err, &le) {
			fmt.Println("refused", le.MessageID())
			os.Exit(3)
		}
		fmt.Fprintln(os.Stderr, "holder:", err)
		os.Exit(2)
	}
	newDesk(&testing.T{}, j).sale(false)
	fmt.Println("holding")
	go func() {
		os.Stdin.Read(make([]byte, 1))
		os.Exit(0)
	}()
	time.Sleep(time.Minute)
	os.Exit(4)
}
