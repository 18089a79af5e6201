# The two commands of the quick start: `make run` and `make test`. Both install any missing
# Debian packages first (idempotent), then configure and build.
BUILD_DIR ?= build
SANITIZE_DIR ?= build-sanitize
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= examples/checks.toml

.PHONY: all deps build run test simulate sanitize fuzz container bench clean

all: build

deps:
	@bash scripts/install-deps.sh run

# `make run` builds the daemon alone; the tests are built by `make test`.
build: deps
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS) --target prober

run: build
	./$(BUILD_DIR)/prober run -c $(CONFIG)

# blackbox_exporter's published rules and dashboards, which the prometheus test also runs: the
# directory next to the checkout when it is there.
PEERS_DIR ?= $(abspath $(wildcard ../shared/peers-data))

# A test that cannot run here (no tmpfs mount without root, no PEERS_DIR) exits 77 and ctest
# counts it as skipped, not failed: its run still exits 0. So ctest writes a JUnit report, and
# every test it marks "notrun" (skipped) that is not named in EXPECTED_SKIPS (test names,
# space-separated: `make test EXPECTED_SKIPS=full-disk` on a machine that cannot mount) fails
# the target. CI (.ci/run) names none: a skip there is a test that did not run, and fails it.
EXPECTED_SKIPS ?=
define no_unexpected_skips
	@skipped=$$(sed -n 's/.*<testcase name="\([^"]*\)".*status="notrun".*/\1/p' $(1)); \
	unexpected=$$(for t in $$skipped; do case " $(EXPECTED_SKIPS) " in *" $$t "*) ;; *) echo "$$t";; esac; done); \
	if [ -n "$$unexpected" ]; then \
		echo "skipped, and not in EXPECTED_SKIPS:" $$unexpected "(why: Testing/Temporary/LastTest.log)" >&2; exit 1; \
	fi
endef

# Configuring again each time is cheap and picks up what the install added (doctest).
test:
	@bash scripts/install-deps.sh test
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROBER_TESTS=ON \
		-DPROBER_PEERS_DIR=$(PEERS_DIR)
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300 --output-junit ctest-junit.xml
	$(call no_unexpected_skips,$(BUILD_DIR)/ctest-junit.xml)

# The deterministic simulation (docs/simulation.md): SEEDS seeds from FIRST, or one SEED replayed
# with its whole trace; GENERATOR picks the generator's generation (the latest by default; a
# regression seed is replayed with the one regressions.txt names); SIMULATE_SECONDS bounds the
# run (the seeds not reached are not counted).
# The last line says `simulate: N seeds, F failed`; any failure fails make.
SEEDS ?= 200
FIRST ?= 1
SIMULATE_SECONDS ?=
GENERATOR ?=
simulate:
	@bash scripts/install-deps.sh test
	@test -f $(BUILD_DIR)/CMakeCache.txt || cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPROBER_TESTS=ON
	cmake --build $(BUILD_DIR) -j $(JOBS) --target simulate
	./$(BUILD_DIR)/tests/simulation/simulate $(if $(SEED),--seed $(SEED),--seeds $(SEEDS) --first $(FIRST)) \
		$(if $(GENERATOR),--generator $(GENERATOR)) $(if $(SIMULATE_SECONDS),--max-seconds $(SIMULATE_SECONDS))

sanitize:
	@bash scripts/install-deps.sh test
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Debug -DPROBER_SANITIZE=ON -DPROBER_TESTS=ON \
		-DPROBER_PEERS_DIR=$(PEERS_DIR)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 600 \
		--output-junit ctest-junit.xml
	$(call no_unexpected_skips,$(SANITIZE_DIR)/ctest-junit.xml)

# libFuzzer (clang, ASan and UBSan) on every harness in tests/fuzz/ for FUZZ_SECONDS each.
FUZZ_TARGETS = fuzz_config fuzz_assertion fuzz_json_path fuzz_template fuzz_slack fuzz_http_request
fuzz:
	@bash scripts/install-deps.sh fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DPROBER_FUZZ=ON -DPROBER_TESTS=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZ_TARGETS)
	bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The container image end to end with podman: builds examples/Dockerfile on a debootstrapped
# bookworm base and runs 1,000 checks under a 128 MiB limit for a minute (10 minutes or more the
# first time: debootstrap and a compile inside the image build).
container:
	@bash scripts/install-deps.sh container
	bash tests/container/container_test.sh .

# The benchmark against blackbox_exporter and the libcurl floor: about an hour and a half (W5
# runs a million checks for 10 minutes, three times); writes
# bench/RESULTS.md. Not a test: nothing in it fails a build.
bench:
	@bash scripts/install-deps.sh bench
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS) --target prober bench_floor bench_history bench_pages bench_memory bench_scrape bench_store bench_uptime
	bash bench/bench.sh --prober $(BUILD_DIR)/prober --floor $(BUILD_DIR)/bench_floor --history $(BUILD_DIR)/bench_history --pages $(BUILD_DIR)/bench_pages --memory $(BUILD_DIR)/bench_memory --scrape $(BUILD_DIR)/bench_scrape --store $(BUILD_DIR)/bench_store --uptime $(BUILD_DIR)/bench_uptime --out bench/RESULTS.md

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
