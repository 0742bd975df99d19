"""Write ``metrics.json``, the PNG plots and a self-contained ``report.html``.

The report is one file (inline CSS, plots as data URIs) meant for someone who
has never seen the code: every section starts with a short "how to read this".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from extractor.atomic import write_bytes_atomic
from extractor.evaluation.plots import data_uri

METRICS_FILE = "metrics.json"
REPORT_FILE = "report.html"
# (anchor, heading) of every report section, in order.
REPORT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("rows", "Row labels"),
    ("confusion", "Confusion matrix"),
    ("per-document", "Per-document scores"),
    ("calibration", "Calibration"),
    ("review", "Review threshold"),
    ("records", "Indicator records"),
    ("sections", "Section headings"),
    ("about", "About this evaluation"),
)
_HOW = {
    "summary": "The headline numbers. Each is explained in its own section below. Scores run from 0 (useless) to 1 (perfect).",
    "rows": (
        "The classifier gives every non-empty cell of a performance table (a <em>row unit</em>) one of four labels: "
        "<b>activity</b> (a duty or project name), <b>indicator</b> (what is measured), <b>threshold</b> (the target "
        "value or grade standard) and <b>other</b>. <b>Precision</b>: of the cells the model gave this label, the share "
        "that really have it. <b>Recall</b>: of the cells that really have this label, the share the model found. "
        "<b>F1</b> combines both. <b>Macro-F1</b> is the plain average of the labels' F1, so a rare label counts as "
        "much as a common one. <b>Support</b> is the number of cells with that right label."
    ),
    "confusion": (
        "Each row is the right label, each column the label the model gave. The diagonal holds the cells labelled "
        "right; every number off the diagonal is a mistake, e.g. row <em>threshold</em>, column <em>other</em> counts "
        "thresholds the model missed. Shading in the picture is the share of the row."
    ),
    "per-document": (
        "The same scores for each document on its own. A document much worse than the others usually has a table "
        "layout the training data does not cover yet: it is the first place to add annotations."
    ),
    "calibration": (
        "A model is <b>calibrated</b> when its confidence means what it says: of the cells labelled with 80% confidence, "
        "about 80% should be right. Cells are grouped by confidence; for each group the table shows how many there are, "
        "their average confidence and the share labelled right. In the diagram, bars below the dashed diagonal mean "
        "the model is over-confident, bars above it under-confident. <b>ECE</b> (expected calibration error) is the "
        "average gap between confidence and accuracy, weighted by group size: 0 is perfect, 0.05 is good."
    ),
    "review": (
        "Cells whose confidence is below the <b>review threshold</b> go to the review queue for a person to check. "
        "A higher threshold queues more cells and catches more of the model's mistakes. For each threshold the curve "
        "shows the share of all cells sent to review (left to right) and the share of wrong cells among them (bottom "
        "to top). The default threshold is the smallest queue that still catches at least the target share of the "
        "wrong cells. <b>Missed error rate</b> is the share of wrong cells among those <em>not</em> sent to review: "
        "what a user gets unchecked."
    ),
    "records": (
        "What users finally get: one record per performance indicator, with its activity and thresholds. Each output "
        "record is compared to hand-checked expected records (same document, line and indicator text). A record is "
        "<b>right</b> only when its activity, indicator and every threshold are right. <b>Precision</b>: share of "
        "output records that are right; <b>recall</b>: share of expected records produced right. <b>Thresholds exact</b>: "
        "among records found, the share whose thresholds are all exactly right. Missing and extra records, and wrong "
        "fields, are listed under Mistakes."
    ),
    "sections": (
        "The document outline (headings such as 一、部门职责 and their nesting level) compared with hand-checked "
        "headings. <b>Precision</b>: share of detected headings that are real; <b>recall</b>: share of real headings "
        "detected; <b>level accuracy</b>: among headings found, the share placed at the right depth."
    ),
    "about": "What was evaluated, on which data, and how.",
}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;vertical-align:top}
th{background:#f3f3f3}td.t,th.t{text-align:left}
p.how{background:#f6f8fa;border-left:4px solid #4c78a8;padding:.5em .8em;font-size:.92em}
img{max-width:100%;height:auto;border:1px solid #eee}
nav a{margin-right:1em}.note{color:#777}
"""


