"""The letters behind a number: ``imrkg find [WORDS] [--param NAME=VALUE ...]`` lists decided
items, one row each, with the sentence that matched and its text-position IRI.

Two routes, one answer:

- **the word index** (:mod:`kg.building.words`, written by the build and copied into the store by
  ``imrkg load``): words through SQLite FTS5 (stemmed: "improvement" finds "improved"; phrases in
  double quotes; ``word*`` a prefix), filters as SQL on the facts kept beside the words. The
  sentences themselves are cut from the letter's text in the store (the index keeps none).
- **SPARQL** over the letter graphs, for a server without the index: the same filters as the
  canned questions' patterns (``kg/data/filters.json``), words as ``CONTAINS`` on the rationale
  and title (as written, no stemming; every rationale is read: slower, and said so).

Filters are the questions' own (:func:`kg.graph.questions.standard_filters`), resolved the same
way (:func:`kg.graph.concepts.resolve`: an unknown value is an error naming the closest names;
``treatment`` means the concept and every narrower one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.building.builddir import BuildDir
from kg.building.words import STOPWORDS, WordIndex, WordIndexError, indexed_words, term
from kg.graph.concepts import concepts, narrower, resolve
from kg.graph.iris import ID, IMR, compact, item_iri, letter_iri, reason_iri, split_letter_iri, text_position_iri
from kg.graph.questions import standard_filters
from kg.reading.reasons import sentences
from kg.stores.queries import _date, check_date_range, run
from kg.stores.store import WORDS_IN_STORE

ORDERS = ("date", "case")  # date: newest decision first; case: by case number
DEFAULT_LIMIT = 50
COLUMNS = ("case", "date", "item", "title", "category", "drug_class", "outcome", "reasons", "sentence", "position")
_TREATMENT_BASE = str(ID["treatment/"])


class FindError(ValueError):
    """A search that cannot be asked as given: the message says what to do."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One decided item: where it is, what it was, and the sentence that matched."""

    case: str
    date: str | None
    item: int
    title: str
    category: str | None
    drug_class: str | None
    outcome: str
    reasons: tuple[str, ...]
    sentence: str
    position: str | None  # the sentence's text-position IRI
    letter: str  # the letter's IRI

    def row(self) -> list:
        """The values of :data:`COLUMNS`."""
        return [self.case, self.date, self.item, self.title, self.category, self.drug_class, self.outcome,
                list(self.reasons), self.sentence, self.position]  # fmt: skip

    def as_dict(self) -> dict:
        """The hit with the item's IRI, for JSON."""
        return {**asdict(self), "reasons": list(self.reasons), "item_iri": str(item_iri(self.letter_key, self.item))}

    @property
    def letter_key(self) -> str:
        """The letter's key in IRIs (its case number, or sha256-…)."""
        return split_letter_iri(self.letter)[0]


@dataclass
class Found:
    """What a search found: up to ``limit`` hits, how many there are in all (None: not counted),
    the route it took and what the user should know (said on stderr by the CLI)."""

    hits: list[Hit]
    total: int | None
    route: str
    notes: list[str] = field(default_factory=list)


# -- the words ----------------------------------------------------------------------------------
_PIECE = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def word_pieces(words: str) -> list[tuple[str, bool]]:
    """The phrases and words of a search, each (its words joined by spaces, is a prefix): quoted
    text is a phrase, a word ending in ``*`` a prefix; punctuation is dropped (FTS5 would read it
    as syntax), and so are the words the index leaves out (:data:`kg.building.words.STOPWORDS`:
    "lack of improvement" finds the words "lack improvement" next to each other)."""
    out = []
    for m in _PIECE.finditer(words):
        if m.group(1) is not None:
            tokens = [t for t in _WORD.findall(m.group(1)) if t.lower() not in STOPWORDS]
            prefix = False
        else:
            tokens = [t for t in _WORD.findall(m.group(2)) if t.lower() not in STOPWORDS]
            prefix = m.group(2).endswith("*") and len(tokens) == 1
        if tokens:
            out.append((" ".join(tokens), prefix))
    return out


def fts_query(pieces: list[tuple[str, bool]]) -> str:
    """The FTS5 MATCH expression of :func:`word_pieces`: every piece required."""
    return " AND ".join(f'"{text}"' + (" *" if prefix else "") for text, prefix in pieces)


# -- the filters --------------------------------------------------------------------------------
FILTERS = tuple(standard_filters())


