"""The weight of evidence shown beside each verdict equals the verdict's own tally.

Terminal summary, HTML report, web evaluate page and `photodose compare` each show, beside a
verdict, how many controlled or blinded trials bear on the indication, their total N and how many
were positive / null / negative / mixed. These tests read those numbers back out of what a person
sees and compare them with ``Verdict.evidence_weight`` (and with a recount from its trial list).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.cli.app import app
from photodose.evidence.weight import EvidenceWeight, TrialWeight, evidence_weight

runner = CliRunner()
PHOTONS = "2000"
DEVICE = "higherdose-red-light-face-mask"
MARKS = {"+": "positive", "=": "null", "−": "negative", "±": "mixed"}
COMPACT = re.compile(r"(\d+) trials? · N (\d+)(\+\?)?(?: · ((?:\d+[+=−±] ?)+))?")


def parse_compact(text: str) -> dict[str, Any]:
    """Read ``9 trials · N 591+? · 6+ 2= 1−`` back into numbers."""
    m = COMPACT.fullmatch(text)
    assert m is not None, text
    dirs = {k: 0 for k in MARKS.values()}
    for num, mark in re.findall(r"(\d+)([+=−±])", m.group(4) or ""):
        dirs[MARKS[mark]] = int(num)
    return {"n_trials": int(m.group(1)), "total_n": int(m.group(2)), "unreported": bool(m.group(3)),
            "directions": dirs}  # fmt: skip


def recount(weight: dict[str, Any]) -> dict[str, Any]:
    """The tally recomputed from the trial list in ``to_dict()`` (not from its own totals)."""
    trials = weight["trials"]
    dirs = {k: sum(1 for t in trials if t["direction"] == k) for k in MARKS.values()}
    return {
        "n_trials": len(trials),
        "total_n": sum(t["n"] or 0 for t in trials),
        "unreported": any(t["n"] is None for t in trials),
        "directions": dirs,
    }


trial = st.builds(
    TrialWeight,
    study_id=st.text("abc", min_size=1, max_size=4),
    label=st.just("x"),
    citation=st.just("x"),
    url=st.none(),
    n=st.one_of(st.none(), st.integers(1, 5000)),
    direction=st.sampled_from(["positive", "null", "negative", "mixed"]),
    design=st.just("sham-controlled"),
    controlled=st.booleans(),
    blinded=st.booleans(),
)


@given(st.lists(trial, max_size=12))
def test_compact_tally_reads_back_to_the_trials(trials: list[TrialWeight]) -> None:
    w = EvidenceWeight("photoaging", "wrinkles/fine lines", None, tuple(trials))
    text = w.compact()
    if not trials:
        assert text == "no trials"
        return
    got = parse_compact(text)
    assert got == recount(w.to_dict())
    assert len(text) <= 40  # fits an 80-column table beside the indication and verdict


def test_packaged_compact_tallies() -> None:
    # published counts as entered in studies.toml (docs/verdicts.md lists each trial)
    assert evidence_weight("acne").compact() == "4 trials · N 198 · 3+ 1±"
    assert evidence_weight("elasticity").compact() == "3 trials · N 237 · 2+ 1="


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("wcache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTODOSE_CACHE_DIR", str(path))
        yield path


@pytest.fixture(scope="module")
def evaluated(cache: Path) -> dict[str, Any]:
    res = runner.invoke(app, ["evaluate", DEVICE, "--photons", PHOTONS, "--json"])
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_terminal_shows_each_verdicts_weight(
    cache: Path, evaluated: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    res = runner.invoke(app, ["evaluate", DEVICE, "--photons", PHOTONS])
    assert res.exit_code == 0, res.output
    table = res.output.split("Against the doses tested")[1].split("Weight of evidence:")[0]
    rows = [r for r in table.split("\n") if r.startswith("│") and r.split("│")[1].strip()]
    assert len(rows) == len(evaluated["verdicts"])
    for row, v in zip(rows, evaluated["verdicts"], strict=True):
        cell = row.split("│")[4].strip()
        assert v["indication_name"] in row
        assert parse_compact(cell) == recount(v["evidence_weight"])
        assert cell == v["evidence_weight"]["compact"]


def test_html_report_shows_each_verdicts_weight(cache: Path) -> None:
    from photodose.report.html import render_html
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    ev = evaluate(DEVICE, skin=SkinProfile("III", "forehead"), photons=int(PHOTONS))
    page = render_html(ev)
    cells = re.findall(r'<td data-label="weight of evidence" class="weight">(.*?)</td>', page, re.S)
    assert len(cells) == len(ev.verdicts)
    for cell, v in zip(cells, ev.verdicts, strict=True):
        assert v.evidence_weight is not None
        want = recount(v.evidence_weight.to_dict())
        text = html.unescape(re.sub(r"<[^>]+>", " ", cell)).replace("\xa0", " ")
        m = re.search(r"(\d+) trials?\s*, N = (\d+)", text)
        assert m is not None, text
        assert (int(m.group(1)), int(m.group(2))) == (want["n_trials"], want["total_n"])
        for k, n in want["directions"].items():
            assert (f"{n} {k}" in text) == bool(n), (k, text)
    # the bottom line's table repeats it beside each target's verdict
    flat = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")
    targets = ev.bottom_line.targets if ev.bottom_line else ()
    assert targets
    shown = re.findall(r"evidence: (\d+) trials?, N = (\d+)(?: \+ \d+ unreported)?;", flat)
    assert len(shown) == len(targets)
    for (k, n), t in zip(shown, targets, strict=True):
        w = next(v.evidence_weight for v in ev.verdicts if v.indication == t.indication)
        assert w is not None and (int(k), int(n)) == (w.n_trials, w.total_n)


def test_compare_prints_a_weight_line_per_indication(cache: Path, evaluated: dict[str, Any]) -> None:
    args = ["compare", DEVICE, "omnilux-contour-face", "--photons", PHOTONS]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["verdicts"]
    by_ind = {v["indication"]: v["evidence_weight"] for v in evaluated["verdicts"]}
    for r in rows:
        assert recount(r["evidence_weight"]) == recount(by_ind[r["indication"]])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    lines = res.output.split("Weight of evidence")[1].splitlines()
    for r in rows:
        line = next(x for x in lines if x.strip().startswith(r["indication_name"] + ":"))
        assert parse_compact(line.split(": ", 1)[1].strip()) == recount(r["evidence_weight"])


def test_web_evaluate_page_shows_each_verdicts_weight(tmp_path: Path, cache: Path) -> None:
    from fastapi.testclient import TestClient

    from photodose.web import WebSettings, create_app

    web = create_app(WebSettings(data_dir=tmp_path, photons=int(PHOTONS)))
    with TestClient(web, base_url="http://127.0.0.1") as client:
        client.get("/")
        r = client.get("/evaluate", params={"device": DEVICE})
    assert r.status_code == 200
    found = re.findall(r'<p class="weight"><strong>Weight of evidence:</strong>(.*?)</p>', r.text, re.S)
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    ev = evaluate(DEVICE, skin=SkinProfile("III", "forehead"), photons=int(PHOTONS))
    texts = [v.evidence_weight.text() for v in ev.verdicts if v.evidence_weight is not None]
    assert [html.unescape(f).strip() for f in found] == texts
    for t, v in zip(texts, ev.verdicts, strict=True):
        assert v.evidence_weight is not None
        want = recount(v.evidence_weight.to_dict())
        assert t.startswith(f"{want['n_trials']} controlled or blinded trial")
        assert f"(N = {want['total_n']}" in t


def test_compare_html_shows_the_weight_per_indication(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp.html"
    args = ["compare", DEVICE, "omnilux-contour-face", "--photons", PHOTONS]
    res = runner.invoke(app, [*args, "--json", "--html", str(out)])
    assert res.exit_code == 0, res.output
    text = html.unescape(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8"))).replace("\xa0", " ")
    for r in json.loads(res.stdout)["verdicts"]:
        want = recount(r["evidence_weight"])
        m = re.search(
            re.escape(f"{r['indication_name']}, {r['band_name']}")
            + r"\s*weight of evidence: (\d+) trials?, N = (\d+); ([^\n<]*?)\s{2,}",
            text,
        )
        assert m is not None, r["indication_name"]
        assert (int(m.group(1)), int(m.group(2))) == (want["n_trials"], want["total_n"])
        shown = {k: int(n) for n, k in re.findall(r"(\d+) (positive|null|negative|mixed)", m.group(3))}
        assert shown == {k: n for k, n in want["directions"].items() if n}
