"""Typer sub-app ``extractor review serve|push|pull`` (thin wrappers)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from extractor.clitools import run_or_exit
from extractor.review.pull import pull_annotations
from extractor.review.push import push_queue
from extractor.review.server import start_server
from extractor.review.settings import ReviewSettings, load_settings

review_app = typer.Typer(
    help="Review low-confidence rows in Label Studio: serve, push the queue, pull corrections.",
    no_args_is_help=True,
)



def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    *,
    host: str | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
    settings: ReviewSettings | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Start the local Label Studio, print how to log in, block until Ctrl-C."""
    settings = settings or load_settings()
    chosen_port = settings.port if port is None else port
    # Stop the server on `kill` or a closed terminal too, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    with start_server(
        host=host or settings.host,
        port=chosen_port or None,
        data_dir=data_dir or settings.data_dir,
        username=settings.username,
    ) as server:
        echo(f"Label Studio is up at {server.url}")
        echo(f"  login e-mail: {server.username}")
        echo(f"  password:     {server.password}")
        echo(f"  API token:    {server.api_key}")
        echo(f"  data folder:  {server.data_dir}  (log: {server.log_path.name})")
        echo("push/pull find this server by itself; elsewhere set "
             f"LABEL_STUDIO_URL={server.url} LABEL_STUDIO_API_KEY={server.api_key}")  # fmt: skip
        echo("Press Ctrl-C to stop.")
        try:
            while server.running():
                time.sleep(1)
        except KeyboardInterrupt:
            echo("stopping Label Studio ...")
        if not server.running() and server.process.returncode not in (0, None, -15):
            echo(
                f"Label Studio exited with code {server.process.returncode}; see {server.log_path}"
            )


@review_app.command("serve")
def serve_cmd(
    port: Annotated[
        int | None,
        typer.Option(help="Port (0 = a free one; default from configs/review.toml)."),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Label Studio data folder (default review/.label-studio)."),
    ] = None,
) -> None:
    """Start a local Label Studio for reviewers (installs it on first use)."""
    run_or_exit(lambda: serve(host=host, port=port, data_dir=data_dir, echo=typer.echo))


@review_app.command("push")
def push_cmd(
    out_dir: Annotated[
        Path,
        typer.Argument(help="Extraction output folder holding review_queue.jsonl."),
    ],
    project: Annotated[
        str | None, typer.Option(help="Label Studio project name.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Queue rows with confidence below this.")
    ] = None,
    annotations: Annotated[
        Path | None,
        typer.Option(help="Annotations folder (reviewed rows are skipped)."),
    ] = None,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all-rows", help="Read every row (rows.parquet; extract with --keep-context) instead of review_queue.jsonl."
        ),
    ] = False,
) -> None:
    """Queue low-confidence rows for review, most uncertain first."""
    result = run_or_exit(lambda: push_queue(out_dir, project=project, threshold=threshold,
                                     annotations_dir=annotations, all_rows=all_rows))  # fmt: skip
    typer.echo(
        f"project {result.project!r} (id {result.project_id}{', created' if result.created_project else ''}): "
        f"pushed {result.pushed}, skipped {result.skipped} "
        f"({result.skipped_existing} already queued, {result.skipped_reviewed} already reviewed, "
        f"{result.skipped_confident} at/above threshold {result.threshold:g}, "
        f"{result.skipped_duplicate} duplicate keys, {result.skipped_covered} left to table tasks, "
        f"{result.skipped_header} header cells)"
    )
    if result.tables_project_id is not None or result.tables_skipped_reviewed or result.tables_skipped_too_wide:
        typer.echo(
            f"project {result.tables_project!r} (id {result.tables_project_id}): pushed {result.tables_pushed} "
            f"table(s), most expected gain first ({result.tables_skipped_existing} already queued, "
            f"{result.tables_skipped_reviewed} already reviewed, {result.tables_skipped_too_wide} too wide)"
        )


@review_app.command("pull")
def pull_cmd(
    project: Annotated[
        str | None, typer.Option(help="Label Studio project name.")
    ] = None,
    annotations: Annotated[
        Path | None,
        typer.Option(help="Annotations folder (writes reviews/reviews.jsonl)."),
    ] = None,
) -> None:
    """Append finished reviews to annotations/reviews/reviews.jsonl."""
    result = run_or_exit(
        lambda: pull_annotations(project=project, annotations_dir=annotations)
    )
    typer.echo(
        f"project {result.project!r}: {result.new} new review(s): {result.confirmed} confirmed, "
        f"{result.corrected} corrected; {result.already} already pulled, {result.cancelled} skipped tasks "
        f"-> {result.path}"
    )
    if result.tables_new:
        typer.echo(f"{result.tables_new} new table review(s) -> {result.tables_path}")


if __name__ == "__main__":
    review_app()
