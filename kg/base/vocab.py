"""Reference data loaded from ``kg/data`` (CSV/JSON files people can edit without Python)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kg.base.resources import data_file

ADOPTED_WORK = "mtus-acoem-adopted"  # the ACOEM guidelines the MTUS adopted on 1 December 2017
UNRESOLVED_WORK = "unresolved"  # a guideline the reader could not resolve: kept in its words, a validation warning


@dataclass(frozen=True, slots=True)
class GuidelineWork:
    """One of the works a cited guideline source is filed under (``guidelines.json``, ``works``)."""

    id: str  # "mtus-acoem", "odg", ...
    label: str
    short: str  # for crowded displays ("MTUS ACOEM")
    mtus: bool
    editions: tuple[int, ...]
    in_force_from: str | None = None  # ISO dates (``mtus_in_force``): which MTUS held on a decision date
    in_force_until: str | None = None


@cache
def states() -> dict[str, str]:
    """USPS code -> state name."""
    with data_file("states.csv").open(encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@cache
def _state_lookup() -> dict[str, str]:
    table = {name.lower(): name for name in states().values()}
    table.update({code.lower(): name for code, name in states().items()})
    return table


def canonical_state(value: str) -> str:
    """ "california" / "CA" -> "California"; unknown text is returned as written."""
    return _state_lookup().get(_state_key(value), value.strip(" ."))


def is_known_state(value: str) -> bool:
    """Whether a state name or code is one of ``states.csv``."""
    return _state_key(value) in _state_lookup()


def _state_key(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip(" .")).lower()


@cache
def load_json(name: str) -> Any:
    """A JSON file of ``kg/data``, parsed once per process."""
    with data_file(name).open(encoding="utf-8") as f:
        return json.load(f)


@cache
def specialties() -> tuple[dict[str, str], ...]:
    """Reviewer specialties (``specialties.csv``): name and NUCC taxonomy code."""
    with data_file("specialties.csv").open(encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def specialty_label(name: str) -> str | None:
    """The vocabulary's label of a specialty as a letter writes it (matched by slug: "Physical
    Medicine and Rehabilitation" is "Physical Medicine & Rehabilitation"), or None when
    ``specialties.csv`` lacks it."""
    return _specialty_labels().get(slug(name))


@cache
def _specialty_labels() -> dict[str, str]:
    return {slug(row["name"]): row["name"] for row in specialties()}


@cache
def guideline_works() -> dict[str, GuidelineWork]:
    """The guideline works by id, in file order."""
    data = load_json("guidelines.json")
    force = {f["work"]: f for f in data["mtus_in_force"]}
    return {
        w["id"]: GuidelineWork(
            w["id"],
            w["label"],
            w["short"],
            w["mtus"],
            tuple(w["editions"]),
            force.get(w["id"], {}).get("from"),
            force.get(w["id"], {}).get("until"),
        )
        for w in data["works"]
    }


def mtus_acoem_in_force(decision: str) -> str:
    """The MTUS ACOEM work in force on a decision date (ISO): ``mtus-acoem`` (the 2004 chapters)
    until 30 November 2017, ``mtus-acoem-adopted`` from 1 December 2017."""
    for work in guideline_works().values():
        if work.id.startswith("mtus-acoem") and (work.in_force_from or "") <= decision <= (work.in_force_until or "9"):
            return work.id
    raise LookupError(f"no MTUS ACOEM work is in force on {decision}")


def slug(value: str) -> str:
    """IRI-safe, stable name: "Physical Medicine & Rehabilitation" -> "physical-medicine-and-rehabilitation"."""
    value = value.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-") or "unnamed"
