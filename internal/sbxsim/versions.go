//go:build unix

package sbxsim

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Release is what one sbx release does, as far as git-airlock can tell the
// difference. This table is the one place the simulator's version
// behaviour lives: SBXSIM_VERSION names any version, and the simulator
// plays the newest row at or below it (claiming the version as given).
//
// Sources (the fact sheets in ../shared/reference): D = the sbx docs of
// the time (sbx-cli-facts.md), RN = release notes, H45/H47 = captured
// `--help` trees of 0.45.1 and 0.47.0, C47 = a capture kit run against
// 0.47.0, E39 = a spike against 0.39.0, #N = docker/sbx-releases issues;
// from sbx-0.55-facts.md: GH53/GH55 = the 0.53.0 and 0.55.0 release
// pages, USAGE = the usage page that already links "CI and headless use",
// R-logs/R-prune/R-df = the 0.53/0.55-era reference pages, SET = the
// settings page. Where no source says how an older release behaved, the
// row keeps the simulator's earlier behaviour and says "assumed". What no
// source settles either way is a knob (see knobs.go), so that git-airlock
// is tested against both answers.
type Release struct {
	Version Version
	// Clone: `create --clone` exists; below, only `--branch` (D, 0.31.0).
	Clone bool
	// DetachFlag is run's flag to start without attaching: `--detach` in
	// the docs of the time (D), `--detached` in H45 and H47.
	DetachFlag string
	// RunRm: `run --rm` removes the sandbox when the agent exits (H47).
	RunRm bool
	// PolicyInit is the verb that sets the default network policy: `init`
	// from 0.32, `set-default` before (D). SecretSandboxFlag: `secret set
	// --sandbox N` from 0.32; before, `secret set -g SERVICE` (D).
	PolicyInit        string
	SecretSandboxFlag bool
	// LsObject: `ls --json` prints {"sandboxes":[…]}; before 0.38 a bare
	// array (D). LsExtra: rows carry last-used time, CPU and memory, and
	// the status may be `unresponsive` (RN 0.43/0.45).
	LsObject, LsExtra bool
	// SecretJSON is the shape of `secret ls --json`: "" when the flag is
	// unknown (0.38: `unknown flag`), "object" for
	// {"secrets":[{"scope","type","name"}],"custom_secrets":[]} with scope
	// `global` or the bare sandbox name (RN 0.42, [3P]).
	SecretJSON string
	// NoSandbox is sbx's line for a missing sandbox (%s: the name):
	// `ERROR: no sandbox named 'x'` in 0.39 and 0.47 (E39, #504); older:
	// assumed.
	NoSandbox string
	// WakeLine is what `exec` prints when it starts a stopped sandbox (%s:
	// the name), on the stream SBXSIM_WAKE_STREAM names (C47: which stream
	// is unknown); "" for none (older: assumed none).
	WakeLine string
	// RemoteRestored: sbx rewrites its host remote sandbox-<name> on every
	// start (RN 0.45); before, it was withdrawn on stop and not restored
	// ([3P] 0.38/0.43).
	RemoteRestored bool
	// KitAllows: under deny-all, the agent kits' rules still allow each
	// agent's model API (H47 `policy init` help).
	KitAllows bool
	// OriginSource: when the host has no forge remote named origin, the
	// clone's origin is the host repository, mounted read-only at
	// /run/sandbox/source (C47, #367); older: assumed none.
	OriginSource bool
	// PortsJSON: `ports NAME --json` exists (H47, RN 0.45); before, the
	// verb prints HOST:PORT->PORT/PROTO lines only (assumed).
	PortsJSON bool
	// PortRetry: `ports --publish` on a host port in use names the binding
	// and offers to retry on a free port (RN 0.47); under --no-input that
	// question fails (M; SBXSIM_PORT_RETRY=auto plays a retry that does
	// not ask).
	PortRetry bool
	// Settings: `sbx settings get|set|list|unset` (listed by the
	// 46dc0bbc reference, absent from the earliest one; assumed from 0.45).
	Settings bool
	// NoInput: the global --no-input flag: a command that needs an answer
	// fails and prints the command to run (R-logs, R-prune, R-df list it
	// on every 0.53 page, H; USAGE ties script output to the 0.48 CLI
	// migration, M: SBXSIM_NO_INPUT=absent plays a 0.48 without it).
	NoInput bool
	// SessionGuard: `rm` without --force asks before ending an active
	// session (an open attach, SSH or SFTP), `rm --force` ends it (USAGE;
	// assumed from 0.48, the migration that USAGE's copy links).
	SessionGuard bool
	// GeminiRetired: the gemini agent is retired; new gemini sandboxes are
	// refused, existing ones keep running (GH53).
	GeminiRetired bool
	// ArgsKept: `run -- ARGS` keeps the image's entrypoint arguments and
	// adds ARGS (GH53); before, a first ARG starting with '-' was added
	// and a bare word replaced them (PR25369).
	ArgsKept bool
	// DaemonLogs: `sbx daemon logs [-n N] [--follow]` (GH55, R-logs).
	DaemonLogs bool
	// HostFetch: a verb fetches host commits into a clone-mode sandbox
	// (GH55: its name and what it does to the clone's refs are not
	// documented; SBXSIM_HOST_FETCH_VERB and SBXSIM_HOST_FETCH_REFS).
	HostFetch bool
	// EnvRetired are the DOCKER_SANDBOXES_* variables (without the
	// prefix) this release no longer reads: USE_DHI from 0.53 (GH53),
	// eleven more from 0.55 (GH55); settings replace them.
	EnvRetired []string
}

