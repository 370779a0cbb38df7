// Package archtest keeps the house's import graph as docs/architecture.md draws it: its test
// lists each package's dependencies (go list -deps, tests' imports left out) and fails when a
// package imports what it must not — the wire without the journal, the screens without the
// printer, the journal or the sender, the domain without anything of ours. It holds no code the
// app uses and must not be imported.
package archtest
