"""The report's plots as PNG bytes (matplotlib, no display needed, ASCII text only).

Figures are built with the object API on an Agg canvas, so nothing touches
pyplot's global state or needs a CJK font.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

PLOT_NAMES: tuple[str, ...] = ("reliability", "review_curve", "confusion", "per_document")
_DPI = 110


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """``data:image/png;base64,…`` for embedding in HTML."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def reliability_plot(bins: Sequence[Mapping[str, Any]], ece: float) -> bytes:
    """Accuracy against mean confidence per confidence bin, with the bin sizes below."""
    fig = Figure(figsize=(6, 6))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    lows = np.array([b["lower"] for b in bins])
    width = float(bins[0]["upper"] - bins[0]["lower"]) if bins else 0.1
    filled = [b for b in bins if b["count"]]
    top.bar([b["lower"] for b in filled], [b["accuracy"] for b in filled], width=width, align="edge",
            color="#4c78a8", edgecolor="white", label="accuracy in bin")
    top.plot([b["confidence"] for b in filled], [b["accuracy"] for b in filled], "o", color="#f58518", label="mean confidence")
    top.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    top.set(xlim=(0, 1), ylim=(0, 1.02), ylabel="share of rows labelled right", title=f"Reliability diagram (ECE = {ece:.3f})")
    top.legend(loc="upper left", fontsize=8)
    bottom.bar(lows, [b["count"] for b in bins], width=width, align="edge", color="#72b7b2", edgecolor="white")
    bottom.set(xlabel="model confidence", ylabel="rows")
    if any(b["count"] for b in bins):
        bottom.set_yscale("log")
    return _png(fig)


def review_curve_plot(curve: Sequence[Mapping[str, Any]], chosen: Mapping[str, Any]) -> bytes:
    """Share of wrong rows caught against share of rows queued, whole range and zoomed on the choice."""
    fig = Figure(figsize=(10, 4.2))
    axes = fig.subplots(1, 2)
    x = [p["queue_share"] for p in curve]
    y = [p["errors_caught"] for p in curve]
    zoom = min(1.0, max(0.05, 3 * chosen["queue_share"]))
    for ax, xmax, title in ((axes[0], 1.0, "Whole curve"), (axes[1], zoom, "Near the chosen threshold")):
        ax.step(x, y, where="post", color="#4c78a8")
        ax.axhline(chosen["target"], ls="--", color="grey", lw=1)
        ax.plot([chosen["queue_share"]], [chosen["errors_caught"]], "o", color="#e45756")
        ax.annotate(
            f"threshold {chosen['threshold']:.3f}\n{chosen['queue_share']:.1%} queued, {chosen['errors_caught']:.1%} caught",
            (chosen["queue_share"], chosen["errors_caught"]), textcoords="offset points", xytext=(8, -32), fontsize=8,
        )
        ax.set(xlim=(0, xmax), ylim=(0, 1.02), xlabel="share of rows sent to review", ylabel="share of wrong rows caught", title=title)
    return _png(fig)


def reviewer_curve_plot(per_template: Mapping[str, Mapping[str, Any]]) -> bytes:
    """Record F1 of each held-out template against simulated reviewer actions, answers applied and retrained."""
    fig = Figure(figsize=(6, 4.2))
    ax = fig.subplots()
    for k, (template, result) in enumerate(sorted(per_template.items())):
        colour = f"C{k}"
        actions = [p["actions"] for p in result["points"]]
        ax.plot(actions, [p["f1_retrained"] for p in result["points"]], "o-", color=colour, label=f"{template} (retrained)")
        ax.plot(actions, [p["f1_applied"] for p in result["points"]], "x--", color=colour, label=f"{template} (answers applied)")
    ax.set(xlabel="reviewer actions (table or cell tasks, review order)", ylabel="record F1 on the held-out template",
           title="Simulated reviewer", ylim=(None, 1.005))
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


def confusion_plot(confusion: Sequence[Sequence[int]], labels: Sequence[str]) -> bytes:
    """Counts of gold (rows) against predicted (columns) labels, shaded by share of the gold label."""
    matrix = np.asarray(confusion, dtype=float)
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.subplots()
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{int(matrix[i, j])}", ha="center", va="center", color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=30)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(xlabel="predicted label", ylabel="right label", title="Confusion matrix (row units)")
    return _png(fig)


def per_document_plot(per_document: Mapping[str, Mapping[str, Any]], scores: Sequence[str]) -> bytes:
    """Grouped bars: each score of each document (missing scores are left out)."""
    docs = sorted(per_document)
    fig = Figure(figsize=(max(6.0, 1.6 * len(docs) + 2), 4.2))
    ax = fig.subplots()
    width = 0.8 / max(len(scores), 1)
    for k, score in enumerate(scores):
        xs = [i + k * width for i, d in enumerate(docs) if per_document[d].get(score) is not None]
        ys = [per_document[d][score] for d in docs if per_document[d].get(score) is not None]
        bars = ax.bar(xs, ys, width=width, label=score)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(docs))], [d.split("_")[0] for d in docs])
    ax.set(ylim=(0, 1.12), xlabel="document (id prefix)", ylabel="score", title="Scores per document")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(fig)