// envRetired053 and envRetired055 are the variables 0.53 and 0.55 stopped
// reading (GH53, GH55).
var (
	envRetired053 = []string{"USE_DHI"}
	envRetired055 = append([]string{"CLIPBOARD_IMAGE_PASTE", "KIT_ALLOWED_SOURCES", "KIT_ALLOW_LOCAL", "KIT_IGNORE_TLOG",
		"KIT_REQUIRE_SIGNATURE", "KIT_TRUSTED_SIGNERS", "MODEL_PROVIDERS", "SSH_AUTO_CREATE", "SSH_DEFAULT_AGENT",
		"SSH_DEFAULT_TEMPLATE", "SSH_WORKSPACE_ROOT"}, envRetired053...)
)

// Version is a claimed sbx version.
type Version [3]int

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

func (v Version) less(o Version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

// Releases is the table, oldest first. Scenarios run the main flows
// against the rows named in README's simulator section.
var Releases = []Release{
	{Version: Version{0, 30, 0}, DetachFlag: "--detach", PolicyInit: "set-default",
		NoSandbox: `sandbox %q not found`},
	{Version: Version{0, 31, 1}, Clone: true, DetachFlag: "--detach", PolicyInit: "set-default",
		NoSandbox: `sandbox %q not found`},
	{Version: Version{0, 32, 0}, Clone: true, DetachFlag: "--detach", PolicyInit: "init", SecretSandboxFlag: true,
		NoSandbox: `sandbox %q not found`},
	{Version: Version{0, 38, 0}, Clone: true, DetachFlag: "--detach", PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, NoSandbox: `no sandbox named '%s'`},
	{Version: Version{0, 42, 0}, Clone: true, DetachFlag: "--detach", PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`},
	{Version: Version{0, 45, 0}, Clone: true, DetachFlag: "--detached", PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, LsExtra: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`,
		RemoteRestored: true, KitAllows: true, PortsJSON: true, Settings: true},
	{Version: Version{0, 47, 0}, Clone: true, DetachFlag: "--detached", RunRm: true, PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, LsExtra: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`,
		WakeLine: "Sandbox %s started successfully", RemoteRestored: true, KitAllows: true, OriginSource: true, PortsJSON: true,
		PortRetry: true, Settings: true},
	// 0.48, the "CLI migration" (USAGE): --no-input; what else changed in
	// script output is unknown (SBXSIM_ERROR_STREAM plays one answer).
	{Version: Version{0, 48, 0}, Clone: true, DetachFlag: "--detached", RunRm: true, PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, LsExtra: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`,
		WakeLine: "Sandbox %s started successfully", RemoteRestored: true, KitAllows: true, OriginSource: true, PortsJSON: true,
		PortRetry: true, Settings: true, NoInput: true, SessionGuard: true},
	// 0.53 (GH53): gemini retired, `run -- ARGS` keeps the entrypoint's
	// arguments, DOCKER_SANDBOXES_USE_DHI no longer read.
	{Version: Version{0, 53, 0}, Clone: true, DetachFlag: "--detached", RunRm: true, PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, LsExtra: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`,
		WakeLine: "Sandbox %s started successfully", RemoteRestored: true, KitAllows: true, OriginSource: true, PortsJSON: true,
		PortRetry: true, Settings: true, NoInput: true, SessionGuard: true, GeminiRetired: true, ArgsKept: true,
		EnvRetired: envRetired053},
	// 0.55 (GH55): daemon logs, the host-to-clone fetch, eleven more
	// variables no longer read.
	{Version: Version{0, 55, 0}, Clone: true, DetachFlag: "--detached", RunRm: true, PolicyInit: "init", SecretSandboxFlag: true,
		LsObject: true, LsExtra: true, SecretJSON: "object", NoSandbox: `no sandbox named '%s'`,
		WakeLine: "Sandbox %s started successfully", RemoteRestored: true, KitAllows: true, OriginSource: true, PortsJSON: true,
		PortRetry: true, Settings: true, NoInput: true, SessionGuard: true, GeminiRetired: true, ArgsKept: true,
		DaemonLogs: true, HostFetch: true, EnvRetired: envRetired055},
}

// DefaultVersion is the sbx version the simulator claims unless
// SBXSIM_VERSION says otherwise: the newest row.
var DefaultVersion = Releases[len(Releases)-1].Version.String()

func version() Version {
	v := os.Getenv("SBXSIM_VERSION")
	if v == "" {
		v = DefaultVersion
	}
	var out Version
	for i, p := range strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3) {
		out[i], _ = strconv.Atoi(p)
	}
	return out
}

// release is the row the simulator plays.
func release() Release {
	v := version()
	r := Releases[0]
	for _, row := range Releases {
		if !v.less(row.Version) {
			r = row
		}
	}
	r.Version = v
	return r
}

// noSandbox is sbx's failure for a missing sandbox.
func noSandbox(name string) error {
	return fail(release().NoSandbox, name)
}
