# aigateway: the everyday commands. `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BIN := $(CURDIR)/bin
GO ?= go
export PATH := $(BIN):$(PATH)

PLUGINS := $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/protoc-gen-go-drpc
BUF := $(BIN)/buf
SQLC := $(BIN)/sqlc
STATICCHECK := $(BIN)/staticcheck
GOLANGCI := $(BIN)/golangci-lint

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build the aigateway command into ./bin/aigateway.
	$(GO) build -o $(BIN)/aigateway ./cmd/aigateway

.PHONY: run
run: deps build ## Start the gateway with the built-in Postgres; stop it with Ctrl-C.
	exec $(BIN)/aigateway server

.PHONY: test
test: deps check-gen ## Run every test and check that generated code is current.
	$(GO) test -race -count=1 ./...

.PHONY: gen
gen: $(PLUGINS) $(BUF) $(SQLC) ## Regenerate protobuf, gRPC, DRPC and sqlc code.
	$(BUF) lint
	$(BUF) generate
	$(SQLC) vet
	$(SQLC) generate

.PHONY: check-gen
check-gen: gen ## Fail when `make gen` changes the committed code.
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "generated code is stale; run make gen and commit:"; \
		git status --porcelain -- gen; exit 1; \
	fi

.PHONY: lint
lint: $(STATICCHECK) $(GOLANGCI) ## Run go vet, staticcheck and golangci-lint.
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GOLANGCI) run ./...

.PHONY: fmt
fmt: $(GOLANGCI) ## Format the code with gofumpt and group the imports.
	$(GOLANGCI) fmt ./...

.PHONY: bench
bench: deps ## Compare the gateway with direct calls and a bare proxy (about 8 min).
	$(GO) run ./bench

.PHONY: demo
demo: deps ## Start fakellm and a gateway in front of it, and print a curl line that works.
	$(GO) run ./bench demo

.PHONY: deps
deps: ## Install Postgres when its server binaries are missing.
	@./scripts/install-deps

.PHONY: tools
tools: $(PLUGINS) $(BUF) $(SQLC) $(STATICCHECK) $(GOLANGCI) ## Build every generator and linter into ./bin.

# The protoc plugins are `tool` lines of the main module, so they match the
# runtime libraries; the heavy tools live in tools/go.mod. Each binary is
# rebuilt only when the go.mod that pins it changes.
$(PLUGINS): go.mod
	GOBIN=$(BIN) $(GO) install tool
	@touch $(PLUGINS)

$(BUF): tools/go.mod
	GOBIN=$(BIN) $(GO) -C tools install github.com/bufbuild/buf/cmd/buf
	@touch $@

$(SQLC): tools/go.mod
	GOBIN=$(BIN) $(GO) -C tools install github.com/sqlc-dev/sqlc/cmd/sqlc
	@touch $@

$(STATICCHECK): tools/go.mod
	GOBIN=$(BIN) $(GO) -C tools install honnef.co/go/tools/cmd/staticcheck
	@touch $@

$(GOLANGCI): tools/go.mod
	GOBIN=$(BIN) $(GO) -C tools install github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	@touch $@
