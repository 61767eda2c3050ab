//go:build unix

package sbxsim

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// usageError is a bad command line: exit 1 with sbx's "ERROR:" prefix.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(format string, args ...any) error {
	return &exitError{code: 1, msg: "ERROR: " + fmt.Sprintf(format, args...)}
}

// Main runs the simulator with os.Args and returns the exit code.
func Main() int {
	home := os.Getenv("SBXSIM_HOME")
	if home == "" {
		fmt.Fprintln(os.Stderr, "sbxsim: SBXSIM_HOME is not set; refusing to keep state in an unknown place")
		return 2
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "sbxsim:", err)
		return 2
	}
	closeInheritedFDs()
	s := &sim{home: home}
	args := os.Args[1:]
	if len(args) > 0 && args[0] == forwardVerb {
		return forward(args[1:])
	}
	if len(args) > 0 && args[0] == idleStopVerb {
		if err := s.idleStopLater(args[1:]); err != nil {
			return 1
		}
		return 0
	}
	if len(args) > 0 && args[0] == sessionVerb {
		return s.sessionKnob(args[1:])
	}
	s.logCall(args)
	delay("SBXSIM_LATENCY")
	err := s.dispatch(args)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(errStream(), ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(errStream(), "ERROR:", err)
	return 1
}

