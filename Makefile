# git-airlock — see README.md. Targets: build install test lint bench demo clean.
GO      ?= go
PREFIX  ?= $(HOME)/.local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BUILD   := .build
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION) -X github.com/git-airlock/git-airlock/internal/remote.Version=$(VERSION)

.PHONY: build install test test-deps test-gits lint bench demo try clean

# Static, without cgo: nothing here needs C, and a binary that needs no
# dynamic loader and no libc start-up starts 0.7 ms sooner, on every
# command and every fetch through the helper (docs/BENCHMARKS.md).
build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o $(BUILD)/bin/ ./cmd/git-airlock ./cmd/git-remote-airlock
	$(GO) build -o $(BUILD)/sim/sbx ./internal/sbxsim/cmd/sbx

# git finds `git airlock` and the airlock:// helper on PATH; man (and so
# `git airlock --help`, `git help airlock`) finds the pages next to it.
install: build
	mkdir -p $(BINDIR)
	install -m 0755 $(BUILD)/bin/git-airlock $(BUILD)/bin/git-remote-airlock $(BINDIR)/
	$(BUILD)/bin/git-airlock -q man $(MANDIR)/man1
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "note: add $(BINDIR) to PATH";; esac

# Steps, each announced. The end-to-end scripts are one package: go test
# would print its line only when all of them are done, minutes later, so
# they run through internal/testprogress, which says every 20 s how many
# are done and which run, and shows a failed script's whole output.
# The --host scenarios start a real OpenSSH server on loopback
# (internal/sshtest): installed here when missing, as root with apt-get,
# and said before anything else runs.
SSHD ?= /usr/sbin/sshd
SCRIPTS = $(words $(wildcard testdata/script/*.txtar))
test-deps:
	@test -x $(SSHD) || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "== make test needs $(SSHD) for the --host scenarios: installing Debian's openssh-server (apt-get update, apt-get install; as root)"; \
	    apt-get update -qq && apt-get install -y -qq openssh-server >/dev/null; \
	  else \
	    echo "make test needs $(SSHD), OpenSSH's server, for the --host scenarios (Debian/Ubuntu: sudo apt-get install openssh-server)"; exit 1; \
	  fi; }

test: test-deps
	$(GO) vet ./...
	@echo "== unit tests (one line per package as it finishes)"
	GORACE=atexit_sleep_ms=0 $(GO) test -race -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/cmd/git-airlock$$')
	@echo "== end-to-end scripts, $(SCRIPTS) in testdata/script (about a minute on an idle two-core machine, several on a busy one; progress every 20 s)"
	@$(GO) build -o $(BUILD)/tools/testprogress ./internal/testprogress/cmd/testprogress
	GORACE=atexit_sleep_ms=0 $(GO) test -json -race -count=1 -timeout 30m ./cmd/git-airlock | $(BUILD)/tools/testprogress -prefix TestScript/ -total $(SCRIPTS)

# The end-to-end scripts again with the oldest git we claim and the newest
# release, from the prebuilt gits in ../shared/tools/git when present.
GIT_VERSIONS ?= 2.26.0 2.55.0
GIT_USE      ?= ../shared/tools/git/use
test-gits: test-deps
	@test -x $(GIT_USE) || { echo "no $(GIT_USE): skipping the git version matrix"; exit 0; }; \
	for v in $(GIT_VERSIONS); do \
		( eval "$$($(GIT_USE) $$v)" && git --version && \
		  GORACE=atexit_sleep_ms=0 $(GO) test -count=1 -timeout 30m ./cmd/git-airlock ./internal/sbxsim ./gitx ) || exit 1; \
	done

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 ./internal/archtest
	$(GO) mod tidy -diff
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash docs/bench.sh
	bash docs/bench-flows.sh

demo: build
	bash docs/demo.sh

try: build
	bash docs/try.sh

clean:
	rm -rf $(BUILD)
