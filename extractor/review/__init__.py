"""Review side: a Label Studio queue for low-confidence row units.

``push_queue`` sends uncertain rows to Label Studio, ``pull_annotations``
appends reviewers' labels to ``annotations/reviews/reviews.jsonl`` and
``load_reviews`` reads them back for extraction and retraining.
"""

from extractor.review.errors import (
    ReviewAuthError,
    ReviewExportError,
    ReviewProjectError,
    ReviewQueueError,
    ReviewUnreachableError,
)
from extractor.review.pull import PullResult, pull_annotations
from extractor.review.push import PushResult, push_queue
from extractor.review.reviews import load_reviews, reviews_path
from extractor.review.server import ServerHandle, ensure_label_studio, start_server
from extractor.review.settings import ReviewSettings, default_threshold, load_settings

__all__ = [
    "PullResult",
    "PushResult",
    "ReviewAuthError",
    "ReviewExportError",
    "ReviewProjectError",
    "ReviewQueueError",
    "ReviewSettings",
    "ReviewUnreachableError",
    "ServerHandle",
    "default_threshold",
    "ensure_label_studio",
    "load_reviews",
    "load_settings",
    "pull_annotations",
    "push_queue",
    "reviews_path",
    "start_server",
]