func (s *sim) logCall(args []string) {
	f, err := os.OpenFile(s.path("calls.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, "sbx "+quote(args))
}

// delay sleeps for the duration the variable names (a Go duration such as
// "100ms"); unset, empty or unparsable sleeps not at all. The cost model
// stands in for real sbx: a round trip to its daemon per call
// (SBXSIM_LATENCY), a microVM boot per start of a stopped sandbox
// (SBXSIM_WAKE_DELAY). Off by default, so tests stay fast.
func delay(variable string) {
	if d, err := time.ParseDuration(os.Getenv(variable)); err == nil && d > 0 {
		time.Sleep(d)
	}
}

// logWake records one start of a stopped sandbox in wakes.log, for
// benchmarks and tests that count wakes (calls.log counts calls).
func (s *sim) logWake(name string) {
	f, err := os.OpenFile(s.path("wakes.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, name)
}

func quote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// faults applies the fault-injection variables before a verb runs.
func (s *sim) faults(verb string) error {
	if spec := os.Getenv("SBXSIM_HANG"); spec != "" && matchVerb(spec, verb) {
		time.Sleep(time.Hour)
	}
	for _, spec := range strings.Split(os.Getenv("SBXSIM_FAIL"), ";") {
		parts := strings.SplitN(spec, ":", 3)
		if spec == "" || parts[0] != verb {
			continue
		}
		code := 1
		if len(parts) > 1 {
			code, _ = strconv.Atoi(parts[1])
		}
		msg := "ERROR: simulated failure of " + verb
		if len(parts) > 2 {
			msg = parts[2]
		}
		return &exitError{code: code, msg: msg}
	}
	if verb == "version" || verb == "help" {
		return nil
	}
	if os.Getenv("SBXSIM_DAEMON_DOWN") != "" {
		return fail("cannot connect to the sandbox daemon at ~/.docker/sandboxes/sandboxd.sock: the daemon is not running (start it with 'sbx daemon start')")
	}
	if os.Getenv("SBXSIM_NOT_LOGGED_IN") != "" && verb != "policy" && verb != "login" {
		return fail("You are not authenticated to Docker. Run 'sbx login' to sign in.")
	}
	return nil
}

func matchVerb(spec, verb string) bool {
	for _, v := range strings.Split(spec, ",") {
		if v == verb {
			return true
		}
	}
	return false
}

func (s *sim) dispatch(args []string) error {
	args, err := s.globals(args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return fail("the simulator has no TUI; give a command")
	}
	if args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		return rootHelp()
	}
	verb := args[0]
	rest := args[1:]
	if len(rest) > 0 && (rest[len(rest)-1] == "--help" || rest[len(rest)-1] == "-h") {
		return help(args)
	}
	if err := s.faults(verb); err != nil {
		return err
	}
	switch verb {
	case "version":
		fmt.Printf("sbx version: v%s\n", version())
		return nil
	case "create":
		return s.create(rest, false)
	case "run":
		return s.run(rest)
	case "exec":
		return s.exec(rest)
	case "ls":
		return s.ls(rest)
	case "stop":
		return s.stop(rest)
	case "rm":
		return s.rm(rest)
	case "ports":
		return s.ports(rest)
	case "cp":
		return s.cp(rest)
	case "policy":
		return s.policy(rest)
	case "secret":
		return s.secret(rest)
	case "login":
		fmt.Println("Logged in (simulated).")
		return nil
	case "settings":
		if release().Settings {
			return s.settings(rest)
		}
	case "daemon":
		return s.daemon(rest)
	}
	if release().HostFetch && verb == hostFetchVerb() {
		return s.hostFetch(rest)
	}
	return fail("unknown command %q for \"sbx\"", verb)
}

// flags is a small cobra-like parser: flags may come anywhere before "--".
type flags struct {
	bools  map[string]bool
	values map[string][]string
	pos    []string
	after  []string // after "--"
	dashed bool
}

func parse(args []string, boolFlags, valueFlags string, stopAtPositional int) (*flags, error) {
	f := &flags{bools: map[string]bool{}, values: map[string][]string{}}
	isBool := func(n string) bool { return strings.Contains(" "+boolFlags+" ", " "+n+" ") }
	isValue := func(n string) bool { return strings.Contains(" "+valueFlags+" ", " "+n+" ") }
	for i := 0; i < len(args); i++ {
		a := args[i]
		if stopAtPositional > 0 && len(f.pos) >= stopAtPositional {
			f.pos = append(f.pos, args[i:]...)
			break
		}
		switch {
		case a == "--":
			f.after, f.dashed = args[i+1:], true
			return f, nil
		case strings.HasPrefix(a, "-") && len(a) > 1:
			name, val, hasVal := strings.Cut(a, "=")
			switch {
			case isBool(name), name == "--no-input" && hasNoInput():
				f.bools[name] = true
			case isValue(name):
				if !hasVal {
					if i+1 >= len(args) {
						return nil, fail("flag needs an argument: %s", name)
					}
					i++
					val = args[i]
				}
				f.values[name] = append(f.values[name], val)
			default:
				return nil, fail("unknown flag: %s", name)
			}
		default:
			f.pos = append(f.pos, a)
		}
	}
	return f, nil
}

func (f *flags) value(names ...string) string {
	for _, n := range names {
		if v := f.values[n]; len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

func (f *flags) has(names ...string) bool {
	for _, n := range names {
		if f.bools[n] {
			return true
		}
	}
	return false
}

var builtinAgents = map[string][]string{
	"claude": {"claude", "--dangerously-skip-permissions"}, "codex": {"codex", "--dangerously-bypass-approvals-and-sandbox"},
	"gemini": {"gemini", "--yolo"}, "cursor": {"cursor-agent", "--yolo"}, "docker-agent": {"docker-agent", "run", "--yolo"},
	"kiro": {"kiro", "chat", "--trust-all-tools"}, "copilot": {"copilot", "--yolo"}, "opencode": {"opencode"},
	"droid": {"droid"}, "devin": {"devin"}, "shell": {"bash", "-l"},
}

// installAgents puts the agent binaries on the VM's PATH: each runs the
// scripted fake agent named by SBXSIM_AGENT with its arguments, so that a
// command reaches them however it is started (directly, or through a shell
// as git-airlock's framing does).
func installAgents(sb *Sandbox) error {
	dir := filepath.Join(filepath.Dir(filepath.Dir(sb.Clone)), "bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for bin := range agentBinaries() {
		shim := fmt.Sprintf("#!/bin/sh\nif [ -z \"$SBXSIM_AGENT\" ]; then echo 'sbxsim: %[1]s has nothing to do (set SBXSIM_AGENT to a script)' >&2; exit 0; fi\n"+
			"SBXSIM_AGENT_NAME=%[1]s exec bash \"$SBXSIM_AGENT\" \"$@\"\n", bin)
		p := filepath.Join(dir, bin)
		if b, err := os.ReadFile(p); err == nil && string(b) == shim {
			continue
		}
		if err := os.WriteFile(p, []byte(shim), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// vmPath is the PATH inside the VM: its agent binaries, then the host's.
func vmPath(sb *Sandbox) string {
	return filepath.Join(filepath.Dir(filepath.Dir(sb.Clone)), "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
}

// lookPathIn finds a program on a given PATH.
func lookPathIn(pathList, prog string) (string, error) {
	if strings.Contains(prog, "/") {
		return exec.LookPath(prog)
	}
	for _, dir := range filepath.SplitList(pathList) {
		p := filepath.Join(dir, prog)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func agentBinaries() map[string]bool {
	m := map[string]bool{}
	for _, argv := range builtinAgents {
		if argv[0] != "bash" {
			m[argv[0]] = true
		}
	}
	return m
}

func validName(n string) error {
	ok := len(n) >= 2 && len(n) <= 63 && n != "default"
	for i, r := range n {
		alnum := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		if !alnum && (i == 0 || i == len(n)-1 || (r != '-' && r != '.')) {
			ok = false
		}
	}
	if !ok {
		return fail("invalid sandbox name %q: names need at least 2 characters, start with a letter or digit, and use only letters, digits, '-' and '.'", n)
	}
	return nil
}

const createFlags = "--name --cpus -m --memory -t --template -e --env --env-file -p --publish --deny-network --kit --pull --skills --branch"

func (s *sim) create(args []string, fromRun bool) error {
	bools := "--clone --no-progress"
	if !release().Clone {
		bools = "--no-progress -q --quiet"
	}
	f, err := parse(args, bools+" -d --detach --detached --rm", createFlags, 0)
	if err != nil {
		return err
	}
	if f.value("--branch") != "" {
		if release().Clone {
			return fail("--branch is no longer supported; use --clone instead")
		}
		return fail("the simulator does not implement branch mode")
	}
	if len(f.pos) == 0 {
		return fail("requires an agent: sbx create AGENT [PATH...]")
	}
	agent := f.pos[0]
	if _, ok := builtinAgents[agent]; !ok {
		return fail("unknown agent %q", agent)
	}
	if agent == "gemini" && release().GeminiRetired {
		return geminiRetired()
	}
	if os.Getenv("SBXSIM_CREATE_NEEDS_POLICY") != "" {
		// The variant of sbx that refuses, rather than asks, when no
		// default network policy was chosen and nobody can answer.
		var p Policy
		s.readJSON("policy.json", &p)
		if p.Default == "" {
			return fail("network policy has not been initialized; run 'sbx policy init <preset>' first")
		}
	}
	var path string
	if len(f.pos) > 1 {
		path = f.pos[1]
	} else if fromRun {
		path, _ = os.Getwd()
	}
	path, _ = filepath.Abs(path)
	name := f.value("--name")
	if name == "" {
		name = agent + "-" + filepath.Base(path)
	}
	if err := validName(name); err != nil {
		return err
	}
	if !f.has("--clone") {
		return fail("the simulator only implements clone mode (--clone)")
	}
	top, err := gitOut(path, "rev-parse", "--show-toplevel")
	if err != nil {
		return fail("--clone requires a Git repository, but %s is not in a Git repository", path)
	}
	if fi, err := os.Stat(filepath.Join(top, ".git")); err == nil && !fi.IsDir() {
		return fail("--clone is not supported from a linked Git worktree or submodule (%s); run it from the main checkout", top)
	}
	var created *Sandbox
	err = s.locked(func(st *state) error {
		if _, ok := st.Sandboxes[name]; ok {
			return fail("sandbox %q already exists", name)
		}
		sb := &Sandbox{Name: name, Agent: agent, Workspace: top, Status: "stopped", Created: time.Now().UTC()}
		if err := s.makeClone(sb); err != nil {
			_ = os.RemoveAll(s.vmDir(name))
			return err
		}
		st.Sandboxes[name] = sb
		created = sb
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "✓ Git repository detected: %s\n", top)
	fmt.Fprintf(os.Stderr, "✓ Created sandbox %s\n", created.Name)
	return nil
}

// makeClone builds the VM directory: a home with a git identity and a real,
// private clone of the host's committed history at its checked-out commit.
func (s *sim) makeClone(sb *Sandbox) error {
	vm := s.vmDir(sb.Name)
	home := filepath.Join(vm, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	_ = os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Sandbox Agent\n\temail = agent@sandbox.invalid\n[init]\n\tdefaultBranch = main\n"), 0o644)
	sb.Clone = filepath.Join(vm, "workspace", filepath.Base(sb.Workspace))
	if shallow, _ := gitOut(sb.Workspace, "rev-parse", "--is-shallow-repository"); shallow == "true" {
		// As real sbx (docker/sbx-releases#460): an empty workspace and a warning.
		fmt.Fprintf(os.Stderr, "Warning: initial fetch from sandbox-%s failed: git fetch \"sandbox-%s\": exit status 128: fatal: read error: Connection reset by peer\n", sb.Name, sb.Name)
		return os.MkdirAll(sb.Clone, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(sb.Clone), 0o755); err != nil {
		return err
	}
	cmd := exec.Command("git", "clone", "-q", "--no-local", "--no-hardlinks", sb.Workspace, sb.Clone)
	cmd.Env = vmEnv(sb, nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fail("clone %s: %s", sb.Workspace, strings.TrimSpace(string(out)))
	}
	if head, err := gitOut(sb.Workspace, "symbolic-ref", "-q", "HEAD"); err != nil || head == "" {
		commit, _ := gitOut(sb.Workspace, "rev-parse", "HEAD")
		_, _ = gitOut(sb.Clone, "checkout", "-q", "--detach", commit)
	}
	// Local-path remotes are not copied into the clone; forge remotes are.
	_, _ = gitOut(sb.Clone, "remote", "remove", "origin")
	remotes, _ := gitOut(sb.Workspace, "config", "--get-regexp", `^remote\..*\.url$`)
	for _, line := range strings.Split(remotes, "\n") {
		key, url, ok := strings.Cut(line, " ")
		if !ok || !isForgeURL(url) {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(key, "remote."), ".url")
		_, _ = gitOut(sb.Clone, "remote", "add", name, url)
	}
	if _, err := gitOut(sb.Clone, "remote", "get-url", "origin"); err != nil && release().OriginSource {
		// The host's path stands for /run/sandbox/source; it is read-only
		// there, so pushes go nowhere.
		_, _ = gitOut(sb.Clone, "remote", "add", "origin", sb.Workspace)
		_, _ = gitOut(sb.Clone, "config", "remote.origin.pushurl", "/run/sandbox/source (read-only)")
	}
	if os.Getenv("SBXSIM_NO_HOST_REMOTE") == "" {
		sb.Remote = true
		remote := "sandbox-" + sb.Name
		_, _ = gitOut(sb.Workspace, "remote", "add", remote, "git://127.0.0.1:9/"+filepath.Base(sb.Clone))
		_, _ = gitOut(sb.Workspace, "config", "--add", "remote."+remote+".fetch", "+refs/heads/*:refs/sandboxes/"+sb.Name+"/*")
	}
	return nil
}

func isForgeURL(u string) bool {
	if strings.HasPrefix(u, "file://") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, ".") || strings.HasPrefix(u, "airlock://") {
		return false
	}
	return strings.Contains(u, "://") || strings.Contains(u, "@")
}

// vmEnv is the environment of a process "inside the VM": nothing of the
// host's git environment leaks in.
func vmEnv(sb *Sandbox, extra []string) []string {
	env := []string{
		"PATH=" + vmPath(sb),
		"HOME=" + filepath.Join(filepath.Dir(filepath.Dir(sb.Clone)), "home"),
		"USER=agent", "LANG=C.UTF-8", "GIT_CONFIG_NOSYSTEM=1",
		"SANDBOX_VM_ID=" + sb.Name,
	}
	for _, k := range []string{"SBXSIM_HOME", "SBXSIM_AGENT", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_DIR=", "GIT_WORK_TREE=")
	cmd.Env = filterEnv(cmd.Env, "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_PROTOCOL")
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func filterEnv(env []string, drop ...string) []string {
	out := env[:0:0]
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		keep := true
		for _, d := range drop {
			if k == d {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return out
}

// start brings a sandbox up: its git daemon on a fresh port, and the host
// remote's URL rewritten to that port, as sbx does on every start.
func (s *sim) start(name string) (*Sandbox, error) {
	// The modelled boot runs outside the state lock, so that starts of
	// different sandboxes overlap as sbx's microVMs do.
	if exists, up := s.running(name); exists && !up {
		delay("SBXSIM_WAKE_DELAY")
	}
	var out *Sandbox
	err := s.locked(func(st *state) error {
		sb, ok := st.Sandboxes[name]
		if !ok {
			return noSandbox(name)
		}
		if sb.Status == "running" && alive(sb.DaemonPID) {
			out = sb
			return nil
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		pidFile := filepath.Join(s.vmDir(name), "daemon.pid")
		_ = os.Remove(pidFile)
		base := filepath.Dir(sb.Clone)
		cmd := exec.Command("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port="+strconv.Itoa(port),
			"--export-all", "--base-path="+base, "--detach", "--pid-file="+pidFile, "--informative-errors", base)
		cmd.Env = vmEnv(sb, nil)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fail("start git daemon: %v: %s", err, b)
		}
		pid := 0
		for i := 0; i < 200 && pid == 0; i++ {
			b, _ := os.ReadFile(pidFile)
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			if pid == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		for i := 0; i < 200; i++ {
			if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
				c.Close()
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		sb.Status, sb.Port, sb.DaemonPID = "running", port, pid
		republish(sb)
		s.logWake(name)
		if sb.Remote {
			restoreHostRemote(sb, port)
		}
		out = sb
		return nil
	})
	return out, err
}

// running reports whether the sandbox exists, and whether it is running.
func (s *sim) running(name string) (exists, up bool) {
	_ = s.locked(func(st *state) error {
		sb, ok := st.Sandboxes[name]
		exists, up = ok, ok && sb.Status == "running" && alive(sb.DaemonPID)
		return nil
	})
	return exists, up
}

// restoreHostRemote points sandbox-<name> at this start's port. From 0.45
// sbx restores the remote on every start, refspecs included (keys other
// tools added are left alone here); before, it was withdrawn on stop and
// not restored (see withdrawHostRemote), so only the URL is rewritten.
func restoreHostRemote(sb *Sandbox, port int) {
	remote := "sandbox-" + sb.Name
	if release().RemoteRestored && os.Getenv("SBXSIM_REMOTE_REWRITE") != "" {
		// sbx may write its remote afresh, without keys other tools added.
		_, _ = gitOut(sb.Workspace, "config", "--remove-section", "remote."+remote)
	}
	_, _ = gitOut(sb.Workspace, "config", "remote."+remote+".url", fmt.Sprintf("git://127.0.0.1:%d/%s", port, filepath.Base(sb.Clone)))
	if !release().RemoteRestored {
		return
	}
	have, _ := gitOut(sb.Workspace, "config", "--get-all", "remote."+remote+".fetch")
	for _, spec := range []string{"+refs/heads/*:refs/remotes/" + remote + "/*", "+refs/heads/*:refs/sandboxes/" + sb.Name + "/*"} {
		if !strings.Contains("\n"+have+"\n", "\n"+spec+"\n") {
			_, _ = gitOut(sb.Workspace, "config", "--add", "remote."+remote+".fetch", spec)
		}
	}
}

// withdrawHostRemote: before 0.45, stopping a sandbox withdrew its host
// remote, and later starts did not restore it.
func withdrawHostRemote(sb *Sandbox) {
	if release().RemoteRestored || !sb.Remote {
		return
	}
	_, _ = gitOut(sb.Workspace, "config", "--remove-section", "remote.sandbox-"+sb.Name)
	sb.Remote = false
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscallZero) == nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// session marks a sandbox in use until the returned function ends the
// session, which then applies SBXSIM_IDLE_STOP: a duration ("30s", sbx's
// own 30 s after the last session) stops the sandbox once it has been idle
// that long; any other value stops it at once.
//
// kind, when set, makes it an active session that rm asks about
// (sessions.go).
func (s *sim) session(name, kind string) (end func()) {
	_ = s.locked(func(st *state) error {
		if sb, ok := st.Sandboxes[name]; ok {
			sb.Sessions++
			sb.LastUsed = time.Now().UnixNano()
			openSession(sb, kind)
			sb.Procs = append(sb.Procs, procID(os.Getpid()))
		}
		return nil
	})
	return func() {
		spec := os.Getenv("SBXSIM_IDLE_STOP")
		idle, err := time.ParseDuration(spec)
		var stamp int64
		_ = s.locked(func(st *state) error {
			sb, ok := st.Sandboxes[name]
			if !ok {
				return nil
			}
			sb.Sessions = max(sb.Sessions-1, 0)
			sb.LastUsed = time.Now().UnixNano()
			closeSession(sb)
			sb.Procs = slices.DeleteFunc(sb.Procs, func(p string) bool { return p == procID(os.Getpid()) })
			stamp = sb.LastUsed
			if spec != "" && (err != nil || idle <= 0) && sb.Sessions == 0 {
				stopDaemon(sb)
				withdrawHostRemote(sb)
			}
			return nil
		})
		if spec != "" && err == nil && idle > 0 && stamp != 0 {
			startIdleStopper(name, stamp, idle)
		}
	}
}

// startIdleStopper leaves a detached simulator process behind that stops
// the sandbox after idle, unless it was used again in the meantime.
func startIdleStopper(name string, stamp int64, idle time.Duration) {
	cmd := exec.Command(os.Args[0], idleStopVerb, name, strconv.FormatInt(stamp, 10), idle.String())
	cmd.Env = os.Environ()
	detach(cmd)
	if cmd.Start() == nil {
		_ = cmd.Process.Release()
	}
}

// idleStopVerb is the simulator's own hidden verb for startIdleStopper.
const idleStopVerb = "__sbxsim-idle-stop"

func (s *sim) idleStopLater(args []string) error {
	if len(args) != 3 {
		return fail("usage: %s NAME STAMP IDLE", idleStopVerb)
	}
	stamp, _ := strconv.ParseInt(args[1], 10, 64)
	idle, _ := time.ParseDuration(args[2])
	time.Sleep(idle)
	return s.locked(func(st *state) error {
		if sb, ok := st.Sandboxes[args[0]]; ok && sb.LastUsed == stamp && sb.Sessions == 0 && len(liveSessions(sb)) == 0 {
			stopDaemon(sb)
			withdrawHostRemote(sb)
		}
		return nil
	})
}

func (s *sim) run(args []string) error {
	bools := "--clone -d --no-progress " + release().DetachFlag
	if release().RunRm {
		bools += " --rm"
	}
	f, err := parse(args, bools, createFlags, 0)
	if err != nil {
		return err
	}
	name := f.value("--name")
	exists := false
	if name != "" {
		_ = s.locked(func(st *state) error { _, exists = st.Sandboxes[name]; return nil })
	}
	if !exists {
		createArgs := append([]string{}, args...)
		if f.dashed {
			createArgs = createArgs[:len(createArgs)-len(f.after)-1]
		}
		if err := s.create(createArgs, true); err != nil {
			return err
		}
		if name == "" {
			name = f.pos[0] + "-" + filepath.Base(firstOr(f.pos[1:], "."))
		}
	}
	sb, err := s.start(name)
	if err != nil {
		return err
	}
	if f.has("-d", "--detach", "--detached") {
		fmt.Println(sb.Name)
		return nil
	}
	if f.has("--rm") {
		defer func() { _ = s.rm([]string{"--force", name}) }()
	}
	defer s.session(name, "attach")()
	err = s.runIn(sb, agentArgv(sb.Agent, f.after), nil, "", os.Stdin, os.Stdout, os.Stderr)
	if exists, _ := s.running(name); err != nil && !exists {
		return fail("sandbox %s was removed; the session ended", name)
	}
	return err
}

// agentArgv is the agent's command line for `run -- args`: before 0.53 a
// first argument starting with '-' is added to the image's arguments and
// a bare word replaces them; from 0.53 they are kept (all of them, or
// under SBXSIM_ENTRYPOINT_ARGS=subcommand only a leading subcommand, when
// args are given).
func agentArgv(agent string, args []string) []string {
	argv := append([]string{}, builtinAgents[agent]...)
	switch {
	case len(args) == 0:
		return argv
	case !release().ArgsKept && !strings.HasPrefix(args[0], "-"):
		return append(argv[:1], args...)
	case release().ArgsKept && os.Getenv("SBXSIM_ENTRYPOINT_ARGS") == "subcommand":
		keep := argv[:1]
		if len(argv) > 1 && !strings.HasPrefix(argv[1], "-") {
			keep = argv[:2]
		}
		return append(keep, args...)
	}
	return append(argv, args...)
}

func firstOr(s []string, d string) string {
	if len(s) > 0 {
		p, _ := filepath.Abs(s[0])
		return p
	}
	p, _ := filepath.Abs(d)
	return p
}

// runIn runs argv "inside" the sandbox, on the VM's PATH, where the agent
// binaries are installed (see installAgents).
func (s *sim) runIn(sb *Sandbox, argv, env []string, dir string, in io.Reader, out, errw io.Writer) error {
	if err := installAgents(sb); err != nil {
		return err
	}
	path, err := lookPathIn(vmPath(sb), argv[0])
	if err != nil {
		return &exitError{code: 127, msg: fmt.Sprintf("exec: %q: executable file not found in $PATH", argv[0])}
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir = sb.Clone
	if dir != "" {
		cmd.Dir = dir
	}
	cmd.Env = vmEnv(sb, env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, errw
	if err := runEnded(cmd); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.ExitCode()}
		}
		return err
	}
	return nil
}

func (s *sim) exec(args []string) error {
	f, err := parse(args, "-i --interactive -t --tty -it -ti --privileged -d --detach", "-e --env --env-file -w --workdir -u --user --detach-keys", 2)
	if err != nil {
		return err
	}
	if f.has("-d", "--detach") {
		return fail("--detach is not supported for exec; omit -d to run the command in the foreground")
	}
	if len(f.pos) > 1 && f.pos[1] == "--" {
		f.pos = append(f.pos[:1], f.pos[2:]...)
	}
	if len(f.pos) < 2 {
		return fail("requires a sandbox and a command: sbx exec SANDBOX COMMAND [ARG...]")
	}
	wasRunning := false
	_ = s.locked(func(st *state) error {
		if sb, ok := st.Sandboxes[f.pos[0]]; ok && sb.Status == "running" && alive(sb.DaemonPID) {
			wasRunning = true
		}
		return nil
	})
	sb, err := s.start(f.pos[0])
	if err != nil {
		return err
	}
	if !wasRunning {
		wakeLine(sb.Name)
	}
	defer s.session(sb.Name, sessionKind(f.has("-t", "--tty", "-it", "-ti")))()
	var in io.Reader
	if f.has("-i", "--interactive", "-it", "-ti") {
		in = os.Stdin
	}
	var stderr io.Writer = os.Stderr
	if os.Getenv("SBXSIM_EXEC_MERGE_STDERR") != "" {
		stderr = os.Stdout
	}
	env := append(f.values["-e"], f.values["--env"]...)
	if f.has("-t", "--tty", "-it", "-ti") {
		env = append(env, "TERM=xterm-256color")
	}
	return s.runIn(sb, f.pos[1:], env, f.value("-w", "--workdir"), in, os.Stdout, stderr)
}

type lsPort struct {
	HostIP      string `json:"host_ip"`
	HostPort    any    `json:"host_port"` // a number; a string under SBXSIM_LS_PORT_STRING
	SandboxPort int    `json:"sandbox_port"`
	Protocol    string `json:"protocol"`
}

func newPort(port int) lsPort {
	p := lsPort{"127.0.0.1", port, 9418, "tcp4"}
	if os.Getenv("SBXSIM_LS_PORT_STRING") != "" {
		p.HostPort = strconv.Itoa(port)
	}
	return p
}

type lsRow struct {
	Name       string   `json:"name"`
	Agent      string   `json:"agent"`
	Status     string   `json:"status"`
	Workspaces []string `json:"workspaces"`
	Ports      []lsPort `json:"ports"`
	CreatedAt  string   `json:"created_at"`
	// From 0.43/0.45 (Release.LsExtra).
	LastUsedAt string `json:"last_used_at,omitempty"`
	CPUs       int    `json:"cpus,omitempty"`
	MemoryMB   int    `json:"memory_mb,omitempty"`
}

func (s *sim) rows() ([]lsRow, error) {
	var rows []lsRow
	err := s.locked(func(st *state) error {
		for _, sb := range st.Sandboxes {
			if sb.Status == "running" && !alive(sb.DaemonPID) {
				stopDaemon(sb)
			}
			r := lsRow{Name: sb.Name, Agent: sb.Agent, Status: sb.Status, Workspaces: []string{sb.Workspace},
				Ports: []lsPort{}, CreatedAt: sb.Created.Format(time.RFC3339)}
			if sb.Status == "running" {
				r.Ports = portRows(sb)
			}
			if release().LsExtra {
				r.LastUsedAt, r.CPUs, r.MemoryMB = sb.Created.Format(time.RFC3339), 4, 8192
				if matchVerb(os.Getenv("SBXSIM_LS_UNRESPONSIVE"), sb.Name) {
					r.Status = "unresponsive"
				}
			}
			rows = append(rows, r)
		}
		return nil
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows, err
}

func (s *sim) ls(args []string) error {
	f, err := parse(args, "--json -q --quiet", "--format", 0)
	if err != nil {
		return err
	}
	rows, err := s.rows()
	if err != nil {
		return err
	}
	switch {
	case f.has("--json") || f.value("--format") == "json":
		if rows == nil {
			rows = []lsRow{}
		}
		if release().LsObject {
			return printJSON(map[string]any{"sandboxes": rows})
		}
		return printJSON(rows)
	case f.has("-q", "--quiet"):
		for _, r := range rows {
			fmt.Println(r.Name)
		}
	default:
		fmt.Printf("%-24s %-8s %-8s %-28s %s\n", "SANDBOX", "AGENT", "STATUS", "PORTS", "WORKSPACE")
		for _, r := range rows {
			var ports []string
			for _, p := range r.Ports {
				ports = append(ports, fmt.Sprintf("%s:%v->%d/%s", p.HostIP, p.HostPort, p.SandboxPort, p.Protocol))
			}
			fmt.Printf("%-24s %-8s %-8s %-28s %s\n", r.Name, r.Agent, r.Status, strings.Join(ports, ", "), r.Workspaces[0])
		}
	}
	return nil
}

func (s *sim) stop(args []string) error {
	f, err := parse(args, "--json", "--format", 0)
	if err != nil {
		return err
	}
	if len(f.pos) == 0 {
		return fail("requires at least one sandbox")
	}
	return s.locked(func(st *state) error {
		for _, n := range f.pos {
			sb, ok := st.Sandboxes[n]
			if !ok {
				return noSandbox(n)
			}
			endProcs(sb)
			stopDaemon(sb)
			withdrawHostRemote(sb)
			fmt.Fprintf(os.Stderr, "✓ Stopped %s\n", n)
		}
		return nil
	})
}

func (s *sim) rm(args []string) error {
	f, err := parse(args, "-f --force --all --json", "--format", 0)
	if err != nil {
		return err
	}
	names := f.pos
	return s.locked(func(st *state) error {
		if f.has("--all") {
			names = names[:0]
			for n := range st.Sandboxes {
				names = append(names, n)
			}
		}
		for _, n := range names {
			if _, ok := st.Sandboxes[n]; !ok {
				return noSandbox(n)
			}
			fmt.Fprintf(os.Stderr, "Warning: removing %s drops its clone; commits that were not fetched are lost.\n"+
				"Fetched branches are mirrored into refs/sandboxes/%s/* and survive removal; recover any branch with: git branch <local-name> refs/sandboxes/%s/<branch>\n", n, n, n)
		}
		if !f.has("-f", "--force") {
			if err := s.confirmRemoval(f, st, names); err != nil {
				return err
			}
		}
		for _, n := range names {
			sb := st.Sandboxes[n]
			endSessions(sb)
			stopDaemon(sb)
			if sb.Remote {
				remote := "sandbox-" + n
				refs, _ := gitOut(sb.Workspace, "for-each-ref", "--format=%(refname)", "refs/remotes/"+remote+"/")
				for _, r := range strings.Fields(refs) {
					_, _ = gitOut(sb.Workspace, "update-ref", "-d", r)
				}
				_, _ = gitOut(sb.Workspace, "config", "--remove-section", "remote."+remote)
			}
			if err := os.RemoveAll(s.vmDir(n)); err != nil {
				return err
			}
			delete(st.Sandboxes, n)
			fmt.Fprintf(os.Stderr, "✓ Removed %s\n", n)
		}
		return nil
	})
}

// cp copies between the host and the sandbox. Processes "inside" the
// simulated VM run on the host, so a sandbox path must lie inside the VM's
// directory: git-airlock has to discover paths (for example $HOME) rather
// than assume /home/agent.
func (s *sim) cp(args []string) error {
	f, err := parse(args, "-L --follow-link", "", 0)
	if err != nil {
		return err
	}
	if len(f.pos) != 2 {
		return fail("requires SRC and DST")
	}
	src, dst := f.pos[0], f.pos[1]
	name, path, ok := strings.Cut(dst, ":")
	if !ok || strings.Contains(src, ":") {
		return fail("copy into a sandbox only: sbx cp SRC SANDBOX:/abs/path")
	}
	if !filepath.IsAbs(path) {
		return fail("sandbox path %q must be absolute", path)
	}
	vm := s.vmDir(name)
	if _, err := os.Stat(vm); err != nil {
		return noSandbox(name)
	}
	if rel, err := filepath.Rel(vm, path); err != nil || strings.HasPrefix(rel, "..") {
		return fail("sbxsim: %q is outside the simulated VM", path)
	}
	if os.Getenv("SBXSIM_CP") == "docker" {
		return dockerCopy(src, path)
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return fail("tar extract failed: %s: no such file or directory", filepath.Dir(path))
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, filepath.Base(src))
	}
	cmd := exec.Command("cp", "-R", src, path)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fail("copy: %s", b)
	}
	return nil
}

// wakeLine is what exec prints when it starts a stopped sandbox: the
// release's line on the stream SBXSIM_WAKE_STREAM names (stdout, stderr,
// the default, or none). SBXSIM_EXEC_BANNER adds an older banner on stdout.
func wakeLine(name string) {
	if line := release().WakeLine; line != "" {
		switch os.Getenv("SBXSIM_WAKE_STREAM") {
		case "stdout":
			fmt.Printf(line+"\n", name)
		case "none":
		default:
			fmt.Fprintf(os.Stderr, line+"\n", name)
		}
	}
	if os.Getenv("SBXSIM_EXEC_BANNER") != "" {
		fmt.Printf("Starting sandbox %s... done\n", name)
	}
}
