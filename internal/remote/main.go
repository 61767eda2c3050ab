package remote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/git-airlock/git-airlock/config"
	"github.com/git-airlock/git-airlock/gitx"
	"github.com/git-airlock/git-airlock/internal/hint"
	"github.com/git-airlock/git-airlock/internal/quote"
	"github.com/git-airlock/git-airlock/internal/sandboxref"
	"github.com/git-airlock/git-airlock/internal/sandboxstore"
	"github.com/git-airlock/git-airlock/internal/sshhost"
	"github.com/git-airlock/git-airlock/internal/xec"
	"github.com/git-airlock/git-airlock/sbx"
)

// Version is set by the linker for `git-remote-airlock --version`.
var Version = "dev"

// Main is git-remote-airlock: argv [remote, url] from git, protocol on
// stdin/stdout, diagnostics on stderr. It returns the exit code: 128 on
// protocol errors, as git's die() does.
func Main() int {
	args := os.Args[1:]
	if len(args) == 1 && (args[0] == "--version" || args[0] == "--help" || args[0] == "-h") {
		fmt.Fprintf(os.Stderr, "git-remote-airlock %s\ngit's remote helper for airlock://<sandbox>[/<path>] URLs; git runs it, you do not.\n", Version)
		return 0
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "fatal: git-remote-airlock: git runs this helper as 'git-remote-airlock <remote> <url>'")
		return 128
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// git started the helper, not xec: the helper ends, and ends its sbx
	// child, when git does (git-airlock's git killed with it, say).
	ctx, cancel := xec.EndWithParent(ctx)
	defer cancel()
	// Started by a fetch git-airlock runs: the helper ends when git-airlock
	// does, though its git lives on (outside Linux nothing ends that git).
	ctx, cancelOwned := xec.EndWithOwner(ctx, os.Getenv)
	defer cancelOwned()

	runner := &xec.Runner{}
	if os.Getenv("GIT_AIRLOCK_TRACE") != "" {
		runner.Trace = os.Stderr
	}
	home, _ := os.UserHomeDir()
	h := &Helper{Sbx: &sbx.Client{Run: runner, CacheDir: sbx.CacheDir(os.LookupEnv)}, Protocol: os.Getenv("GIT_PROTOCOL"),
		Wake: Wake{Forced: os.Getenv(gitx.WakeEnv) == "1", Background: func(ctx context.Context) bool {
			return backgroundFetch(ctx, lookupProcess(runner), os.Getppid())
		}},
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr, GitGone: xec.ReaderGone(os.Stdout)}
	if gitDir := os.Getenv("GIT_DIR"); gitDir != "" {
		h.Repo = gitx.OpenGitDir(runner, filepath.FromSlash(gitDir))
	}
	// Every key the helper may need, in one git call (git config reads
	// GIT_CONFIG_PARAMETERS, so -c counts); the repository keeps the answer
	// for its own reads of the remote's refspecs.
	cfg := helperConfig{}
	if h.Repo != nil {
		entries, err := h.Repo.ConfigEntries(ctx, helperConfigPattern(args[0]))
		cfg = newHelperConfig(args[0], entries, err)
	} else {
		entries, err := gitx.UserConfigEntries(ctx, runner, userConfigPattern)
		cfg = newHelperConfig(args[0], entries, err)
	}
	h.V2 = func(context.Context) bool { return cfg.v2 }
	h.Limits, h.Remotes, h.FoldCase, h.PruneTags = &cfg.limits, cfg.remotes, cfg.foldCase, cfg.pruneTags()
	if err := h.chooseSbx(args[1], cfg, home); err != nil {
		fmt.Fprintf(os.Stderr, "fatal: git-remote-airlock: %s\n", quote.Text(err.Error()))
		return 128
	}
	if h.Repo != nil {
		h.Wake.OnFetch = func(context.Context) bool { return cfg.wakeOnFetch }
		if cfg.timeout > 0 {
			h.Timeout = cfg.timeout
			h.Sbx.Timeout = cfg.timeout
		}
	}
	return exitCode(h, h.Serve(ctx, args[0], args[1]))
}

// chooseSbx points the helper at the sbx that holds the URL's sandbox: for
// a sandbox on another machine, the one on the server's PATH, reached over
// ssh as git-airlock reaches it (ParseURL validated the host already; were
// it refused here, the helper must not fall back to this machine's sbx);
// else this machine's, with the path recorded at registration used only
// when sbx is not on PATH.
func (h *Helper) chooseSbx(url string, cfg helperConfig, home string) error {
	t, err := sandboxref.ParseURL(url)
	if err == nil && t.Host != "" {
		tr, terr := sshhost.New(t.Host, sshhost.Settings{Command: cfg.sshCommand, Share: cfg.sshShare, RuntimeDir: os.Getenv("XDG_RUNTIME_DIR")})
		if terr != nil {
			return terr
		}
		h.Sbx.Remote = tr
		return nil
	}
	// The sandbox's record (a file read), else where an older git-airlock
	// kept it, the remote's section.
	h.Sbx.Bin = sbxProgram(home, func() string {
		if h.Repo != nil && err == nil {
			// A damaged record is git-airlock's to report; the helper
			// falls back as for a missing one.
			if rec, ok, _ := sandboxstore.For(h.Repo.CommonDir, nil).Sandbox(t.Sandbox); ok && rec.Sbx != "" {
				return rec.Sbx
			}
		}
		return cfg.sbxPath
	})
	return nil
}

