# Thin wrapper over CMake: `make run` and `make test` set up everything.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Tests run two per core: most of their time is spent waiting on fsync,
# child processes and sockets, not on the CPU (each test has its own
# temporary directories and ports, so none needs a lock).
TEST_JOBS  ?= $(shell echo $$((2 * $(JOBS))))
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
CMAKE_FLAGS ?=

PREFIX     ?= /usr/local

.PHONY: all build run test test-asan bench bootstrap clean install fuzz

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DOSAFE_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/run-demo $(BUILD)/osafe

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

test-asan: bootstrap
	@cmake -S . -B $(ASAN_BUILD) -DOSAFE_WERROR=ON -DOSAFE_SANITIZE=ON \
	    -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(TEST_JOBS)

bench: build
	@cmake --build $(BUILD) --target benchmarks -j $(JOBS)
	@scripts/run-bench $(BUILD)

# The binary, man pages (one per command, from its help text) and data
# files under $(PREFIX); DESTDIR stages a package.
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# libFuzzer targets (fuzz/README.md), built with clang, each run for
# FUZZ_SECONDS (FUZZ_TARGETS: only those).
fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DOSAFE_FUZZ=ON \
	    $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) --target fuzzers -j $(JOBS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
