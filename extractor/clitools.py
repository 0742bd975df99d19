"""Helpers shared by the command-line wrappers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from extractor.errors import ExtractorError

T = TypeVar("T")


def run_or_exit(action: Callable[[], T]) -> T:
    """Run ``action``; print our errors as one clear line on stderr and exit 1."""
    try:
        return action()
    except ExtractorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
