"""Enumeration prefixes ("一、", "（一）", "1、", "(1)", "①") of activity names and items."""

from __future__ import annotations

import re

# Name -> pattern, most significant level first.
ENUMERATIONS: dict[str, re.Pattern[str]] = {
    "chinese": re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*"),
    "paren_chinese": re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]\s*"),
    "arabic": re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)\s*"),
    "paren_arabic": re.compile(r"^\s*[（(]\d{1,2}[)）]\s*"),
    "circled": re.compile(r"^\s*[①-⑳]\s*"),
}


def enumeration_kind(text: str) -> str | None:
    """The enumeration scheme ``text`` starts with, or None."""
    for name, pattern in ENUMERATIONS.items():
        if pattern.match(text):
            return name
    return None


def strip_enumeration(text: str) -> str:
    """``text`` without its enumeration prefix and surrounding whitespace."""
    for pattern in ENUMERATIONS.values():
        match = pattern.match(text)
        if match:
            return text[match.end() :].strip()
    return text.strip()