// exitCode reports how Serve ended on stderr and returns the exit code.
func exitCode(h *Helper, err error) int {
	if err == nil {
		return 0
	}
	if h.Wake.Forced && errors.Is(err, errInterrupted) {
		// git-airlock's own fetch: git-airlock, interrupted too, says so
		// once.
		return 128
	}
	// Errors carry sbx's and git's messages: masked, like all sandbox text.
	fmt.Fprintf(os.Stderr, "fatal: git-remote-airlock: %s\n", quote.Text(err.Error()))
	for _, h := range hint.Of(err) {
		fmt.Fprintf(os.Stderr, "hint: %s\n", quote.Text(h))
	}
	var te *TunnelError
	if errors.As(err, &te) && te.Code > 0 && te.Code < 128 {
		return te.Code
	}
	return 128
}

// userConfigPattern matches the keys the helper reads outside a
// repository (git ls-remote airlock://box@server): the protocol, the
// advertisement's limits and how to reach a server. The rest concerns a
// repository's remote.
const userConfigPattern = `^(protocol\.version|airlock\.(maxrefs|maxrefbytes|sshcommand|sshshare))$`

// helperConfigPattern matches every key the helper reads: protocol.version,
// core.ignoreCase, fetch.pruneTags, airlock.timeout, airlock.wakeOnFetch
// and the advertisement limits, every remote's URL (for the names), and
// the remote's recorded sbx path, refspecs, followRemoteHEAD and pruneTags.
func helperConfigPattern(remote string) string {
	return `^(protocol\.version|core\.ignorecase|fetch\.prunetags|airlock\.(timeout|wakeonfetch|maxrefs|maxrefbytes|sshcommand|sshshare)|remote\..*\.url|remote\.` + regexp.QuoteMeta(remote) +
		`\.(` + strings.ToLower(sandboxref.SbxPathKey) + `|fetch|followremotehead|prunetags))$`
}

// helperConfig is what the helper takes from git config, last value wins.
type helperConfig struct {
	v2          bool          // protocol.version unset or 2; false when 0 or 1, or unreadable
	wakeOnFetch bool          // airlock.wakeOnFetch; true unless a valid false
	timeout     time.Duration // airlock.timeout; 0 (the default) when unset or rejected
	sbxPath     string        // remote.<remote>.airlockSbx, as an older git-airlock kept it
	limits      Limits        // airlock.maxRefs, airlock.maxRefBytes; DefaultLimits when unset or rejected
	remotes     []string      // every remote.<name>.url's name
	foldCase    bool          // core.ignoreCase
	sshCommand  string        // airlock.sshCommand
	sshShare    bool          // airlock.sshShare; true unless a valid false
	fetchPrune  bool          // fetch.pruneTags, as git reads it
	remotePrune *bool         // remote.<remote>.pruneTags; nil when unset
}

// pruneTags is whether git prunes tags on a fetch of the remote, as far as
// config says: the remote's own setting wins over fetch.pruneTags.
func (c helperConfig) pruneTags() PruneTags {
	if c.remotePrune != nil {
		return PruneTags{On: *c.remotePrune, RemoteSet: true}
	}
	return PruneTags{On: c.fetchPrune}
}

func newHelperConfig(remote string, entries []gitx.ConfigEntry, err error) helperConfig {
	c := helperConfig{v2: err == nil, wakeOnFetch: true, limits: DefaultLimits, sshShare: true}
	for _, e := range entries {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(e.Key, "remote."), ".url"); ok && strings.HasPrefix(e.Key, "remote.") {
			c.remotes = append(c.remotes, name)
			continue
		}
		switch e.Key {
		case "core.ignorecase":
			b, err := config.ParseBool(e.Value)
			c.foldCase = e.NoValue || (err == nil && b)
		case "airlock.maxrefs":
			// A value git-airlock would reject leaves the default.
			c.limits.Refs = DefaultLimits.Refs
			if n, err := config.ParseSize(e.Value); err == nil && n <= 1<<31 {
				c.limits.Refs = int(n)
			}
		case "airlock.maxrefbytes":
			c.limits.Bytes = DefaultLimits.Bytes
			if n, err := config.ParseSize(e.Value); err == nil {
				c.limits.Bytes = n
			}
		case "protocol.version":
			c.v2 = e.Value == "2"
		case "airlock.wakeonfetch":
			// A value git-airlock would reject wakes, as unset does.
			b, err := config.ParseBool(e.Value)
			if e.NoValue {
				b, err = true, nil
			}
			c.wakeOnFetch = err != nil || b
		case "airlock.timeout":
			// A value git-airlock would reject leaves the default.
			c.timeout = 0
			if d, err := time.ParseDuration(e.Value); err == nil && d > 0 {
				c.timeout = d
			}
		case "airlock.sshcommand":
			c.sshCommand = e.Value
		case "airlock.sshshare":
			c.sshShare = gitBool(e)
		case "remote." + remote + "." + strings.ToLower(sandboxref.SbxPathKey):
			c.sbxPath = e.Value
		case "fetch.prunetags":
			c.fetchPrune = gitBool(e)
		case "remote." + remote + ".prunetags":
			b := gitBool(e)
			c.remotePrune = &b
		}
	}
	return c
}

// gitBool reads a boolean as git does (no value is true); a value git
// would reject reads as true: for pruneTags the side that keeps the host's
// tags, for sshShare the default.
func gitBool(e gitx.ConfigEntry) bool {
	b, err := config.ParseBool(e.Value)
	return e.NoValue || err != nil || b
}
