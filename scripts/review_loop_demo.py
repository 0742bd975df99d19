"""The review loop on a document the model was not trained on: record F1 before and after.

Trains a model on the hand labels of the other sample documents (in a
temporary folder), extracts the held-out document, scores its records against
``annotations/expected_records/<doc>.jsonl``, starts a real Label Studio on
127.0.0.1, pushes the review queue, and acts as the reviewer for the first
``--budget`` tasks (most uncertain first), answering each with the row's hand
label from ``annotations/hand/<doc>.jsonl``. Then it pulls the reviews,
retrains on hand labels + reviews, extracts the document again with the
reviews applied, and prints the numbers. Nothing in the repository is
changed. Prints numbers; it is not a test.

    python scripts/review_loop_demo.py --doc 003_325a9de861070d6d [--budget 150] [--threshold T] [--rounds N]

With ``--rounds N`` the loop repeats: each round pushes the queue of the
latest extraction (rows already queued or reviewed are skipped), the reviewer
answers up to ``--budget`` open tasks in the order of the latest queue, and
the model is retrained.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from extractor.bulk import run_extraction
from extractor.config import load_config, review_threshold
from extractor.dataset import iter_output
from extractor.errors import RunFolderError
from extractor.evaluation.records import record_metrics
from extractor.metrics import label_metrics
from extractor.models.base import ModelCard
from extractor.review import (
    ensure_label_studio,
    load_reviews,
    pull_annotations,
    push_queue,
    start_server,
)
from extractor.review.settings import ReviewSettings
from extractor.review.tasks import prediction_result
from extractor.training import train

ROOT = Path(__file__).resolve().parent.parent
HAND = ROOT / "annotations" / "hand"
EXPECTED = ROOT / "annotations" / "expected_records"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def record_f1(out_dir: Path, expected: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Record precision/recall/F1 of the records of run ``out_dir`` against the expected records."""
    return record_metrics(list(iter_output(out_dir, "records", RunFolderError)), expected)


def row_macro_f1(out_dir: Path, truth: dict[str, str]) -> tuple[float, int]:
    """Macro-F1 of the labels in run ``out_dir``'s rows against the hand labels; and the wrong count."""
    rows = [r for r in iter_output(out_dir, "rows", RunFolderError) if r["key"] in truth]
    gold = [truth[r["key"]] for r in rows]
    predicted = [r["label"] for r in rows]
    return label_metrics(gold, predicted)["macro_f1"], sum(g != p for g, p in zip(gold, predicted, strict=True))


def extract(sample: Path, out_dir: Path, model_dir: Path, threshold: float, reviews: dict[str, Any] | None = None) -> None:
    summary = run_extraction([sample], out_dir, model_dir, threshold, reviews=reviews)
    if summary.failed:
        raise SystemExit(f"extraction of {sample} failed: {summary.errors}")
    log(f"extracted {sample.name} with {summary.model_version}: {summary.records} records, {summary.rows} rows, {summary.queued} queued")


def review_as_reviewer(
    settings: ReviewSettings, project_id: int, queue: Path, truth: dict[str, str], budget: int
) -> tuple[int, int]:
    """Answer up to ``budget`` open tasks with the row's hand label, as a reviewer would.

    The reviewer works down the latest review queue (most uncertain first),
    skipping rows already reviewed. Returns (confirmations, corrections) of the
    label shown in the task (the model's prediction when it was pushed).
    """
    client = LabelStudio(base_url=settings.url, api_key=settings.api_key)
    tasks = {t.data["key"]: t for t in client.tasks.list(project=project_id, fields="all")}
    done = set(load_reviews(settings.annotations_dir))
    order = [row["key"] for row in read_jsonl(queue) if row["key"] in tasks and row["key"] not in done]
    confirmed = corrected = 0
    for key in order[:budget]:
        task, label = tasks[key], truth[key]
        client.annotations.create(id=task.id, result=prediction_result(label), lead_time=5.0)
        if label == task.data["predicted_label"]:
            confirmed += 1
        else:
            corrected += 1
    return confirmed, corrected


