# replayctl developer tasks. `make test` is what CI runs (.ci/run).
GO        ?= go
BIN       := bin/replayctl
PKG       := ./...
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w -X main.buildVersion=$(VERSION) -X main.buildCommit=$(COMMIT) -X main.buildDate=$(DATE)
GORELEASER := github.com/goreleaser/goreleaser/v2@v2.15.1
FUZZTIME  ?= 30s
# Fuzz targets as package:Target; `make test` runs their seed corpora
# (testdata/fuzz/<Target>/ and f.Add) as ordinary tests.
FUZZ_TARGETS := \
	./internal/dlq:FuzzJSONParserMatchesEncodingJSON \
	./internal/dlq:FuzzDecodeRecordJSON \
	./internal/flagvalue:FuzzParseTime \
	./internal/cli/replay:FuzzFilterFlags \
	./internal/cli/replay:FuzzTopicMap \
	./internal/cli/dlq:FuzzPolicySetFlags \
	./internal/config:FuzzParse \
	./internal/eventedit:FuzzEditedEvent

.PHONY: all build test fuzz vet fmt-check demo bench bench-replay bench-dlq bench-status bench-engine bench-dashboard docs completions man docs-check release-check clean

all: build

build: ## Build bin/replayctl
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/replayctl

test: fmt-check vet docs-check ## gofmt, go vet, fresh docs, and the race-enabled test suite
	$(GO) test -race -count=1 -timeout 15m $(PKG)

fuzz: ## Run every fuzz target for FUZZTIME each (default 30s), one after another
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

vet:
	$(GO) vet $(PKG)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

demo: build ## Scripted tour on the embedded stack; exits on its own
	./scripts/demo.sh $(BIN)

bench: bench-replay bench-dlq bench-status bench-engine ## Speed and memory targets (slow: minutes); figures in bench/results.md

bench-replay:
	$(GO) run ./bench/replay -results bench/results.md

bench-dlq:
	$(GO) run ./bench/dlq -results bench/results.md

bench-status:
	$(GO) run ./bench/status -results bench/results.md

bench-engine:
	$(GO) run ./bench/engine -results bench/results.md

bench-dashboard: ## What one refresh of each `replayctl ui` view costs on a dev --seed 20000 stack
	$(GO) run ./bench/dashboard

docs: completions man ## Regenerate completions/ and man/ from the command tree

completions:
	$(GO) run ./tools/gendocs -completions completions

man:
	$(GO) run ./tools/gendocs -man man

docs-check: ## Fail when completions/ or man/ are stale
	$(GO) run ./tools/gendocs -check -completions completions -man man

release-check: ## Validate goreleaser.yaml with goreleaser itself
	$(GO) run $(GORELEASER) check

clean:
	rm -rf bin dist
