# Custodian: the two-command quick start.
#   make run    installs missing Debian packages, builds, starts the server (with the demo camera)
#   make test   installs, builds, runs every test (ctest)
#   make bench  runs the benchmarks and writes bench/RESULTS.md
BUILD   ?= build
JOBS    ?= 2
TYPE    ?= Release
DATA    ?= $(abspath ../shared/data)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian 12 packages the build, the tests and the tools need. (npm counts as present when
# an npm command is, e.g. from a Node.js distribution package that bundles it.)
DEB_BUILD := build-essential cmake pkg-config libopencv-dev nlohmann-json3-dev libcli11-dev \
             libgtest-dev libgmock-dev libbenchmark-dev \
             libsqlite3-dev sqlite3 libsodium-dev libpqxx-dev libpq-dev postgresql-15 \
             libcpp-httplib-dev libssl-dev oathtool chromium npm wrk dpkg-dev clang-tidy clang-format
.PHONY: all deps build run test bench clean train package tidy format

all: build

deps:
	@missing=""; for p in $(DEB_BUILD); do \
	  if [ "$$p" = npm ] && command -v npm >/dev/null; then continue; fi; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The main job: the HTTPS server on the embedded SQLite default under ./custodian-data,
# https://localhost:8443, with the demo camera feeding the sample images. The first run
# prints the coordinator's one-time password and the certificate's fingerprint.
run: build
	$(BUILD)/custodian serve --demo

# A Debian package: binary, models, web application, systemd unit, default config.
package: build
	cd $(BUILD) && cpack -G DEB

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# clang-tidy (.clang-tidy) on the C++ files changed since BASE (default: main's merge base
# with HEAD, or HEAD~1 on main itself), or on FILES="a.cc b.cc"; clang-format (.clang-format)
# checks the same files. Reports every finding; exits non-zero on a correctness one
# (bugprone, clang-analyzer: WarningsAsErrors in .clang-tidy).
BASE ?= $(shell git merge-base HEAD main 2>/dev/null | grep -v "^$$(git rev-parse HEAD)$$" || echo HEAD~1)
FILES ?= $(shell git diff --name-only --diff-filter=AM $(BASE) -- 'src/*.cc' 'apps/*.cc' 2>/dev/null)
tidy: deps $(BUILD)/CMakeCache.txt
	@cmake -S . -B $(BUILD) -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	@if [ -z "$(strip $(FILES))" ]; then echo "tidy: no changed C++ files since $(BASE)"; else \
	  echo "tidy: $(words $(FILES)) files"; clang-tidy -p $(BUILD) --quiet $(FILES); fi

format:
	@if [ -n "$(strip $(FILES))" ]; then clang-format --dry-run $(FILES); fi

bench: build
	bash bench/run_bench.sh $(BUILD)/custodian "$(DATA)"

# Training needs Debian's python3-torch and python3-opencv; never part of make test.
# About 3.5 hours on 2 cores; each step resumes from its checkpoint (add --resume). The
# shipped detector is the light one, started from and distilled from the base one.
train:
	$(SUDO) apt-get install -y -qq --no-install-recommends python3-torch python3-opencv python3-numpy python3-pil \
	  fonts-roadgeek fonts-opendin fonts-dejavu-core
	/usr/bin/python3 training/train_ocr.py --minutes 75 --synth 0.4
	/usr/bin/python3 training/train_detector.py --minutes 70 --out training/runs/detector_base.onnx
	/usr/bin/python3 training/train_detector.py --arch light --init-onnx training/runs/detector_base.onnx \
	  --distill training/runs/detector_base.onnx --minutes 50 --lr 1.5e-3
	/usr/bin/python3 training/calibrate_boxes.py

clean:
	rm -rf $(BUILD)
