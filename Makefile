# The two commands of the quick start: `make run` and `make test`. Both install any missing
# Debian packages first (idempotent), then configure and build.
BUILD_DIR ?= build
SANITIZE_DIR ?= build-sanitize
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= examples/checks.toml

.PHONY: all deps build run test sanitize bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/prober run -c $(CONFIG)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300

$(SANITIZE_DIR)/CMakeCache.txt:
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Debug -DPROBER_SANITIZE=ON

sanitize: deps $(SANITIZE_DIR)/CMakeCache.txt
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 600

# The benchmark against blackbox_exporter and the libcurl floor: about half an hour; writes
# bench/RESULTS.md. Not a test: nothing in it fails a build.
bench: build
	bash bench/bench.sh --prober $(BUILD_DIR)/prober --floor $(BUILD_DIR)/bench_floor --history $(BUILD_DIR)/bench_history --out bench/RESULTS.md

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
