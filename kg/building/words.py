"""The word index of a build: every item's title and rationale sentences in SQLite FTS5, with
the facts ``imrkg find`` filters on, so "which upheld denials said there was no functional
improvement, and where" is one SQL statement instead of a scan of the letter graphs.

Why SQLite FTS5: it ships with Python's standard library (nothing to install or start), stems
English with its ``porter`` tokenizer ("improvement" finds "improved"), takes phrase and prefix
queries, and one file holds the text, the index and the facts, updated in place by a transaction
-- what an incremental build needs. A search engine beside the store (Tantivy, Elasticsearch)
would be one more thing to install and keep in step; Oxigraph has no text index, and a SPARQL
``CONTAINS`` reads every rationale (the route ``imrkg find`` takes against a server without it).

One FTS5 row per sentence: the item's title and each sentence of its rationale, found by
:func:`kg.reading.reasons.sentences` (the splitter the reasons are read with), the common words
left out (:data:`STOPWORDS`). The index is contentless: the graph holds the letter's text, and a
row's id says where it is (its item's id plus the sentence's ordinal), so a hit becomes a
text-position IRI of the graph (``…/letter/KEY/text#char=START,END``) that ``imrkg show`` or
SPARQL can go on from. Beside the words, per item, what the questions filter on: outcome,
treatment concept, DWC category, subcategory, drug class, and as ``facts`` the reason codes (with
their sentence's span) and the reviewer's cited guideline works, chapters and sections; per letter
its key, decision date and reviewer specialties. Values are the vocabulary's ids
(``physical-therapy``, ``drug-class/opioids``, ``mtus-chronic-pain``) in ``terms``.

The rows of a letter are made in the build's worker (:func:`letter_rows`, JSON) and written by
the main process; a rebuild deletes the letters of the sources it parses again, or that are
gone, and inserts the new ones, in one transaction committed just before the manifest (the words
of deleted letters stay, unreachable: contentless FTS5 cannot delete a row without its text).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path

from kg.base.output import replace_durably
from kg.graph.iris import chapter_iri, compact, letter_key, specialty_iri
from kg.reading.models import Letter
from kg.reading.reasons import sentences
from kg.reading.treatments import category_concept, drug_class_concept, subcategory_concept

SCHEMA_VERSION = "3"  # a build whose index has another version writes it anew
TOKENIZER = "porter unicode61 remove_diacritics 2"  # English stems over Unicode words, accents folded
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- every value an item or letter is filtered on, once: "reason:no-functional-improvement"
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
-- source: a 63-bit hash of the source's path (source_key), sha256: the first 16 hex digits of its
-- hash -- what a rebuild compares with the manifest; the letter's text and titles are in the graph
CREATE TABLE IF NOT EXISTS letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, source INTEGER NOT NULL, key TEXT NOT NULL, sha256 TEXT, decided TEXT);
-- an item's id is the row id of its first passage (its title); the rationale's sentences follow
-- it in order, so a passage's item is the one with the greatest id not above the passage's
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL, number INTEGER NOT NULL, passages INTEGER NOT NULL,
    outcome INTEGER, concept INTEGER, category INTEGER, subcategory INTEGER, drug_class INTEGER,
    reasons TEXT, title_start INTEGER, title_end INTEGER, rationale_start INTEGER, rationale_end INTEGER);
-- reasons (with their sentence's span) and the reviewer's cited works, chapters and sections
-- (with the source's span), by term
CREATE TABLE IF NOT EXISTS facts (
    term INTEGER NOT NULL, item INTEGER NOT NULL, start INTEGER, "end" INTEGER,
    PRIMARY KEY (term, item, start)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS letter_facts (
    term INTEGER NOT NULL, letter_id INTEGER NOT NULL, PRIMARY KEY (term, letter_id)) WITHOUT ROWID;
-- no text kept (the graph holds it), only the index of its words; words of letters removed since
-- the index was written afresh stay, unreachable (counted in meta 'orphans')
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(
    text, content='', columnsize=0, tokenize='{TOKENIZER}');
"""