def _prepared(words: str, params: dict[str, str] | None, order: str) -> tuple[dict[str, str], list[tuple[str, bool]]]:
    """(the filters, the words' pieces) of a search, or :class:`FindError` saying what is wrong:
    what both routes check first."""
    params = dict(params or {})
    _check(params)
    if order not in ORDERS:
        raise FindError(f"no order {order!r}; choose {' or '.join(ORDERS)}")
    pieces = word_pieces(words)
    if words.strip() and not pieces:
        raise FindError(f"no word to search for in {words!r} (common words like 'the' and 'of' are not indexed)")
    return params, pieces


def _check(params: dict[str, str]) -> None:
    unknown = sorted(set(params) - set(FILTERS))
    if unknown:
        raise FindError(f"find takes no parameter {', '.join(unknown)}; it takes: {', '.join(FILTERS)}")
    check_date_range(params)


def _treatment_id(iri: str) -> str:
    return iri[len(_TREATMENT_BASE) :] if iri.startswith(_TREATMENT_BASE) else iri


def index_terms(name: str, value: str) -> list[str]:
    """The index terms a filter value stands for (any of them matches)."""
    kind = standard_filters()[name].kind
    if name == "section":
        return []  # matched by containment (_sql_filters)
    c = resolve(kind, value)
    if name == "outcome":
        return [term("outcome", c.label)]
    if name in ("category", "drug-class"):
        return [term(name, _treatment_id(c.iri))]
    if name == "treatment":
        own = _treatment_id(c.iri)
        ids = [_treatment_id(i) for i in narrower(c.iri)]
        return [term("concept", i) for i in ids] + [term(k, own) for k in ("subcategory", "category", "drug-class")]
    if name == "reason":
        return [term("reason", c.slug)]
    if name == "work":
        return [term("work", c.slug)]
    if name in ("chapter", "specialty"):
        return [term(name, compact(c.iri))]
    raise FindError(f"{name} is not a filter of the word index")


def _sql_filters(index: WordIndex, params: dict[str, str]) -> tuple[list[str], list, list[str]]:
    """(SQL conditions on items ``i`` and letters ``l``, their arguments, notes) for the filters."""
    where: list[str] = []
    args: list = []
    notes: list[str] = []
    for name, value in params.items():
        if name in ("from", "to"):
            where.append("l.decided >= ?" if name == "from" else "l.decided <= ?")
            args.append(_date(value, name).isoformat())
            continue
        if name == "section":
            ids = [r[0] for r in index.rows("SELECT id FROM terms WHERE value LIKE ?", (f"section:%{value.lower()}%",))]
        else:
            wanted = index_terms(name, value)
            marks = ",".join("?" * len(wanted))
            ids = [r[0] for r in index.rows(f"SELECT id FROM terms WHERE value IN ({marks})", tuple(wanted))]
        if not ids:
            notes.append(f"no item in the index has {name}={value}")
            where.append("0")
            continue
        marks = ",".join(str(int(i)) for i in ids)
        if name == "outcome":
            where.append(f"i.outcome IN ({marks})")
        elif name in ("category", "drug-class"):
            where.append(f"i.{name.replace('-', '_')} IN ({marks})")
        elif name == "treatment":
            where.append(
                f"(i.concept IN ({marks}) OR i.subcategory IN ({marks}) OR i.category IN ({marks}) "
                f"OR i.drug_class IN ({marks}))"
            )
        elif name == "specialty":
            where.append(f"EXISTS (SELECT 1 FROM letter_facts f WHERE f.term IN ({marks}) AND f.letter_id = l.id)")
        else:  # reason, work, chapter, section: facts of the item
            where.append(f"EXISTS (SELECT 1 FROM facts f WHERE f.term IN ({marks}) AND f.item = i.id)")
    return where, args, notes


# -- the index route ----------------------------------------------------------------------------
_ORDER_SQL = {"date": "l.decided IS NULL, l.decided DESC, l.key, i.number", "case": "l.key, i.number"}


