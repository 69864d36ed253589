# olke: two commands on a fresh Debian/Ubuntu machine (as root or with sudo):
#   make demo   install what is missing, build, ingest the bundled sample batch
#   make test   install what is missing, run the whole test suite
CARGO ?= cargo
OLKE := target/release/olke

.PHONY: demo test lint bench deps build sample clean-archive

deps:
	@bash scripts/install-deps.sh

build: deps
	$(CARGO) build --release

demo: build
	$(OLKE) --archive archive ingest scans/sample
	@echo
	$(OLKE) --archive archive list
	@echo
	@echo "Open the PDFs under archive/documents/, or try:"
	@echo "  $(OLKE) show <id>    $(OLKE) text <id>"

test:
	@bash scripts/install-deps.sh --test
	$(CARGO) test --release

# What CI checks besides the tests: the formatting, and clippy with warnings as errors.
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --all-targets -- -D warnings

bench:
	@bash scripts/install-deps.sh --bench
	$(CARGO) build --release
	bash bench/run.sh
	bash bench/serve.sh

# Re-render the bundled sample batch from the project's own texts.
sample:
	$(CARGO) run --release --example make_sample -- scans/sample
