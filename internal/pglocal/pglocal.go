// Package pglocal runs a PostgreSQL cluster of the machine's own PostgreSQL (Debian's
// `postgresql` package) in a folder of ours: initdb on first use, pg_ctl start on a private Unix
// socket in that folder (no TCP port), pg_ctl stop. The hub's tests (internal/pgtest) and
// `make hub` use it. initdb refuses to run as root, so as root the cluster runs as the `postgres`
// user (or `nobody`).
//
// Only the hub's tools and tests import it.
package pglocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotInstalled: no initdb on this machine.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (Debian: apt-get install postgresql)")

// BinDir returns the folder that holds initdb, pg_ctl and createdb together (Debian's newest
// /usr/lib/postgresql/<major>/bin first, then the PATH), or "" when PostgreSQL is not installed.
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if complete(d) {
			return d
		}
	}
	return ""
}

// complete reports whether dir holds every program a cluster needs.
func complete(dir string) bool {
	for _, p := range []string{"initdb", "pg_ctl", "createdb"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// version is the major version in /usr/lib/postgresql/<major>/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Cluster is a running cluster in a folder.
type Cluster struct {
	DSN  string // connection string for database postgres as user postgres
	Dir  string
	bin  string
	cred *syscall.Credential
}

// Options tune a cluster. Durable is false only for throwaway test clusters (fsync off).
type Options struct {
	Durable bool
}

// Start starts the cluster in dir, making it first when dir holds none.
func Start(dir string, o Options) (*Cluster, error) {
	bin := BinDir()
	if bin == "" {
		return nil, ErrNotInstalled
	}
	c := &Cluster{bin: bin, Dir: dir}
	// The folders above dir must be passable by the cluster's user (see unprivileged).
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, err
	}
	if os.Geteuid() == 0 {
		cred, err := unprivileged()
		if err != nil {
			return nil, err
		}
		c.cred = cred
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data, sock := filepath.Join(dir, "data"), filepath.Join(dir, "sock")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := c.run("mkdir", "-p", "-m", "0700", data, sock); err != nil {
			return nil, err
		}
		args := []string{"-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"}
		if !o.Durable {
			args = append(args, "--no-sync")
		}
		if err := c.run(filepath.Join(bin, "initdb"), args...); err != nil {
			return nil, err
		}
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -p 5432 -c max_connections=200", sock)
	if !o.Durable {
		opts += " -c fsync=off"
	}
	if err := c.run(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	c.DSN = fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", sock)
	return c, nil
}

// CreateDatabase makes a new empty database, unless it exists, and returns its DSN.
func (c *Cluster) CreateDatabase(name string) (string, error) {
	dsn := strings.Replace(c.DSN, "dbname=postgres", "dbname="+name, 1)
	err := c.run(filepath.Join(c.bin, "createdb"), "-h", filepath.Join(c.Dir, "sock"), "-p", "5432", "-U", "postgres", name)
	if err != nil && strings.Contains(err.Error(), "already exists") {
		return dsn, nil
	}
	return dsn, err
}

// Stop stops the cluster: fast (rolling back open transactions) or, with immediate, at once as a
// crash would.
func (c *Cluster) Stop(immediate bool) error {
	mode := "fast"
	if immediate {
		mode = "immediate"
	}
	return c.run(filepath.Join(c.bin, "pg_ctl"), "-D", filepath.Join(c.Dir, "data"), "-m", mode, "-w", "stop")
}

// run runs a command as the cluster's user.
func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.CommandContext(context.Background(), name, args...)
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	cmd.Dir = c.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return nil
}

// unprivileged returns the user the cluster runs as when we run as root.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("pglocal: running as root, and neither a postgres nor a nobody user exists to run PostgreSQL")
}