def find_in_index(
    index: WordIndex,
    words: str = "",
    params: dict[str, str] | None = None,
    *,
    target=None,
    limit: int = DEFAULT_LIMIT,
    order: str = "date",
) -> Found:
    """Search the word index; sentences are cut from the letters' text in ``target`` (a store or
    server holding the same letters; without one, a hit's sentence is its title's or empty)."""
    params, pieces = _prepared(words, params, order)
    where, args, notes = _sql_filters(index, params)
    condition = " AND ".join(where) or "1"
    columns = (
        "l.key, l.decided, i.number, i.category, i.drug_class, i.outcome, i.reasons, "
        "i.title_start, i.title_end, i.rationale_start, i.rationale_end, i.id"
    )
    if pieces:
        # a passage's item: the greatest item id not above it; a passage past that item's last is
        # an orphan of a removed letter
        sql = (
            f"WITH hits AS (SELECT w.rowid AS p, (SELECT MAX(id) FROM items WHERE id <= w.rowid) AS item "
            f"FROM words w WHERE words MATCH ?) "
            f"SELECT {columns}, MIN(h.p) - i.id, COUNT(*) OVER () FROM hits h JOIN items i ON i.id = h.item "
            f"JOIN letters l ON l.id = i.letter_id WHERE h.p < i.id + i.passages AND {condition} "
            f"GROUP BY i.id ORDER BY {_ORDER_SQL[order]} LIMIT ?"
        )
        rows = list(index.rows(sql, (fts_query(pieces), *args, limit)))
    else:
        sql = (
            f"SELECT {columns}, NULL, COUNT(*) OVER () FROM items i JOIN letters l ON l.id = i.letter_id "
            f"WHERE {condition} ORDER BY {_ORDER_SQL[order]} LIMIT ?"
        )
        rows = list(index.rows(sql, (*args, limit)))
    total = rows[0][-1] if rows else 0
    labels = _labels(index)
    texts = letter_texts(target, {r[0] for r in rows}) if target is not None else {}
    reason = _reason_term(index, params)
    hits = []
    for key, decided, number, cat, dc, outcome, reasons, ts, te, rs, re_, item_id, ordinal, _ in rows:
        text = texts.get(key)
        title = " ".join(text[ts:te].split()) if text and ts is not None else ""  # the graph holds the titles
        at: tuple | None
        if ordinal is None and reason is not None:
            span = index.rows(
                'SELECT start, "end" FROM facts WHERE term = ? AND item = ? ORDER BY start LIMIT 1', (reason, item_id)
            ).fetchone()
            sentence, at = _cut(text, span[0], span[1]) if span else (title, (ts, te))
        elif not ordinal:  # the title matched (or no words)
            sentence, at = " ".join(str(title).split()), (ts, te)
        else:
            sentence, at = _sentence(text, rs, re_, ordinal, pieces)
        hits.append(
            Hit(
                case=key,
                date=decided,
                item=number,
                title=title,
                category=labels.get(cat),
                drug_class=labels.get(dc),
                outcome=labels.get(outcome, ""),
                reasons=tuple(sorted(labels.get(int(r), "") for r in str(reasons or "").split())),
                sentence=sentence,
                position=text_position_iri(key, *at) if at and at[0] is not None else None,
                letter=str(letter_iri(key)),
            )
        )
    if rows and target is None:
        notes.append("titles and sentences need the letters' text: give the store or server that holds them")
    return Found(hits, total, "word index", notes)


def _reason_term(index: WordIndex, params: dict[str, str]) -> int | None:
    if "reason" not in params:
        return None
    row = index.rows("SELECT id FROM terms WHERE value = ?", (index_terms("reason", params["reason"])[0],)).fetchone()
    return row[0] if row else None


def _labels(index: WordIndex) -> dict[int, str]:
    """Term id -> what a person reads: a concept's label, an outcome, a reason code."""
    names = {_treatment_id(c.iri): c.label for c in concepts("treatment")}
    out = {}
    for tid, value in index.rows("SELECT id, value FROM terms"):
        kind, _, v = value.partition(":")
        out[tid] = names.get(v, v) if kind in ("category", "drug-class", "concept", "subcategory") else v
    return out


def _cut(text: str | None, start: int, end: int) -> tuple[str, tuple[int, int]]:
    return (" ".join(text[start:end].split()) if text else ""), (start, end)


def _sentence(text: str | None, start, end, ordinal: int, pieces) -> tuple[str, tuple | None]:
    """Sentence ``ordinal`` (from 1) of the rationale at ``start``..``end`` of the letter's text."""
    if text is None or start is None:
        return "", None
    found = sentences(text, start, end)
    if not found:
        return "", None
    sentence, span = found[min(ordinal, len(found)) - 1]
    return sentence, (span.start, span.end)


_TEXTS = """
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?letter ?text WHERE { VALUES ?letter { %s } ?letter imr:hasText/rdf:value ?text }
"""


