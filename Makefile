# Two commands on a fresh machine (Python 3.11, Debian):
#   make extract   install the package and extract the bundled samples into out/
#   make test      install everything the tests need and run them
PYTHON ?= python3
PIP = $(PYTHON) -m pip

.PHONY: extract test install install-test benchmark

install:
	$(PIP) install --disable-pip-version-check -q -e .

extract: install
	$(PYTHON) -m extractor.cli extract samples --out out

# PyTorch's CPU build (a local wheel on this machine kind) goes first, so the
# transformers extra does not pull the CUDA build.
install-test:
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q -e ".[dev,transformers,ray]"
	bash scripts/install_label_studio.sh $(PYTHON)
	bash scripts/install_browser.sh $(PYTHON)

# CI=1: a test whose package is missing fails instead of skipping (Ray, transformers).
test: install-test
	CI=1 $(PYTHON) -m pytest -q

benchmark: install
	$(PYTHON) -m scripts.benchmark