class WordIndexError(Exception):
    """A word index that cannot be read (missing, corrupt, or of another version): says what to do."""


# -- the rows of one letter, in the worker ------------------------------------------------------
def letter_rows(letter: Letter) -> str:
    """What the index keeps of one letter, as compact JSON (it crosses from the worker): per item
    its terms, spans and passages (title, then the rationale's sentences)."""
    items = []
    for item in letter.items:
        t = item.treatment
        facts: list[list] = [["reason", r.code, r.span.start, r.span.end] for r in item.reasons]
        for src in item.imr.sources:  # the reviewer's own citation: the guidelines the decision rests on
            at = [src.span.start, src.span.end] if src.span else [None, None]
            facts.append(["work", src.work, *at])
            if src.chapter:
                facts.append(["chapter", compact(str(chapter_iri(src.work, src.chapter))), *at])
            facts.extend(["section", " ".join(section.lower().split()), *at] for section in src.sections)
        passages = [indexed_words(item.title)]
        rationale: list[int | None] = [None, None]
        if item.rationale_span is not None:
            span = item.rationale_span
            rationale = [span.start, span.end]
            passages += [indexed_words(text) for text, _ in sentences(letter.text, span.start, span.end)]
        items.append(
            {
                "n": item.number,
                "outcome": item.outcome,
                "concept": t.concept if t else None,
                "category": category_concept(t.category) if t else None,
                "subcategory": subcategory_concept(t.category, t.subcategory) if t and t.subcategory else None,
                "drug-class": drug_class_concept(t.drug_class) if t and t.drug_class else None,
                "spans": [item.title_span.start, item.title_span.end, *rationale],
                "facts": facts,
                "passages": passages,
            }
        )
    specialties = sorted({compact(str(specialty_iri(s))) for s in letter.reviewer.specialties})
    row = [letter_key(letter), letter.dates.decision, specialties, items]
    return json.dumps(row, separators=(",", ":"), ensure_ascii=False)


# Words too common to find anything by, left out of the index and of every search (a third of a
# rationale's words: at 100k letters the index was 32 % of the build's bytes with them, ... without).
# Words of negation and absence ("no", "not", "without", "lack") stay: they are what a search is for.
STOPWORDS = frozenset(
    "a an the of to in on at by for with and or as is are was were be been being this that these those it its "
    "from which who whom has have had will would shall should may might can could do does did per via into".split()
)
_TOKEN = re.compile(r"\w+")


def indexed_words(text: str) -> str:
    """The words of ``text`` the index keeps (and a search looks for): every word but the
    :data:`STOPWORDS`, in order, so a phrase still finds its words next to each other."""
    return " ".join(w for w in _TOKEN.findall(text) if w.lower() not in STOPWORDS)


def source_key(path: str) -> int:
    """A source path as a 63-bit integer (its sha256's first 8 bytes): what the index keeps of
    it, a seventh of the path's bytes."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()[:8], "big") >> 1


def term(kind: str, value: str) -> str:
    """How a filter value is spelled in the index's ``terms``."""
    return f"{kind}:{value}"


