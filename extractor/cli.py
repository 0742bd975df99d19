"""The ``extractor`` command: thin Typer wrappers over importable functions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from extractor.config import Config, load_config, review_threshold
from extractor.clitools import run_or_exit

app = typer.Typer(
    help="Turn Chinese budget disclosures (部门预算信息公开) into performance-indicator data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config (default: configs/default.toml).")]
JsonlOption = Annotated[
    str,
    typer.Option(
        "--jsonl",
        help="Also write these outputs as JSON Lines, comma-separated: records, rows "
        "(every output is in Parquet; documents and sections are in JSON Lines too).",
    ),
]


def _jsonl(value: str) -> tuple[str, ...]:
    """The outputs ``--jsonl`` names; an unknown one is a usage error."""
    from extractor.dataset import jsonl_outputs
    from extractor.errors import ConfigError

    names = tuple(name.strip() for name in value.split(",") if name.strip())
    try:
        jsonl_outputs(names)
    except ConfigError as exc:
        raise typer.BadParameter(exc.message, param_hint="--jsonl") from exc
    return names


def _config(path: Path | None) -> Config:
    return run_or_exit(lambda: load_config(path))


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively for .txt, .docx, .pdf, .html/.htm, .xlsx).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    workers: Annotated[int | None, typer.Option(help="Worker processes; 0 = one per core.")] = None,
    model: Annotated[Path | None, typer.Option(help="Model folder, or a models root with CURRENT.")] = None,
    threshold: Annotated[float | None, typer.Option(help="Review threshold (default: from the model card).")] = None,
    no_reviews: Annotated[bool, typer.Option("--no-reviews", help="Ignore reviewers' labels in annotations/.")] = False,
    metadata: Annotated[
        Path | None, typer.Option(help="Sidecar CSV (path or sha256 column, any others) copied onto documents and records.")
    ] = None,
    engine: Annotated[str, typer.Option(help="local (processes here) or ray (one task per document on a Ray cluster).")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: start a local one).")] = None,
    max_document_mb: Annotated[
        float | None, typer.Option(help="Fail a document larger than this many MB (default: [limits] in the config).")
    ] = None,
    max_seconds: Annotated[
        float | None, typer.Option(help="Fail a document that takes longer than this many seconds (default: config).")
    ] = None,
    keep_context: Annotated[
        bool, typer.Option("--keep-context", help="Keep every row's context (whole table row, headers) in rows.parquet/.jsonl.")
    ] = False,
    jsonl: JsonlOption = "",
    config: ConfigOption = None,
) -> None:
    """Extract sections, labelled rows and indicator records from budget documents.

    Writes documents, records, sections and rows (.parquet; .jsonl too for
    documents and sections, and for those --jsonl names), records.csv,
    review_queue.jsonl, table_queue.jsonl and errors.jsonl into OUT. Reruns skip
    unchanged documents; an interrupted run resumes. Exit status 2 if any
    document failed.
    """
    from extractor.bulk import run_extraction
    from extractor.limits import Limits
    from extractor.models.base import ModelCard, resolve_model_dir
    from extractor.parquet import forgo_pandas_conversions
    from extractor.progress import DocumentProgress, print_summary

    forgo_pandas_conversions()  # this process writes Parquet from lists only
    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"--engine must be local or ray, not {engine!r}")
    jsonl_names = _jsonl(jsonl)
    cfg = _config(config)
    limits = run_or_exit(
        lambda: Limits.from_config(cfg, max_document_mb=max_document_mb, max_seconds_per_document=max_seconds)
    )
    model_dir = run_or_exit(lambda: resolve_model_dir(model or cfg.path("model.path")))
    card = run_or_exit(lambda: ModelCard.load(model_dir))
    limit = run_or_exit(lambda: review_threshold(cfg, card.review_threshold, threshold))
    reviews = {} if no_reviews else _load_reviews(cfg)
    n_workers = workers if workers is not None else int(cfg.get("extract.workers", 1))
    with DocumentProgress() as progress:
        summary = run_or_exit(
            lambda: run_extraction(
                paths, out, model_dir, limit, reviews, n_workers, on_document=progress.advance_document,
                metadata=metadata, engine=engine, address=address, limits=limits, keep_context=keep_context,
                jsonl=jsonl_names,
            )
        )
    print_summary(summary)
    raise typer.Exit(summary.exit_code)


@app.command()
def export(
    runs: Annotated[list[Path], typer.Argument(help="Output folders of extract runs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder to write.")],
    jsonl: JsonlOption = "",
) -> None:
    """Merge extract runs into one dataset (Parquet, and JSON Lines as extract writes it), each document once.

    A document extracted in several runs (same content) is kept from the run
    with the newest model. record_id is the same in every run; doc_ids are
    made unique over the merged documents.
    """
    from extractor.export import export_runs

    jsonl_names = _jsonl(jsonl)
    summary = run_or_exit(lambda: export_runs(runs, out, jsonl_names))
    typer.echo(f"documents: {summary.documents} (duplicates dropped: {summary.duplicates})  "
               f"records: {summary.records}  output: {out}")


def _load_reviews(cfg: Config) -> dict[str, Any]:
    from extractor.review.reviews import load_reviews

    return run_or_exit(lambda: load_reviews(cfg.path("annotations.path")))


@app.command()
def retrain(
    annotations: Annotated[Path | None, typer.Option(help="Annotations folder (hand/ and reviews/).")] = None,
    models: Annotated[Path | None, typer.Option(help="Models folder to write into.")] = None,
    backend: Annotated[str | None, typer.Option(help="sklearn or transformers (default: from config).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Make the new model current even if it scores worse.")] = False,
    param: Annotated[list[str] | None, typer.Option(help="Backend parameter KEY=VALUE (repeatable).")] = None,
    config: ConfigOption = None,
) -> None:
    """Train on hand-checked labels plus reviews; promote the model unless it breaks more than it fixes.

    The new model is evaluated once (leave one document out, each template held
    out); the gate compares it item by item with the current model on held-out
    templates and on earlier rounds' reviewed items, and prints what it broke.
    """
    from extractor.collector import extraction_collector
    from extractor.training import train

    cfg = _config(config)
    with extraction_collector():  # training extracts every annotated document, several times
        result = run_or_exit(lambda: train(
            annotations or cfg.path("annotations.path"),
            models or cfg.path("model.path"),
            backend=backend or str(cfg.get("model.backend", "sklearn")),
            params=_parse_params(param or []),
            force=force,
            samples_dir=cfg.path("annotations.samples"),
            progress=lambda msg: typer.echo(msg, err=True),
        ))
    before = result.current_metrics
    after = result.candidate_metrics
    typer.echo(f"model {result.version} written to {result.directory}")
    typer.echo(f"  macro-F1  before {_fmt(before, 'macro_f1')}  after {after['macro_f1']:.4f}")
    typer.echo(f"  ECE       before {_fmt(before, 'ece')}  after {after['ece']:.4f}")
    typer.echo(f"  record F1 before {_fmt(before, 'record_f1')}  after {_fmt(after, 'record_f1')}")
    for doc, score in after["per_document_macro_f1"].items():
        old = (before or {}).get("per_document_macro_f1", {}).get(doc)
        typer.echo(f"  {doc}: before {old if old is None else f'{old:.4f}'}  after {score:.4f}")
    for line in result.gate.lines() if result.gate else []:
        typer.echo(line)
    if result.promoted:
        typer.echo(f"current model is now {result.version} (review threshold {result.review_threshold:.4f}); "
                   "`extractor rollback` restores the previous one")
    else:
        typer.echo(f"kept current model {result.current_version} (the new one breaks more than it fixes; "
                   "--force to override)")


@app.command()
def rollback(
    version: Annotated[str | None, typer.Argument(help="Model version to make current (default: the one replaced last).")] = None,
    models: Annotated[Path | None, typer.Option(help="Models folder.")] = None,
    config: ConfigOption = None,
) -> None:
    """Make an earlier model current again (every model stays on disk)."""
    from extractor.training import rollback as roll_back

    cfg = _config(config)
    chosen = run_or_exit(lambda: roll_back(models or cfg.path("model.path"), version))
    typer.echo(f"current model is now {chosen}")


def _fmt(metrics: dict[str, Any] | None, key: str) -> str:
    value = None if metrics is None else metrics.get(key)
    return "  n/a " if value is None else f"{value:.4f}"


def _parse_params(items: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; values parsed as numbers where they look like numbers."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected KEY=VALUE, got {item!r}")
        try:
            out[key] = int(value) if value.lstrip("-").isdecimal() else float(value)
        except ValueError:
            out[key] = value
    return out


@app.command()
def evaluate(
    model: Annotated[Path | None, typer.Option(help="Model to evaluate (default: the current model).")] = None,
    annotations: Annotated[Path | None, typer.Option(help="Annotations folder.")] = None,
    out: Annotated[Path, typer.Option(help="Where to write metrics.json, report.html and plots.")] = Path("evaluation"),
    documents: Annotated[list[Path] | None, typer.Argument(help="Evaluate the model on these documents only (held out).")] = None,
    backend: Annotated[str | None, typer.Option(help="Cross-validate this backend's recipe instead.")] = None,
    update_card: Annotated[
        bool,
        typer.Option(
            "--update-card",
            help="Also store the chosen review threshold and metrics in the model's card (a tracked file).",
        ),
    ] = False,
    reviewer_actions: Annotated[
        str,
        typer.Option(
            help="Simulated reviewer: record F1 per held-out template after these numbers of review actions "
            "(comma-separated; 'none' skips it, about a minute saved).",
        ),
    ] = "0,5,10,30",
    config: ConfigOption = None,
) -> None:
    """Measure a model: row metrics, record F1, sections, calibration, review threshold.

    Without DOCUMENTS it runs leave-one-document-out cross-validation of the
    model's recipe over the annotated documents and reports the review threshold
    it chooses (smallest queue catching 95% of wrong rows). It writes only under
    OUT; --update-card also stores that threshold in the model's card.
    """
    from extractor.evaluation.run import LODO, update_model_card
    from extractor.evaluation.run import evaluate as run_evaluation

    actions = _action_counts(reviewer_actions)
    cfg = _config(config)
    models_root = cfg.path("model.path")
    metrics = run_or_exit(
        lambda: run_evaluation(
            annotations or cfg.path("annotations.path"),
            out,
            model_path=model,
            documents=documents or (),
            backend=backend,
            samples_dir=cfg.path("annotations.samples"),
            models_root=models_root,
            progress=lambda msg: typer.echo(msg, err=True),
            reviewer_actions=actions,
        )
    )
    rows, review, records = metrics["rows"], metrics["review"], metrics["records"]
    typer.echo(f"{metrics['evaluation']}: row macro-F1 {rows['macro_f1']:.4f}  ECE {metrics['calibration']['ece']:.4f}")
    if records.get("f1") is not None:
        typer.echo(f"records: precision {records['precision']:.3f}  recall {records['recall']:.3f}  F1 {records['f1']:.3f}")
    sections = metrics["sections"]
    if sections.get("f1") is not None:
        typer.echo(f"sections: F1 {sections['f1']:.3f}  level accuracy {sections['level_accuracy']:.3f}")
    typer.echo(
        f"review threshold {review['threshold']:.4f}: queues {review['queue_share']:.1%} of rows, "
        f"catches {review['errors_caught']:.1%} of wrong rows"
    )
    _echo_generalisation(metrics)
    _echo_reviewer_curve(metrics)
    if update_card and (metrics["evaluation"] != LODO or backend is not None):
        typer.echo("model card not updated: only a cross-validation of the model's own recipe sets it", err=True)
    elif update_card:
        card = run_or_exit(lambda: update_model_card(model or models_root, metrics))
        typer.echo(f"model card of {card.version} updated (review threshold {card.review_threshold:.4f})")
    typer.echo(f"report: {out / 'report.html'}")


def _action_counts(text: str) -> tuple[int, ...]:
    """``--reviewer-actions``: comma-separated whole numbers >= 0, or 'none'."""
    if text.strip().lower() in ("none", ""):
        return ()
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdecimal() for part in parts):
        raise typer.BadParameter(f"--reviewer-actions takes whole numbers >= 0 separated by commas (e.g. 0,5,10,30) or 'none', not {text!r}")
    return tuple(int(part) for part in parts)


def _echo_reviewer_curve(metrics: dict) -> None:
    """The simulated reviewer's record F1 per held-out template."""
    curve = metrics.get("reviewer_curve", {})
    if curve.get("available"):
        typer.echo("simulated reviewer, record F1 after N actions (answers applied / retrained):")
        for template, result in curve["per_template"].items():
            points = "  ".join(f"{p['actions']}: {p['f1_applied']:.3f}/{p['f1_retrained']:.3f}" for p in result["points"])
            typer.echo(f"  {template}: {points}")


