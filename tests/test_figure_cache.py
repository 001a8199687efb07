"""The report's matplotlib figures cached on disk (photodose.report.figure_cache): a stored figure
equals a fresh drawing, any plotted number changes the key, a warm report imports no matplotlib
(even for a new session length: the dose figures are written directly as SVG), and a damaged or
tampered file (script, event handler, external reference) is never inlined."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from photodose.report import figure_cache as fc
from photodose.report import figures
from photodose.report.who_figure import who_gets_what_svg
from photodose.services.evaluate import Evaluation, evaluate

PHOTONS = 4000


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.delenv(fc.DISABLE_ENV, raising=False)


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return evaluate("higherdose-face-mask", photons=PHOTONS)


def _draws(ev: Evaluation, use_cache: bool = True) -> dict[str, str]:
    return {
        "face": figures.face_map_html(ev, use_cache=use_cache),
        "who": who_gets_what_svg(ev.who_gets_what, [ev.device.id], {}, use_cache=use_cache)
        if ev.who_gets_what is not None
        else "",
    }


def test_a_cached_figure_equals_a_fresh_drawing_and_draws_nothing(
    ev: Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _draws(ev, use_cache=False)
    first = _draws(ev)  # drawn and stored
    assert len(list(fc.cache_dir().glob("*.svg"))) == 1 and len(list(fc.cache_dir().glob("*.png"))) == 2

    def no_drawing(*a: object, **k: object) -> None:
        raise AssertionError("a stored figure must not be drawn again")

    monkeypatch.setattr(figures, "new_figure", no_drawing)
    second = _draws(ev)
    assert first == second
    # PNG bytes of the same drawing: the <img> wrappers around them are the same
    assert first["face"].count("data:image/png;base64,") == fresh["face"].count("data:image/png;base64,")
    # an SVG differs only in matplotlib's random clip-path ids and the date
    assert _skeleton(first["who"]) == _skeleton(fresh["who"])
    assert "type III" in first["who"]


def _skeleton(svg: str) -> str:
    """An SVG without the parts matplotlib varies between drawings (ids, dates)."""
    import re

    svg = re.sub(r'id="[^"]*"|url\(#[^)]*\)|xlink:href="#[^"]*"|href="#[^"]*"', "", svg)
    return re.sub(r"<dc:date>[^<]*</dc:date>", "", svg)


def test_the_key_follows_every_plotted_number(ev: Evaluation) -> None:
    longer = evaluate("higherdose-face-mask", minutes=ev.session_minutes + 5, photons=PHOTONS)
    # the dose figures change with the session (drawn every time), the cached face map does not
    assert figures.depth_dose_svg(ev) != figures.depth_dose_svg(longer)
    assert figures.dose_windows_svg(ev) != figures.dose_windows_svg(longer)
    assert figures.face_map_html(ev) == figures.face_map_html(longer)
    assert len(list(fc.cache_dir().glob("*.png"))) == 2  # one face map per channel, not two
    d = ev.doses[0]
    key = fc.figure_key("x", [d.wavelength_nm, "red"])
    assert key != fc.figure_key("x", [d.wavelength_nm + 1e-9, "red"])
    assert key != fc.figure_key("x", [d.wavelength_nm, "nir"])
    assert key != fc.figure_key("y", [d.wavelength_nm, "red"])
    assert fc.figure_key("x", [1]) != fc.figure_key("x", [1.0]) != fc.figure_key("x", ["1"])
    assert fc.figure_key("x", ("a", "b")) != fc.figure_key("x", ("ab",))
    with pytest.raises(TypeError):
        fc.figure_key("x", object())  # never keyed on a repr with an address in it


def test_who_figure_key_follows_the_doses(ev: Evaluation) -> None:
    who = ev.who_gets_what
    assert who is not None and who.doses
    d0 = who.doses[0]
    moved = replace(who, doses=[replace(d0, central_j_cm2=d0.central_j_cm2 * 2), *who.doses[1:]])
    assert who_gets_what_svg(who, [ev.device.id]) != who_gets_what_svg(moved, [ev.device.id])


SAFE = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g/></svg>'


@pytest.mark.parametrize(
    "text",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><g/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g ONCLICK="x()"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://example.com/track.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><g/></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://example.com/x.css);</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g style="fill: url(http://example.com/p)"/></svg>',
        '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',  # not well-formed
        "<div>not an svg</div>",
        '<svg xmlns="http://www.w3.org/2000/svg"/></div><script>alert(1)</script>',
    ],
)
def test_unsafe_svg_is_refused(text: str) -> None:
    assert not fc.safe_svg(text)


def test_the_report_figures_pass_the_check(ev: Evaluation) -> None:
    assert fc.safe_svg(SAFE)
    assert ev.who_gets_what is not None
    assert fc.safe_svg(who_gets_what_svg(ev.who_gets_what, [ev.device.id], use_cache=False))
    assert fc.safe_svg(figures.depth_dose_svg(ev))
    assert fc.safe_svg(figures.dose_windows_svg(ev))


def test_a_tampered_svg_is_drawn_again_and_overwritten(ev: Evaluation) -> None:
    assert ev.who_gets_what is not None

    def who() -> str:
        return who_gets_what_svg(ev.who_gets_what, [ev.device.id])  # type: ignore[arg-type]

    good = who()
    (path,) = fc.cache_dir().glob("*.svg")
    evil = good.replace("<g ", '<script>alert("owned")</script><g ', 1)
    path.write_text(evil, encoding="utf-8")
    again = who()
    assert "<script" not in again and _skeleton(again) == _skeleton(good)
    assert "<script" not in path.read_text("utf-8")  # rewritten
    path.write_bytes(b"\xff\xfe garbage")  # not even text
    assert _skeleton(who()) == _skeleton(good)


def test_a_tampered_png_is_drawn_again(ev: Evaluation) -> None:
    good = figures.face_map_html(ev)
    for path in fc.cache_dir().glob("*.png"):
        path.write_bytes(b'"><script>alert(1)</script>')
    again = figures.face_map_html(ev)
    assert "<script" not in again and again.count("data:image/png;base64,") == good.count(
        "data:image/png;base64,"
    )
    for path in fc.cache_dir().glob("*.png"):
        assert path.read_bytes().startswith(fc.PNG_SIGNATURE)


def test_cache_off_draws_every_time(ev: Evaluation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fc.DISABLE_ENV, "0")
    figures.face_map_html(ev)
    assert not fc.cache_dir().exists() or not list(fc.cache_dir().glob("*"))


def test_a_warm_report_imports_no_matplotlib_numba_or_scipy(tmp_path: Path) -> None:
    """The cause of a fast warm `evaluate --html` (the time itself is in benchmarks/evaluate.py):
    with the caches filled, rendering the report draws nothing and no Monte Carlo runs."""
    code = textwrap.dedent(
        f"""
        import sys
        from photodose.services.evaluate import evaluate
        from photodose.report.html import render_html
        page = render_html(evaluate("higherdose-face-mask", photons={PHOTONS}))
        heavy = ("matplotlib", "numba", "scipy", "photodose.transport.engine")
        print(len(page), *sorted(m for m in heavy if m in sys.modules))
        """
    )
    env = dict(os.environ, PHOTODOSE_CACHE_DIR=str(tmp_path / "warm"))
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "matplotlib" in cold.stdout  # the first run draws
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert warm.stdout.split()[1:] == [], warm.stdout
    assert warm.stdout.split()[0] == cold.stdout.split()[0]  # the same page length
    # another session length: the dose figures change, and are written without matplotlib
    longer = code.replace(f"photons={PHOTONS})", f"photons={PHOTONS}, minutes=7.5)")
    assert longer != code
    new = subprocess.run([sys.executable, "-c", longer], env=env, capture_output=True, text=True, check=True)
    assert new.stdout.split()[1:] == [], new.stdout


def test_the_cache_keeps_at_most_max_files(tmp_path: Path) -> None:
    import time

    folder = tmp_path / "figs"
    for i in range(6):
        fc._write(folder / f"{i}.svg", SAFE)
        os.utime(folder / f"{i}.svg", (time.time() + i, time.time() + i))
    fc._prune(folder, keep=4)
    assert sorted(p.name for p in folder.iterdir()) == ["2.svg", "3.svg", "4.svg", "5.svg"]