# -- the index file -----------------------------------------------------------------------------
class WordIndex:
    """The word index of a build or a store: written by :meth:`for_build` / :meth:`for_copy`,
    read by :meth:`open_read_only`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, final: Path | None = None) -> None:
        self.conn, self.path, self.final = conn, path, final
        self._terms: dict[str, int] = {}
        self._next_id: int | None = None
        self.done = False  # committed (or abandoned): nothing more to undo

    @classmethod
    def open_read_only(cls, path: Path) -> WordIndex:
        """An index for searching; :class:`WordIndexError` when there is none to read."""
        if not path.is_file():
            raise WordIndexError(f"no word index at {path}")
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            version = dict(conn.execute("SELECT key, value FROM meta")).get("schema")
        except sqlite3.DatabaseError as err:
            raise WordIndexError(f"{path}: unreadable ({err}); build again to write it anew") from None
        if version != SCHEMA_VERSION:
            conn.close()
            raise WordIndexError(f"{path} was written by another release of imrkg; build again to write it anew")
        return cls(conn, path)

    @classmethod
    def for_build(cls, path: Path, token_wanted: str | None) -> WordIndex:
        """The index a build updates: the one at ``path`` when it holds ``token_wanted`` (the
        previous build's manifest says which index it wrote), else a new, empty one written
        beside it and renamed over it by :meth:`commit`."""
        if token_wanted is not None and path.is_file():
            try:
                conn = sqlite3.connect(path, isolation_level=None)  # transactions begun here, by hand
                meta = dict(conn.execute("SELECT key, value FROM meta"))
                if meta.get("schema") == SCHEMA_VERSION and meta.get("token") == token_wanted:
                    return cls(conn, path)
                conn.close()
            except sqlite3.DatabaseError:
                pass
        return cls._fresh(path)

    @classmethod
    def _fresh(cls, final: Path) -> WordIndex:
        tmp = final.parent / f".{final.name}.{os.getpid()}.part"
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")  # a new file: atomicity comes from the rename
        conn.execute("PRAGMA synchronous=OFF")
        conn.executescript(_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        conn.execute("BEGIN")
        return cls(conn, tmp, final)

    @property
    def is_new(self) -> bool:
        """Whether this index starts empty (every letter must be added)."""
        return self.final is not None

    def keep_only(self, manifest: Path, rebuilt: set[int]) -> None:
        """Remove the letters of every source the manifest at ``manifest`` does not carry over
        unchanged (those of the ``rebuilt`` shards that are parsed again, and sources gone or
        failed), and begin the
        build's transaction. The manifest must be committed (it is read from another connection)."""
        marks = ",".join(str(int(s)) for s in rebuilt) or "-1"
        self.conn.execute("CREATE TEMP TABLE kept (source INTEGER PRIMARY KEY, sha256 TEXT)")
        self.conn.create_function("source_key", 1, source_key, deterministic=True)
        self.conn.execute("ATTACH DATABASE ? AS m", (f"file:{manifest}?mode=ro",))
        try:
            self.conn.execute(
                "INSERT OR REPLACE INTO kept SELECT source_key(path), substr(sha256, 1, 16) FROM m.sources "
                "WHERE letter IS NOT NULL AND duplicate_of IS NULL AND error IS NULL "
                f"AND (shard NOT IN ({marks}) OR kept = 1)"
            )
        finally:
            self.conn.execute("DETACH DATABASE m")
        self.conn.execute("BEGIN")
        self._remove(
            "SELECT id FROM letters WHERE NOT EXISTS "
            "(SELECT 1 FROM temp.kept k WHERE k.source = letters.source AND k.sha256 IS letters.sha256)"
        )
        self.conn.execute("DROP TABLE temp.kept")

    def remove_source(self, source: str) -> None:
        """Remove the letter read from ``source`` (kept, but now a duplicate of another source's)."""
        self._remove("SELECT id FROM letters WHERE source = ?", (source_key(source),))

    def _remove(self, letter_ids_sql: str, args: tuple = ()) -> None:
        """Remove letters; their words stay in the index, unreachable (contentless FTS5 cannot
        delete a row without its text), and are counted in meta 'orphans'."""
        self.conn.execute(f"CREATE TEMP TABLE gone AS {letter_ids_sql}", args)
        self.conn.execute("CREATE TEMP TABLE gone_items AS SELECT id FROM items WHERE letter_id IN temp.gone")
        self.conn.execute("DELETE FROM facts WHERE item IN temp.gone_items")
        self.conn.execute("DELETE FROM items WHERE id IN temp.gone_items")
        self.conn.execute("DELETE FROM letter_facts WHERE letter_id IN temp.gone")
        removed = self.conn.execute("DELETE FROM letters WHERE id IN temp.gone").rowcount
        if removed:
            self.conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('orphans', "
                "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'orphans'), 0) + ?)",
                (removed,),
            )
        self.conn.execute("DROP TABLE temp.gone")
        self.conn.execute("DROP TABLE temp.gone_items")

    @property
    def _next(self) -> int:
        """The row id of the next passage: never one an earlier passage had (orphans keep theirs)."""
        if self._next_id is None:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'next'").fetchone()
            self._next_id = int(row[0]) if row else 1
        return self._next_id

    @_next.setter
    def _next(self, value: int) -> None:
        self._next_id = value

    def _term(self, kind: str, value: str | None) -> int | None:
        if value is None:
            return None
        key = term(kind, value)
        found = self._terms.get(key)
        if found is None:
            row = self.conn.execute("SELECT id FROM terms WHERE value = ?", (key,)).fetchone()
            found = row[0] if row else self.conn.execute("INSERT INTO terms (value) VALUES (?)", (key,)).lastrowid
            self._terms[key] = int(found)  # type: ignore[arg-type]
        return found

    def add(self, source: str, sha256: str | None, rows: str) -> None:
        """Add one letter (its :func:`letter_rows`) read from ``source``."""
        key, decided, specialties, items = json.loads(rows)
        lid = self.conn.execute(
            "INSERT INTO letters (source, key, sha256, decided) VALUES (?, ?, ?, ?)",
            (source_key(source), key, (sha256 or "")[:16] or None, decided),
        ).lastrowid
        self.conn.executemany(
            "INSERT OR IGNORE INTO letter_facts VALUES (?, ?)", ((self._term("specialty", s), lid) for s in specialties)
        )
        facts = []
        words = []
        for it in items:
            first = self._next
            self._next += len(it["passages"])
            reasons = sorted(
                {int(self._term("reason", code) or 0) for kind, code, *_ in it["facts"] if kind == "reason"}
            )
            self.conn.execute(
                "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    first,
                    lid,
                    it["n"],
                    len(it["passages"]),
                    self._term("outcome", it["outcome"]),
                    *(self._term(k, it[k]) for k in ("concept", "category", "subcategory", "drug-class")),
                    " ".join(map(str, reasons)),
                    *it["spans"],
                ),
            )
            facts += [(self._term(kind, value), first, s, e) for kind, value, s, e in it["facts"]]
            words += [(first + k, text) for k, text in enumerate(it["passages"])]
        self.conn.executemany("INSERT OR IGNORE INTO facts VALUES (?, ?, ?, ?)", facts)
        self.conn.executemany("INSERT INTO words (rowid, text) VALUES (?, ?)", words)

    def commit(self, token: str) -> None:
        """Record ``token`` (the manifest records it too) and make the index the build's."""
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('token', ?)", (token,))
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('next', ?)", (self._next,))
        self.conn.execute("COMMIT")
        self.done = True
        if self.final is None:
            self.conn.close()
            return
        self.conn.execute("INSERT INTO words(words) VALUES ('optimize')")  # one b-tree: smaller, faster
        self.conn.execute("ANALYZE")  # the planner's statistics: starts a filter from its rarest term
        self.conn.execute("VACUUM")  # the pages the merge freed (a third of the file)
        self.conn.close()
        replace_durably(self.path, self.final)

    def abandon(self) -> None:
        """Drop what this build wrote: the transaction, or the new file."""
        if self.done:
            return
        self.done = True
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.conn.close()
        finally:
            if self.final is not None:
                self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close a read-only index."""
        self.conn.close()

    def letters(self) -> int:
        """How many letters the index holds."""
        return self.conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]

    def rows(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """Rows of a query over the index (kg.outputs.find composes them)."""
        return self.conn.execute(sql, args)


__all__ = [
    "SCHEMA_VERSION",
    "STOPWORDS",
    "WordIndex",
    "WordIndexError",
    "indexed_words",
    "letter_rows",
    "source_key",
    "term",
]