def _echo_generalisation(metrics: dict) -> None:
    """Record F1 on layouts the models were not trained on."""
    loto = metrics.get("leave_one_template_out", {})
    if loto.get("available"):
        per = "  ".join(f"{t}: {s['f1']:.3f}" for t, s in loto["per_template"].items())
        typer.echo(f"leave-one-template-out record F1 {loto['f1']:.3f}  ({per})")
        kinds = loto["augmented"]["per_kind"]
        typer.echo(
            f"augmented variants mean record F1 {loto['augmented']['mean_f1']:.3f}  ("
            + "  ".join(f"{k}: {s['f1']:.3f}" for k, s in kinds.items()) + ")"
        )
        calibration = loto.get("record_confidence", {})
        if calibration.get("available"):
            typer.echo("record confidence per held-out template (calibrated on the other templates):")
            for template, s in calibration["per_template"].items():
                fixed = s["fixed_threshold"]
                typer.echo(
                    f"  {template}: ECE {s['ece']:.3f}; best threshold queues {s['queue_share']:.1%} of records, "
                    f"catches {s['wrong_caught']:.1%} of wrong ones; the other templates' threshold "
                    f"{fixed['threshold']:.3f} queues {fixed['queue_share']:.1%}, catches {fixed['wrong_caught']:.1%}"
                )
    real = metrics.get("real_tables", {})
    if real.get("available"):
        per = "  ".join(f"{d}: {s['f1']:.3f}" for d, s in real["per_document"].items())
        typer.echo(f"real tables of other provinces record F1 {real['f1']:.3f}  ({per})")


def _mount_review() -> None:
    from extractor.review.cli import review_app

    app.add_typer(review_app, name="review")


# `extract` never needs the review client (httpx, the Label Studio SDK: a
# second of imports in every run); every other command line mounts it.
if sys.argv[1:2] != ["extract"]:
    _mount_review()


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="extractor")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
