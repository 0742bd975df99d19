# Two commands on a fresh machine (Python 3.11, Debian):
#   make extract   install the package and extract the bundled samples into out/
#   make test      install everything the tests need and run them
PYTHON ?= python3
PIP = $(PYTHON) -m pip

.PHONY: extract test install install-test benchmark

# An editable install leaves byte-compiling to the first import, which writes
# nothing where PYTHONDONTWRITEBYTECODE is set: every process then compiled the
# package again (about 55 ms). A regular pip install compiles it once, so do this.
install:
	$(PIP) install --disable-pip-version-check -q -e .
	$(PYTHON) -m compileall -q extractor

extract: install
	$(PYTHON) -m extractor.cli extract samples --out out

# PyTorch's CPU build (a local wheel on this machine kind) goes first, so the
# transformers extra does not pull the CUDA build.
install-test:
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q -e ".[dev,transformers,ray]"
	$(PYTHON) -m compileall -q extractor
	bash scripts/install_label_studio.sh $(PYTHON)
	bash scripts/install_browser.sh $(PYTHON)

# CI=1: a test whose package is missing fails instead of skipping (Ray, transformers).
test: install-test
	CI=1 $(PYTHON) -m pytest -q

benchmark: install
	$(PYTHON) -m scripts.benchmark
