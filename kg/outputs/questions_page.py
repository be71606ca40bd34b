"""The canned questions as a page beside ``imrkg serve``: each opens, ready to run, in the
Oxigraph server's query editor (YASGUI reads a query and endpoint from the page address's
``#query=…&endpoint=…``), so a person starts from the 30-odd questions instead of a blank editor.

The SPARQL of each is what ``imrkg query NAME`` runs on that store with the question's defaults
(:func:`kg.stores.queries.plan`: over the statistics when they answer it, else the letter graphs).
One self-contained file, no script: it is written into the store folder and opened from disk.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from kg.graph.questions import load_questions
from kg.stores.queries import plan

QUESTIONS_PAGE = "imrkg-questions.html"  # in the served store's folder


def questions_page(target, url: str) -> str:
    """The page for a server at ``url`` (``http://127.0.0.1:7878``) serving ``target``'s store."""
    endpoint = f"{url}/query"
    rows = []
    for name, q in load_questions().items():
        try:
            sparql, why = plan(target, q)
        except Exception as err:  # a question that cannot be planned is listed, not fatal
            rows.append(f"<li><b>{escape(q.title)}</b> ({escape(name)}): not available: {escape(str(err))}</li>")
            continue
        link = f"{url}/#query={quote(sparql, safe='')}&endpoint={quote(endpoint, safe='')}"
        read = "the letter graphs" if why else "the statistics"
        rows.append(
            f"<li><a href='{escape(link)}'>{escape(q.title)}</a> <code>{escape(name)}</code>"
            f"<br><span class='q'>{escape(q.question)}</span> <span class='meta'>(reads {read})</span></li>"
        )
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>imrkg: canned questions</title>",
            "<style>body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d2733; }",
            " li { margin: .6rem 0; } .q { color: #33414f; } .meta, code { color: #6a7a8a; font-size: .85rem; }",
            " a { color: #2f5d8a; }</style></head><body>",
            f"<h1>Canned questions</h1><p>Each opens in the query page of <a href='{escape(url)}/'>{escape(url)}</a>",
            " with its SPARQL ready to run (the defaults of <code>imrkg query NAME</code>; change a value",
            " in the editor). Filters and parameters: <code>imrkg query NAME --help</code>.</p><ol>",
            *rows,
            "</ol></body></html>\n",
        ]
    )


__all__ = ["QUESTIONS_PAGE", "questions_page"]
