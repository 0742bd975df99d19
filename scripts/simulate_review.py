"""Simulated reviewer: record F1 on a template the model never saw, after 0, 5, 10, 30 reviewer actions.

The simulation is :mod:`extractor.evaluation.simulated_review` (``extractor
evaluate`` reports the same curve); this script prints it as a Markdown table.

    python scripts/simulate_review.py [--actions 0 5 10 30] [--threshold 0.9] [--template T]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.evaluation.simulated_review import DEFAULT_ACTIONS, DEFAULT_THRESHOLD, reviewer_curve  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--actions", type=int, nargs="+", default=list(DEFAULT_ACTIONS))
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="cells below this confidence are queued")
    parser.add_argument("--template", action="append", help="only this held-out template (repeatable; default: all)")
    args = parser.parse_args(argv)
    curve = reviewer_curve(args.annotations, args.samples, args.actions, args.threshold, args.template or ())
    if not curve["available"]:
        sys.exit(curve.get("note", "no held-out template with expected records"))
    print("| held-out template | documents | reviewer actions | tables reviewed | cells reviewed "
          "| record F1, answers applied | record F1, answers applied + retrained |")
    print("|---|---|---|---|---|---|---|")
    for template, result in curve["per_template"].items():
        for p in result["points"]:
            print(f"| {template} | {', '.join(result['documents'])} | {p['actions']} | {p['tables']} | {p['cells']} "
                  f"| {p['f1_applied']:.4f} | {p['f1_retrained']:.4f} |")


if __name__ == "__main__":
    main()
