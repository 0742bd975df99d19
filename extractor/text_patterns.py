"""Patterns of target-like text shared by the cell and column features."""

from __future__ import annotations

import re

PERCENT = re.compile(r"[%％]|百分之")
COMPARISON = re.compile(r"[≥≤＞＜><=＝]|以上|以下|不低于|不高于|不超过|不少于|以内|达到|高于|低于")