def letter_texts(target, keys: Iterable[str]) -> dict[str, str]:
    """Letter key -> the letter's normalized text, from a store or server."""
    keys = sorted(keys)
    if not keys:
        return {}
    out = {}
    for start in range(0, len(keys), 100):
        values = " ".join(f"<{letter_iri(k)}>" for k in keys[start : start + 100])
        _, rows = run(target, _TEXTS % values)
        out.update({split_letter_iri(str(letter))[0]: str(text) for letter, text in rows})
    return out


# -- the SPARQL route ---------------------------------------------------------------------------
def find_in_graphs(
    target, words: str = "", params: dict[str, str] | None = None, *, limit: int = DEFAULT_LIMIT, order: str = "date"
) -> Found:
    """Search the letter graphs with SPARQL (no word index): words as written, in one sentence."""
    from kg.stores.queries import _term

    params, pieces = _prepared(words, params, order)
    table = standard_filters()
    patterns = []
    for name, value in params.items():
        f = table[name]
        pattern = str(f.pattern).replace("$value", _term(f.kind, value, name))
        patterns.append(f"FILTER EXISTS {{ {pattern} }}")  # ?item and ?letter are this item's
    for token in dict.fromkeys(t for text, _ in pieces for t in text.lower().split()):  # each word somewhere
        patterns.append(f'FILTER(CONTAINS(LCASE(CONCAT(?title, " ", COALESCE(?rationale, ""))), "{token}"))')
    order_by = "DESC(?date) ?case ?n" if order == "date" else "?case ?n"
    # with words, every candidate is read: which of them hold the words in one sentence is told
    # in Python, after the query (SPARQL has no sentences)
    cap = "" if pieces else f" LIMIT {int(limit) + 1}"
    sparql = f"""
PREFIX imr: <{IMR}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?letter ?case ?date ?n ?title ?outcome ?category ?drugClass ?rationalePos ?titlePos WHERE {{
  ?letter imr:hasItem ?item . ?item imr:itemNumber ?n ; rdfs:label ?title ; imr:decision ?d . ?d imr:outcome ?o .
  BIND(STRAFTER(STR(?o), "#") AS ?outcome)
  OPTIONAL {{ ?letter imr:caseNumber ?case }}
  OPTIONAL {{ ?letter imr:decisionDate ?date }}
  OPTIONAL {{ ?item imr:textPosition ?titlePos }}
  OPTIONAL {{ ?item imr:treatmentCategory/skos:prefLabel ?category }}
  OPTIONAL {{ ?item imr:drugClass/skos:prefLabel ?drugClass }}
  OPTIONAL {{ ?d imr:rationale ?rationale }}
  OPTIONAL {{ ?d imr:textPosition ?rationalePos }}
  {chr(10).join("  " + p for p in patterns)}
}} ORDER BY {order_by}{cap}
"""
    _, rows = run(target, sparql)
    keys = [split_letter_iri(str(r[0]))[0] for r in rows]
    texts = letter_texts(target, set(keys)) if pieces else {}
    chosen = []  # (key, row, sentence, span)
    for key, row in zip(keys, rows, strict=True):
        title, rpos, tpos = row[4], row[8], row[9]
        sentence, at = " ".join(str(title).split()), _span(tpos)
        if pieces:
            letter_text, span = texts.get(key), _span(rpos)
            candidates = [(sentence, at)] + [
                (c, (s.start, s.end)) for c, s in (sentences(letter_text, *span) if letter_text and span else [])
            ]
            held = [(c, a) for c, a in candidates if _holds(c, pieces)]
            if not held:
                continue
            sentence, at = held[0]
        chosen.append((key, row, sentence, at))
        if len(chosen) > limit:
            break
    more = len(chosen) > limit
    chosen = chosen[:limit]
    if not pieces and "reason" in params:
        texts = letter_texts(target, {key for key, *_ in chosen})
    reasons = _reasons_of(target, [(key, int(row[3])) for key, row, _, _ in chosen])
    wanted_reason = str(reason_iri(resolve("reason", params["reason"]).slug)) if "reason" in params else None
    hits = []
    for key, (letter, _case, decided, n, title, outcome, cat, dc, _r, _t), sentence, at in chosen:
        if not pieces and wanted_reason and texts.get(key):
            for code, start, end in reasons.get((key, int(n)), []):
                if code == wanted_reason:
                    sentence, at = _cut(texts[key], start, end)
                    break
        hits.append(
            Hit(
                case=key,
                date=str(decided)[:10] if decided else None,
                item=int(n),
                title=str(title),
                category=cat,
                drug_class=dc,
                outcome=str(outcome),
                reasons=tuple(sorted({c.rsplit("/", 1)[-1] for c, _, _ in reasons.get((key, int(n)), [])})),
                sentence=sentence,
                position=text_position_iri(key, *at) if at else None,
                letter=str(letter),
            )
        )
    notes = ["no word index here: searched the letter graphs with SPARQL (words as written, not stemmed; slower)"]
    if more:
        notes.append(f"more than {limit} items match: only the first {limit} are listed (--limit)")
    return Found(hits, None if more else len(hits), "letter graphs", notes)


