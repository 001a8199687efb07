"""The safety data files (``data/safety/*.toml``), loaded once and validated.

Every rule row carries ``sources`` (keys into ``sources.toml``), ``confidence`` and a ``level``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

Level = Literal["no_known_reason", "precautions", "ask_doctor", "do_not_use"]
LEVELS: tuple[Level, ...] = ("no_known_reason", "precautions", "ask_doctor", "do_not_use")
CONFIDENCES = ("exact", "derived", "secondary", "unverified", "assumption", "not_found")


class SafetyDataError(ValueError):
    """A safety data file breaks its schema; the message names the file, row and field."""


@dataclass(frozen=True)
class Source:
    key: str
    citation: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """One row of drugs / conditions / procedures / device_risks."""

    kind: str
    id: str
    name: str
    level: Level
    reason: str
    sources: tuple[str, ...]
    confidence: str
    names: tuple[str, ...] = ()  # every name the matcher accepts (generic, brand, alias)
    brands: tuple[str, ...] = ()
    lookback_months: float = 0.0
    wait_days: float = 0.0
    wait_range_days: tuple[float, float] | None = None
    needs: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SafetyData:
    sources: dict[str, Source]
    drugs: tuple[Rule, ...]
    conditions: tuple[Rule, ...]
    procedures: tuple[Rule, ...]
    device_risks: dict[str, Rule]
    questions: tuple[dict[str, Any], ...]

    def cite(self, keys: tuple[str, ...]) -> list[str]:
        return [f"{self.sources[k].citation} [{self.sources[k].confidence}]" for k in keys]

    def condition(self, cid: str) -> Rule:
        for c in self.conditions:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def procedure(self, pid: str) -> Rule:
        for p in self.procedures:
            if p.id == pid:
                return p
        raise KeyError(pid)


def _read(name: str) -> dict[str, Any]:
    text = (resources.files("photodose") / "data" / "safety" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _req(row: dict[str, Any], key: str, where: str) -> Any:
    if key not in row or row[key] in ("", None):
        raise SafetyDataError(f"{where}: missing {key!r}")
    return row[key]


def _rule(kind: str, row: dict[str, Any], where: str, sources: dict[str, Source]) -> Rule:
    level = _req(row, "level", where)
    if level not in LEVELS[1:]:
        raise SafetyDataError(f"{where}: level {level!r} must be one of {LEVELS[1:]}")
    conf = _req(row, "confidence", where)
    if conf not in CONFIDENCES:
        raise SafetyDataError(f"{where}: confidence {conf!r} must be one of {CONFIDENCES}")
    srcs = tuple(_req(row, "sources", where))
    for s in srcs:
        if s not in sources:
            raise SafetyDataError(f"{where}: unknown source {s!r}")
    rid = _req(row, "id", where)
    if kind == "drug":
        name = row.get("class", rid)
        names = tuple(row.get("generics", [])) + tuple(row.get("brands", []))
        if not names:
            raise SafetyDataError(f"{where}: a drug row needs generics or brands")
    else:
        name = row.get("name", rid)
        names = (name, *row.get("aliases", []), rid.replace("_", " "))
    wr = row.get("wait_range_days")
    known = {
        "id", "class", "name", "generics", "brands", "aliases", "level", "reason", "sources",
        "confidence", "lookback_months", "wait_days", "wait_range_days", "needs",
    }  # fmt: skip
    return Rule(
        kind=kind,
        id=rid,
        name=name,
        level=level,
        reason=_req(row, "reason", where),
        sources=srcs,
        confidence=conf,
        names=names,
        brands=tuple(row.get("brands", [])),
        lookback_months=float(row.get("lookback_months", 0)),
        wait_days=float(row.get("wait_days", 0)),
        wait_range_days=(float(wr[0]), float(wr[1])) if wr else None,
        needs=row.get("needs"),
        extra={k: v for k, v in row.items() if k not in known},
    )


@lru_cache(maxsize=1)
def load_safety() -> SafetyData:
    """The packaged safety data (cached)."""
    src_rows = _read("sources.toml")["source"]
    sources = {}
    for i, r in enumerate(src_rows):
        where = f"sources.toml source[{i}]"
        conf = _req(r, "confidence", where)
        if conf not in CONFIDENCES:
            raise SafetyDataError(f"{where}: confidence {conf!r}")
        sources[_req(r, "key", where)] = Source(r["key"], _req(r, "citation", where), conf, r.get("note", ""))
    tables = {}
    for fname, key, kind in (
        ("drugs.toml", "drug", "drug"),
        ("conditions.toml", "condition", "condition"),
        ("procedures.toml", "procedure", "procedure"),
        ("device_risks.toml", "risk", "device"),
    ):
        rows = _read(fname)[key]
        tables[kind] = tuple(_rule(kind, r, f"{fname} {key}[{i}]", sources) for i, r in enumerate(rows))
        ids = [r.id for r in tables[kind]]
        if len(set(ids)) != len(ids):
            raise SafetyDataError(f"{fname}: duplicate ids")
    return SafetyData(
        sources=sources,
        drugs=tables["drug"],
        conditions=tables["condition"],
        procedures=tables["procedure"],
        device_risks={r.id: r for r in tables["device"]},
        questions=tuple(_read("questions.toml")["question"]),
    )