def rec(m: dict[str, Any]) -> str:
    return (
        f"{m['f1']:.4f}  (P {m['precision']:.4f}, R {m['recall']:.4f}; "
        f"{m['correct']}/{m['expected']} expected right, {m['predicted']} predicted)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", required=True, help="held-out document id, e.g. 003_325a9de861070d6d")
    parser.add_argument("--budget", type=int, default=150, help="tasks the reviewer annotates (default 150)")
    parser.add_argument("--threshold", type=float, default=None, help="review threshold (default: model card, else config)")
    parser.add_argument("--rounds", type=int, default=1, help="review rounds, each pushing the latest queue (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.budget < 1:
        parser.error("--rounds and --budget must be at least 1")

    doc = args.doc
    sample = ROOT / "samples" / f"{doc}.txt"
    hand_file = HAND / f"{doc}.jsonl"
    expected_file = EXPECTED / f"{doc}.jsonl"
    for path in (sample, hand_file, expected_file):
        if not path.exists():
            parser.error(f"{path} not found")
    others = sorted(p for p in HAND.glob("*.jsonl") if p.stem != doc)
    truth = {row["key"]: row["label"] for row in read_jsonl(hand_file)}
    expected = read_jsonl(expected_file)

    work = Path(tempfile.mkdtemp(prefix=f"review-loop-{doc[:3]}-"))
    annotations, models = work / "annotations", work / "models"
    (annotations / "hand").mkdir(parents=True)
    for path in others:
        shutil.copy(path, annotations / "hand" / path.name)
    try:
        log(f"training on {', '.join(p.stem for p in others)} (held out: {doc})")
        first = train(annotations, models, progress=log)
        card = ModelCard.load(first.directory)
        threshold = review_threshold(load_config(), card.review_threshold, args.threshold)

        before = work / "out-before"
        extract(sample, before, first.directory, threshold)
        f1_before = record_f1(before, expected)
        rows_before, wrong_before = row_macro_f1(before, truth)
        print(f"held-out document:          {doc}  ({len(truth)} row units, {len(expected)} expected records)")
        print(f"trained on:                 {', '.join(p.stem for p in others)}  -> {first.version}")
        print(f"review threshold:           {threshold:g}  ({'--threshold' if args.threshold is not None else 'model card / config'})")
        print(f"record F1 before:           {rec(f1_before)}")
        print(f"row macro-F1 before:        {rows_before:.4f}  ({wrong_before} wrong rows)", flush=True)

        ensure_label_studio()
        log("starting Label Studio")
        with start_server(port=None, data_dir=work / "label-studio") as server:
            settings = ReviewSettings(
                url=server.url,
                api_key=server.api_key,
                project=f"review-loop-{doc}-{uuid.uuid4().hex[:6]}",
                threshold=threshold,
                annotations_dir=annotations,
                data_dir=server.data_dir,
            )
            current = before
            for round_no in range(1, args.rounds + 1):
                pushed = push_queue(current, settings=settings)
                log(f"pushed {pushed.pushed} task(s) to {server.url} project {pushed.project!r}")
                confirmed, corrected = review_as_reviewer(settings, pushed.project_id, current / "review_queue.jsonl", truth, args.budget)
                pulled = pull_annotations(settings=settings)
                log(f"pulled {pulled.new} review(s): {pulled.confirmed} confirmed, {pulled.corrected} corrected")
                if (pulled.confirmed, pulled.corrected) != (confirmed, corrected):
                    raise SystemExit(f"pull counted {pulled.confirmed}/{pulled.corrected}, reviewer {confirmed}/{corrected}")

                log("retraining on hand labels + reviews")
                second = train(annotations, models, force=False, progress=log)
                new_card = ModelCard.load(second.directory)
                after = work / f"out-after-{round_no}"
                extract(sample, after, second.directory, threshold, reviews=load_reviews(annotations))
                f1_after = record_f1(after, expected)
                rows_after, wrong_after = row_macro_f1(after, truth)
                model_only = work / f"out-after-{round_no}-model-only"
                extract(sample, model_only, second.directory, threshold)
                f1_model = record_f1(model_only, expected)
                rows_model, wrong_model = row_macro_f1(model_only, truth)

                tag = f"round {round_no}: " if args.rounds > 1 else ""
                print(
                    f"{tag}queue pushed:             {pushed.pushed} new task(s)  "
                    f"({pushed.skipped_existing} already queued, {pushed.skipped_reviewed} already reviewed)"
                )
                print(f"{tag}tasks reviewed:           {pulled.new}  (budget {args.budget})")
                print(f"{tag}corrections made:         {pulled.corrected}")
                print(f"{tag}confirmations:            {pulled.confirmed}")
                print(
                    f"{tag}retrained model:          {second.version}  (reviewed_units "
                    f"{new_card.training_data.get('reviewed_units')}, {'promoted' if second.promoted else 'NOT promoted'})"
                )
                print(f"{tag}record F1 after (reviews applied):   {rec(f1_after)}")
                print(f"{tag}row macro-F1 after (reviews applied): {rows_after:.4f}  ({wrong_after} wrong rows)")
                print(f"{tag}record F1 after, model only:          {rec(f1_model)}")
                print(f"{tag}row macro-F1 after, model only:       {rows_model:.4f}  ({wrong_model} wrong rows)", flush=True)
                current = after
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
