"""Canned questions -> one self-contained HTML report: a chart and a table per question
(``imrkg report``).

What the report shows is data, not code: ``kg/data/report.json`` lists the sections, each one
canned question (answered with :func:`kg.stores.queries.ask`, the same filters on all) and how to draw
it. Charts are matplotlib SVG written into the page, text kept as text: the file opens offline,
needs no script and no network, and every number is also in the table under its chart, with
the SPARQL that answered one click away.
"""

from __future__ import annotations

import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from kg.base.resources import data_file
from kg.base.version import __version__
from kg.graph.questions import load_questions
from kg.outputs.export import shorten
from kg.stores.queries import Answer, ask

_COLOURS = ("#c9d6e8", "#2f5d8a", "#7ea6cf")  # background bar, foreground bar, a third series
OUTCOME_COLOURS = {"upheld": "#b2432f", "overturned": "#2f7d4a"}  # one colour an outcome, in every chart
_ROWS_SHOWN = 25  # table rows shown before "all rows"


@dataclass(frozen=True, slots=True)
class Section:
    """One question of the report as it was answered and drawn."""

    name: str
    title: str
    question: str
    answer: Answer
    svg: str


def sections_spec() -> list[dict]:
    """The report's sections, from ``kg/data/report.json``."""
    return json.loads(data_file("report.json").read_text(encoding="utf-8"))["sections"]


def build_report(target, params: dict[str, str] | None = None, *, folders: tuple = ()) -> list[Section]:
    """Answer and draw every section (``params`` are filters every question takes)."""
    questions = load_questions(folders)
    out = []
    for spec in sections_spec():
        q = questions[spec["question"]]
        answer = ask(target, q, params or {})
        out.append(Section(q.name, q.title, q.question, answer, _chart(spec, answer)))
    return out


# -- charts -------------------------------------------------------------------------------------
def _label(spec: dict, record: dict) -> str:
    parts = [record.get(c) for c in spec["label"]]
    if "label_format" in spec:
        return spec["label_format"].format(*parts)
    return " ".join("" if p is None else str(p) for p in parts) or "(none)"


def _series(spec: dict, answer: Answer) -> tuple[list[str], list[list[float]]]:
    """(labels, one list of values per column of ``values``), summed by label where asked,
    largest first unless the question's own order is kept, at most ``top`` rows."""
    columns = spec.get("values") or [spec["bars"], spec["line"]]
    table: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(columns))
    order: list[str] = []
    for record in answer.records():
        label = _label(spec, record)
        if label not in table:
            order.append(label)
        values = [float(record.get(c) or 0) for c in columns]
        if spec.get("sum_by"):
            table[label] = [a + b for a, b in zip(table[label], values, strict=True)]
        else:
            table[label] = values
    if not spec.get("keep_order") and spec["kind"] != "trend":
        order.sort(key=lambda k: -table[k][0])
    order = order[: spec.get("top", len(order))]
    return order, [[table[k][i] for k in order] for i in range(len(columns))]


def _chart(spec: dict, answer: Answer) -> str:
    """The section's chart as SVG text ("" when the answer has no rows)."""
    if not answer.rows:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    labels, series = _series(spec, answer)
    if spec["kind"] == "trend":
        fig, ax = plt.subplots(figsize=(8, 3.2))
        x = range(len(labels))
        ax.bar(x, series[0], color=_COLOURS[0], label=spec["bars"])
        ax.set_ylabel(spec["bars"])
        ax.set_xticks(
            list(x), labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center"
        )
        line = ax.twinx()
        line.plot(list(x), series[1], color=_COLOURS[1], marker="o", label=spec.get("line_label", spec["line"]))
        line.set_ylabel(spec.get("line_label", spec["line"]))
        line.set_ylim(0, 100)
        fig.legend(loc="upper left", frameon=False, ncols=2)
    else:
        height = max(1.6, 0.32 * len(labels) + 0.8) if spec["kind"] == "barh" else 3.0
        fig, ax = plt.subplots(figsize=(8, height))
        positions = list(range(len(labels)))
        for i, (values, name) in enumerate(zip(series, spec["value_labels"], strict=True)):
            # an outcome has one colour in every chart, whichever series draws it
            colour = OUTCOME_COLOURS.get(name, _COLOURS[min(i, len(_COLOURS) - 1)])
            if spec["kind"] == "barh":
                ax.barh(positions, values, color=colour, label=name)
            else:
                ax.bar(positions, values, color=colour, label=name)
        if spec["kind"] == "barh":
            ax.set_yticks(positions, [shorten(lbl, 48) for lbl in labels])
            ax.invert_yaxis()
            for pos, value in zip(positions, series[0], strict=True):
                ax.annotate(
                    f"{value:g}", (value, pos), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
                )
        else:
            ax.set_xticks(positions, labels)
        if len(series) > 1:
            ax.legend(frameon=False, loc="lower right" if spec["kind"] == "barh" else "upper right")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


# -- the page -----------------------------------------------------------------------------------
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d2733; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; } .q { color: #4a5a6a; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
td, th { border-bottom: 1px solid #dde3ea; padding: 0.15rem 0.6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } pre { background: #f4f6f8; padding: 0.6rem;
overflow-x: auto; font-size: 0.75rem; } .note { color: #8a5a00; } figure { margin: 0; }
nav a { margin-right: 0.8rem; }
"""


def _table(answer: Answer) -> str:
    def row(values: list, tag: str = "td") -> str:
        cells = []
        for v in values:
            cls = ' class="n"' if isinstance(v, int | float) and not isinstance(v, bool) else ""
            cells.append(f"<{tag}{cls}>{html.escape('' if v is None else str(v))}</{tag}>")
        return "<tr>" + "".join(cells) + "</tr>"

    head = row(answer.columns, "th")
    shown = "".join(row(r) for r in answer.rows[:_ROWS_SHOWN])
    text = f"<table>{head}{shown}</table>"
    if len(answer.rows) > _ROWS_SHOWN:
        rest = "".join(row(r) for r in answer.rows[_ROWS_SHOWN:])
        text += f"<details><summary>all {len(answer.rows)} rows</summary><table>{head}{rest}</table></details>"
    return text


def report_html(sections: list[Section], *, source: str, params: dict[str, str] | None = None) -> str:
    """The report as one HTML page (no external resource)."""
    filters = ", ".join(f"{k}={v}" for k, v in (params or {}).items()) or "none"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>IMR decisions: report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>California IMR decisions</h1>",
        f"<p>From {html.escape(source)}; filters: {html.escape(filters)}; made {stamp} by imr-kg {__version__}.</p>",
        "<nav>" + "".join(f"<a href='#{s.name}'>{html.escape(s.title)}</a>" for s in sections) + "</nav>",
    ]
    for s in sections:
        note = (
            f"<p class='note'>Answered from the letter graphs: {html.escape(s.answer.why)}</p>" if s.answer.why else ""
        )
        chart = f"<figure>{s.svg}</figure>" if s.svg else "<p class='note'>No decisions match.</p>"
        parts += [
            f"<section id='{s.name}'><h2>{html.escape(s.title)}</h2><p class='q'>{html.escape(s.question)}</p>",
            note,
            chart,
            _table(s.answer),
            f"<details><summary>SPARQL ({html.escape(s.name)})</summary><pre>{html.escape(s.answer.sparql)}</pre></details>",
            "</section>",
        ]
    parts.append("</body></html>\n")
    return "\n".join(parts)


__all__ = ["Section", "build_report", "report_html", "sections_spec"]
