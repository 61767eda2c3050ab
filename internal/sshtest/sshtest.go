// Package sshtest starts a real OpenSSH server on loopback for tests: the
// other machine of `--host`. Host and user keys are generated with
// ssh-keygen in the test's own directory, sshd runs as the current user
// with a config of its own (public keys only, AuthorizedKeysFile in that
// directory), and every session it opens gets the environment the test
// gives (a PATH that finds the sbx simulator, its own SBXSIM_HOME and HOME:
// a different machine). The client side is an ssh config file with host
// key checking on and a known_hosts file holding the generated host key.
//
// It is test support, like the simulator: nothing in the product imports
// it.
package sshtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Sshd is the OpenSSH server's path: Debian's openssh-server.
const Sshd = "/usr/sbin/sshd"

// Server is a running sshd.
type Server struct {
	Alias        string // the Host name in ClientConfig
	Port         int
	Dir          string // keys, configs and the server's log
	ClientConfig string // ssh -F this
	Log          string // sshd's stderr
	cmd          *exec.Cmd
	done         chan struct{}
}

// Start starts sshd on a free loopback port. env is what every session
// sees (KEY=VALUE; values must not hold quotes or newlines).
func Start(dir, alias string, env []string) (*Server, error) {
	if _, err := os.Stat(Sshd); err != nil {
		return nil, fmt.Errorf("sshtest: %s is missing (apt-get install openssh-server): %w", Sshd, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// sshd checks its privilege separation directory even when not
	// running as root; the package creates it at boot, a container may not.
	if _, err := os.Stat("/run/sshd"); err != nil && os.Getuid() == 0 {
		_ = os.MkdirAll("/run/sshd", 0o755)
	}
	hostKey, userKey := filepath.Join(dir, "host_ed25519"), filepath.Join(dir, "id_ed25519")
	for _, k := range []string{hostKey, userKey} {
		if _, err := os.Stat(k); err == nil {
			continue
		}
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sshtest", "-f", k).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("sshtest: ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(userKey + ".pub")
	if err != nil {
		return nil, err
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, pub, 0o600); err != nil {
		return nil, err
	}
	hostPub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		return nil, err
	}
	// A free port: the kernel picks one, sshd binds it right after.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var setEnv []string
	for _, e := range env {
		if strings.ContainsAny(e, "\n\r\"\\") || !strings.Contains(e, "=") {
			return nil, fmt.Errorf("sshtest: environment entry %q must be KEY=VALUE without quotes or newlines", e)
		}
		setEnv = append(setEnv, `"`+e+`"`)
	}
	serverConfig := filepath.Join(dir, "sshd_config")
	cfg := fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile none
AuthorizedKeysFile %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
LogLevel ERROR
`, port, hostKey, authorized)
	if len(env) > 0 {
		cfg += "SetEnv " + strings.Join(setEnv, " ") + "\n"
	}
	if err := os.WriteFile(serverConfig, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	me, err := user.Current()
	if err != nil {
		return nil, err
	}
	known := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(known, []byte(fmt.Sprintf("[127.0.0.1]:%d %s", port, hostPub)), 0o600); err != nil {
		return nil, err
	}
	client := filepath.Join(dir, "ssh_config")
	ccfg := fmt.Sprintf(`Host %s
  HostName 127.0.0.1
  Port %d
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  ConnectTimeout 10
`, alias, port, me.Username, userKey, known)
	if err := os.WriteFile(client, []byte(ccfg), 0o600); err != nil {
		return nil, err
	}
	s := &Server{Alias: alias, Port: port, Dir: dir, ClientConfig: client, Log: filepath.Join(dir, "sshd.log"), done: make(chan struct{})}
	logf, err := os.Create(s.Log)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(Sshd, "-D", "-e", "-f", serverConfig)
	s.cmd.Stderr = logf
	s.cmd.Stdout = logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("sshtest: start sshd: %w", err)
	}
	go func() { _ = s.cmd.Wait(); logf.Close(); close(s.done) }()
	if err := s.waitListening(); err != nil {
		s.Stop()
		log, _ := os.ReadFile(s.Log)
		return nil, fmt.Errorf("sshtest: %v; sshd said: %s", err, bytes.TrimSpace(log))
	}
	return s, nil
}

// Stop kills sshd and every session it forked, as a machine going away
// does: open connections (a shared connection's master too) break.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	kids := descendants(s.cmd.Process.Pid)
	_ = s.cmd.Process.Kill()
	for _, pid := range kids {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
	<-s.done
}

// descendants lists the processes below pid, from /proc (Linux; elsewhere
// none, and only the listener is killed).
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
		f := strings.Fields(rest)
		if len(f) > 1 {
			if pp, err := strconv.Atoi(f[1]); err == nil {
				parent[n] = pp
			}
		}
	}
	var out []int
	want := map[int]bool{pid: true}
	for changed := true; changed; {
		changed = false
		for n, pp := range parent {
			if want[pp] && !want[n] {
				want[n], changed = true, true
				out = append(out, n)
			}
		}
	}
	return out
}

func (s *Server) waitListening() error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("sshd exited")
		default:
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("sshd did not listen within 10s")
}
