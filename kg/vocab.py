"""Reference data loaded from ``kg/data`` (CSV/JSON files people can edit without Python)."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from importlib import resources


def _data(name: str):
    return resources.files("kg") / "data" / name


@cache
def states() -> dict[str, str]:
    """USPS code -> state name."""
    with _data("states.csv").open(encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@cache
def _state_lookup() -> dict[str, str]:
    table = {name.lower(): name for name in states().values()}
    table.update({code.lower(): name for code, name in states().items()})
    return table


def canonical_state(value: str) -> str:
    """ "california" / "CA" -> "California"; unknown text is returned as written."""
    key = re.sub(r"\s+", " ", value.strip(" .")).lower()
    return _state_lookup().get(key, value.strip(" ."))


@cache
def load_json(name: str):
    with _data(name).open(encoding="utf-8") as f:
        return json.load(f)


def slug(value: str) -> str:
    """IRI-safe, stable name: "Physical Medicine & Rehabilitation" -> "physical-medicine-and-rehabilitation"."""
    value = value.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", value).strip("-") or "unnamed"
