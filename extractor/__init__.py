"""Extract performance targets (绩效目标) from Chinese budget disclosures."""

__version__ = "0.1.0"
