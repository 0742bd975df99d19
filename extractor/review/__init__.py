"""Review side: a Label Studio queue for low-confidence row units.

``push_queue`` sends uncertain rows to Label Studio, ``pull_annotations``
appends reviewers' labels to ``annotations/reviews/reviews.jsonl`` and
``load_reviews`` reads them back for extraction and retraining.

Names are imported on first use (PEP 562), so ``extract``, which only reads
reviews, never imports the Label Studio SDK or httpx.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule defining it
_WHERE = {
    "ReviewAuthError": "errors",
    "ReviewExportError": "errors",
    "ReviewProjectError": "errors",
    "ReviewQueueError": "errors",
    "ReviewUnreachableError": "errors",
    "PullResult": "pull",
    "pull_annotations": "pull",
    "PushResult": "push",
    "push_queue": "push",
    "load_reviews": "reviews",
    "reviews_path": "reviews",
    "ServerHandle": "server",
    "ensure_label_studio": "server",
    "start_server": "server",
    "ReviewSettings": "settings",
    "default_threshold": "settings",
    "load_settings": "settings",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