def write_outputs(out_dir: Path, metrics: Mapping[str, Any], plots: Mapping[str, bytes]) -> list[Path]:
    """Write metrics.json, one PNG per plot and report.html into ``out_dir`` (atomically)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in plots.items():
        write_bytes_atomic(out_dir / f"{name}.png", png)
        written.append(out_dir / f"{name}.png")
    write_bytes_atomic(out_dir / METRICS_FILE, (json.dumps(metrics, ensure_ascii=False, indent=2) + "\n").encode())
    write_bytes_atomic(out_dir / REPORT_FILE, render_report(metrics, plots).encode())
    return [*written, out_dir / METRICS_FILE, out_dir / REPORT_FILE]


# --- formatting -----------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], text_cols: int = 1) -> str:
    """An HTML table; the first ``text_cols`` columns are left-aligned text, cells are pre-formatted strings."""

    def cell(tag: str, k: int, value: Any) -> str:
        cls = ' class="t"' if k < text_cols else ""
        return f"<{tag}{cls}>{value}</{tag}>"

    head = "".join(cell("th", k, escape(h)) for k, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", k, v) for k, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _img(plots: Mapping[str, bytes], name: str, alt: str) -> str:
    return f'<p><img src="{data_uri(plots[name])}" alt="{escape(alt)}"></p>' if name in plots else ""


# --- sections -------------------------------------------------------------------


def _summary(m: Mapping[str, Any]) -> str:
    review, records, sections = m["review"], m["records"], m["sections"]
    rows = [
        ("Evaluation", escape(m["evaluation"])),
        ("Model", f"{_fmt(m['model'].get('version'))} ({_fmt(m['model'].get('backend'))})"),
        ("Row units evaluated", _fmt(m["rows"]["n"])),
        ("Row-label macro-F1", _fmt(m["rows"]["macro_f1"])),
        ("Row-label accuracy", _pct(m["rows"]["accuracy"])),
        ("Expected calibration error", _fmt(m["calibration"]["ece"])),
        ("Review threshold", _fmt(review["threshold"])),
        ("Rows sent to review at that threshold", f"{review['queue_size']} ({_pct(review['queue_share'])})"),
        ("Wrong rows caught by the review queue", f"{_pct(review['errors_caught'])} (target {_pct(review['target'])})"),
        ("Record F1", _fmt(records.get("f1"))),
        ("Records with exactly right thresholds", _pct(records.get("thresholds_exact"))),
        ("Section-heading F1 / level accuracy", f"{_fmt(sections.get('f1'))} / {_fmt(sections.get('level_accuracy'))}"),
    ]
    if "headerless" in m:
        rows.append(("Row-label macro-F1 with every header removed", _fmt(m["headerless"]["macro_f1"])))
    return _table(("Figure", "Value"), rows)


def _rows(m: Mapping[str, Any], _plots: Mapping[str, bytes]) -> str:
    r = m["rows"]
    body = [
        (escape(label), _fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f1"]), _fmt(s["support"]))
        for label, s in r["per_label"].items()
    ]
    body.append(("<b>macro average</b>", "", "", f"<b>{_fmt(r['macro_f1'])}</b>", _fmt(r["n"])))
    return _table(("Label", "Precision", "Recall", "F1", "Support"), body) + f"<p>Accuracy (share of all cells labelled right): {_pct(r['accuracy'])}.</p>"


def _confusion(m: Mapping[str, Any], plots: Mapping[str, bytes]) -> str:
    labels, matrix = m["rows"]["labels"], m["rows"]["confusion"]
    body = [(f"<b>{escape(label)}</b>", *map(_fmt, counts), _fmt(sum(counts))) for label, counts in zip(labels, matrix, strict=True)]
    header = ("right label \\ predicted", *labels, "total")
    return _table(header, body) + _img(plots, "confusion", "confusion matrix")


_DOC_SCORES = (
    ("units", "Row units"),
    ("row_macro_f1", "Row macro-F1"),
    ("row_accuracy", "Row accuracy"),
    ("ece", "ECE"),
    ("record_precision", "Record precision"),
    ("record_recall", "Record recall"),
    ("record_f1", "Record F1"),
    ("section_f1", "Section F1"),
    ("section_level_accuracy", "Section level accuracy"),
)


def _per_document(m: Mapping[str, Any], plots: Mapping[str, bytes]) -> str:
    body = [(escape(doc), *(_fmt(s.get(k)) for k, _ in _DOC_SCORES)) for doc, s in sorted(m["per_document"].items())]
    return _table(("Document", *(h for _, h in _DOC_SCORES)), body) + _img(plots, "per_document", "per-document scores")


def _calibration(m: Mapping[str, Any], plots: Mapping[str, bytes]) -> str:
    c = m["calibration"]
    body = [
        (f"{b['lower']:.1f} – {b['upper']:.1f}", _fmt(b["count"]), _fmt(b["confidence"]), _fmt(b["accuracy"]),
         _fmt(None if b["accuracy"] is None else b["accuracy"] - b["confidence"]))
        for b in c["bins"]
    ]
    table = _table(("Confidence", "Cells", "Mean confidence", "Share right", "Gap (right − confidence)"), body)
    return f"<p>Expected calibration error: <b>{_fmt(c['ece'])}</b>.</p>" + table + _img(plots, "reliability", "reliability diagram")


def _review(m: Mapping[str, Any], plots: Mapping[str, bytes]) -> str:
    r = m["review"]
    chosen = (
        f"<p>Chosen threshold: <b>{_fmt(r['threshold'])}</b>. It sends <b>{r['queue_size']}</b> of {r['n_rows']} cells "
        f"({_pct(r['queue_share'])}) to review and catches <b>{_pct(r['errors_caught'])}</b> of the {r['n_wrong']} wrong "
        f"cells; {_pct(r['missed_error_rate'], 2)} of the cells left out of the queue are wrong.</p>"
    )
    if not r["reached"]:
        chosen += f"<p class=note>No threshold reaches the target of {_pct(r['target'])}: some wrong cells have confidence 1.</p>"

    def points(curve: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
        return [(_fmt(p["threshold"]), f"{p['queue_size']} ({_pct(p['queue_share'])})", f"{p['caught']} ({_pct(p['errors_caught'])})",
                 _pct(p["missed_error_rate"], 2)) for p in curve]

    header = ("Threshold", "Cells queued", "Wrong cells caught", "Missed error rate")
    return (
        chosen
        + _img(plots, "review_curve", "review trade-off curve")
        + "<h3>At round thresholds</h3>" + _table(header, points(r["standard_thresholds"]))
        + "<h3>Every threshold where another wrong cell is caught</h3>" + _table(header, points(r["curve"]))
    )


def _records(m: Mapping[str, Any], _plots: Mapping[str, bytes]) -> str:
    r = m["records"]
    if not r.get("available"):
        return f"<p class=note>Not evaluated: {escape(r.get('note', ''))}</p>"
    keys = ("expected", "predicted", "matched", "correct", "missing", "extra", "precision", "recall", "f1", "thresholds_exact", "activity_accuracy")
    pooled = _table(("", *keys), [("<b>all documents</b>", *(_fmt(r[k]) for k in keys))])
    per_doc = _table(("Document", *keys), [(escape(d), *(_fmt(s[k]) for k in keys)) for d, s in sorted(r["per_document"].items())])
    scope = "".join(f"<li>{escape(d)}: lines {', '.join(f'{lo}–{hi}' for lo, hi in ranges)}</li>" for d, ranges in r["scope"].items())
    scope_note = f"<p>Only part of these documents was checked by hand; only records on these lines count:</p><ul>{scope}</ul>" if scope else ""
    review = (
        f"<p>{_pct(r['needs_review_share'])} of output records are flagged <code>needs_review</code>; "
        f"{_pct(r['wrong_flagged_share'])} of the wrong or extra ones are.</p>"
    )

    def side(value: Mapping[str, Any] | None) -> str:
        if value is None:
            return "–"
        grades = "; ".join(f"{escape(k)}: {escape(str(v))}" for k, v in value["thresholds"].items())
        return f"activity: {escape(str(value['activity']))}<br>{grades}"

    mistakes = _table(
        ("Document", "Line", "Indicator", "What is wrong", "Expected", "Output"),
        [(escape(x["doc_id"]), _fmt(x["line"]), escape(x["indicator"]), escape(x["wrong"]), side(x["expected"]), side(x["predicted"]))
         for x in r["mistakes"]],
        text_cols=6,
    )
    return pooled + scope_note + review + "<h3>Per document</h3>" + per_doc + f"<h3>Mistakes ({len(r['mistakes'])} shown)</h3>" + mistakes


def _sections(m: Mapping[str, Any], _plots: Mapping[str, bytes]) -> str:
    s = m["sections"]
    if not s.get("available"):
        return f"<p class=note>Not evaluated: {escape(s.get('note', ''))}</p>"
    keys = ("expected", "predicted", "matched", "precision", "recall", "f1", "level_accuracy", "type_accuracy")
    rows = [("<b>all documents</b>", *(_fmt(s[k]) for k in keys), "", "")]
    rows += [
        (escape(d), *(_fmt(x[k]) for k in keys), _fmt(", ".join(map(str, x["missing_lines"]))), _fmt(", ".join(map(str, x["extra_lines"]))))
        for d, x in sorted(s["per_document"].items())
    ]
    return _table(("Document", *keys, "Headings missed (lines)", "Not headings (lines)"), rows)


def _about(m: Mapping[str, Any], _plots: Mapping[str, bytes]) -> str:
    how = {
        "leave-one-document-out": (
            "Leave-one-document-out cross-validation: each document is labelled by a model trained only on the other "
            "documents' annotations, so every score is measured on a document the model has not seen."
        ),
        "held-out": "Held-out evaluation: the given model labelled the given documents; none of the scores uses a model trained on them unless the model's training data included them.",
    }[m["evaluation"]]
    data = m.get("data", {})
    rows = [
        ("Evaluation", escape(how)),
        ("Model", escape(json.dumps(m["model"], ensure_ascii=False))),
        ("Annotations", escape(str(data.get("annotations", "")))),
        ("Documents", escape(", ".join(data.get("documents", [])))),
        ("Annotation fingerprint (sha256)", escape(str(data.get("fingerprint", "")))),
        ("Created", escape(str(m.get("created", "")))),
    ]
    return _table(("", ""), rows, text_cols=2) + "<p>The same numbers are in <code>metrics.json</code> next to this file.</p>"


_RENDERERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, bytes]], str]] = {
    "summary": lambda m, _p: _summary(m),
    "rows": _rows,
    "confusion": _confusion,
    "per-document": _per_document,
    "calibration": _calibration,
    "review": _review,
    "records": _records,
    "sections": _sections,
    "about": _about,
}


def render_report(metrics: Mapping[str, Any], plots: Mapping[str, bytes]) -> str:
    """The whole report as one HTML string."""
    nav = "".join(f'<a href="#{a}">{escape(h)}</a>' for a, h in REPORT_SECTIONS)
    parts = [
        f'<section id="{anchor}"><h2>{escape(heading)}</h2><p class="how"><b>How to read this.</b> {_HOW[anchor]}</p>'
        f"{_RENDERERS[anchor](metrics, plots)}</section>"
        for anchor, heading in REPORT_SECTIONS
    ]
    title = f"Evaluation of row classifier {metrics['model'].get('version') or ''}".strip()
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{_CSS}</style></head>'
        f"<body><h1>{escape(title)}</h1><nav>{nav}</nav>{''.join(parts)}</body></html>\n"
    )