def _holds(sentence: str, pieces: list[tuple[str, bool]]) -> bool:
    """Whether a sentence holds every piece as written (any case; a phrase's words in order, the
    index's common words left out as :func:`word_pieces` leaves them out)."""
    words = indexed_words(sentence.lower())
    return all(re.search(r"\b" + re.escape(text.lower()) + ("" if prefix else r"\b"), words) for text, prefix in pieces)


def _span(position) -> tuple[int, int] | None:
    if not position:
        return None
    from kg.graph.iris import split_text_position

    found = split_text_position(str(position))
    return (found[1], found[2]) if found else None


_REASONS = """
PREFIX imr: <https://w3id.org/imr-kg/ontology#>
SELECT ?item ?code ?p WHERE { VALUES ?item { %s } ?item imr:decision/imr:hasReasonStatement ?p . ?p imr:reasonCode ?code }
"""


def _reasons_of(target, items: list[tuple[str, int]]) -> dict[tuple[str, int], list[tuple[str, int, int]]]:
    out: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
    for start in range(0, len(items), 100):
        values = " ".join(f"<{item_iri(k, n)}>" for k, n in items[start : start + 100])
        _, rows = run(target, _REASONS % values)
        for item, code, p in rows:
            key, rest = split_letter_iri(str(item))
            span = _span(p)
            if span:
                out.setdefault((key, int(rest.rsplit("/", 1)[-1])), []).append((str(code), *span))
    return out


# -- where the index is -------------------------------------------------------------------------
def index_paths(place: str | Path) -> list[Path]:
    """The word indexes of a store folder (one per build loaded), a build folder, or a file."""
    place = Path(place)
    if place.is_file():
        return [place]
    if BuildDir(place).is_build():
        return [BuildDir(place).words] if BuildDir(place).words.is_file() else []
    folder = place / WORDS_IN_STORE
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def find(
    words: str = "",
    params: dict[str, str] | None = None,
    *,
    target=None,
    index: str | Path | None = None,
    limit: int = DEFAULT_LIMIT,
    order: str = "date",
) -> Found:
    """Decided items whose title or a rationale sentence holds ``words`` (all of them, stemmed),
    restricted by ``params`` (the canned questions' filters). ``index``: where the word index is
    (a store or build folder); without one, the letter graphs of ``target`` are searched."""
    paths = index_paths(index) if index is not None else []
    if not paths:
        if target is None:
            raise FindError(f"no word index at {index} and no store to search: build and load first")
        return find_in_graphs(target, words, params, limit=limit, order=order)
    found: Found | None = None
    for path in paths:
        try:
            opened = WordIndex.open_read_only(path)
        except WordIndexError as err:
            raise FindError(str(err)) from None
        try:
            part = find_in_index(opened, words, params, target=target, limit=limit, order=order)
        finally:
            opened.close()
        found = part if found is None else _merged(found, part, limit, order)
    assert found is not None
    return found


def _merged(a: Found, b: Found, limit: int, order: str) -> Found:
    """Two builds' answers as one (a letter in both is listed once, but counted in each total)."""
    seen = {(h.case, h.item) for h in a.hits}
    hits = a.hits + [h for h in b.hits if (h.case, h.item) not in seen]
    if order == "date":
        hits.sort(key=lambda h: (h.date is None, "" if h.date is None else _neg(h.date), h.case, h.item))
    else:
        hits.sort(key=lambda h: (h.case, h.item))
    total = None if a.total is None or b.total is None else a.total + b.total
    return Found(hits[:limit], total, a.route, sorted(set(a.notes) & set(b.notes)))


def _neg(iso: str) -> str:
    return "".join(chr(255 - ord(c)) for c in iso)


__all__ = ["COLUMNS", "FILTERS", "ORDERS", "FindError", "Found", "Hit", "find", "find_in_graphs", "find_in_index"]
