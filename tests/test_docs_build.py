"""The documentation's structure, checked fast (the full site is built by `make docs`, which
`make test` runs: `mkdocs build --strict` executes every gallery example and resolves every link
and API reference)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import photodose
from script_module import load_script

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GALLERY = ROOT / "examples" / "gallery"


def _nav_pages(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [p for item in node for p in _nav_pages(item)]
    if isinstance(node, dict):
        return [p for v in node.values() for p in _nav_pages(v)]
    return []


def _mkdocs_nav() -> list[str]:
    import yaml  # PyYAML comes with mkdocs (the [docs] extra, part of [dev])

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))  # no YAML tags in mkdocs.yml
    return _nav_pages(config["nav"])


def test_every_nav_page_exists() -> None:
    pages = _mkdocs_nav()
    assert len(pages) >= 30
    for page in pages:
        if page.startswith("generated/"):  # written by mkdocs-gallery at build time
            continue
        assert (DOCS / page).is_file(), f"mkdocs.yml nav names docs/{page}, which does not exist"


def test_gallery_has_the_promised_examples() -> None:
    scripts = sorted(GALLERY.glob("plot_*.py"))
    assert len(scripts) >= 8
    for script in scripts:
        tree = ast.parse(script.read_text("utf-8"))
        doc = ast.get_docstring(tree)
        assert doc and doc.lstrip().startswith("# "), f"{script.name}: needs a '# Title' docstring"
        src = script.read_text("utf-8")
        assert 'matplotlib.use("Agg")' in src, f"{script.name}: must draw with the Agg backend"
        assert "plt.show()" in src, f"{script.name}: the gallery captures figures at plt.show()"
    assert (GALLERY / "README.md").is_file()


def _api_identifiers() -> list[str]:
    out = []
    for page in sorted((DOCS / "api").glob("*.md")):
        out += re.findall(r"^::: ([\w.]+)\s*$", page.read_text("utf-8"), flags=re.M)
    return out


@pytest.mark.parametrize("identifier", _api_identifiers())
def test_api_reference_targets_exist(identifier: str) -> None:
    """Each `::: name` of docs/api/ imports (a rename elsewhere shows here before the build)."""
    parts = identifier.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        assert obj.__doc__, f"{identifier} has no docstring: the API reference would be empty"
        return
    pytest.fail(f"{identifier} cannot be imported")


@pytest.mark.parametrize("name", [n for n in photodose.__all__ if callable(getattr(photodose, n))])
def test_public_api_docstrings_are_complete(name: str) -> None:
    """Public functions say what they take and return (units live in these sections)."""
    obj = getattr(photodose, name)
    doc = obj.__doc__ or ""
    assert len(doc.strip().splitlines()) >= 3, f"photodose.{name}: docstring too short"
    if isinstance(obj, type):
        assert "Parameters" in doc, f"photodose.{name}: no Parameters section"
    elif obj.__module__ == "photodose":
        assert "Returns" in doc or "Raises" in doc or name == "open_journal", f"photodose.{name}"


def _rewrite() -> Any:
    return load_script("docs/hooks/griffe_docstrings.py").rewrite


def test_docstring_rewrite_splits_descriptions_but_keeps_types() -> None:
    """The API reference's griffe extension: ``name : description`` → name + description;
    real numpydoc types stay; Sphinx roles become code spans; other sections are untouched."""
    rewrite = _rewrite()
    doc = (
        "Summary with :func:`~photodose.depth.depth_profile`.\n\n"
        "    Parameters\n    ----------\n"
        "    x : float\n        the x [cm]\n"
        "    y : array_like, optional\n        why\n"
        "    z : the zed thing, in cm\n        and more.\n"
        "    a, b : two of them\n\n"
        "    Returns\n    -------\n    out : the result, not a type\n"
    )
    out = rewrite(doc)
    assert "`photodose.depth.depth_profile`" in out and ":func:" not in out
    assert "    x : float\n" in out and "    y : array_like, optional\n" in out
    assert "    z\n        the zed thing, in cm\n        and more." in out
    assert "    a, b\n        two of them" in out
    assert "    out : the result, not a type" in out  # Returns entries keep numpydoc's form
    assert rewrite(out) == out  # idempotent


def test_guide_links_point_at_real_pages_and_anchors() -> None:
    """Every "Guide:" link of the reports and the web app (``photodose.report.guide.GUIDE_LINKS``)
    names a docs page that exists and, with an anchor, a heading of it with that slug
    (Python-Markdown's toc slugify, which MkDocs uses). The links themselves are followed in
    tests/test_web_routes.py (web pages, the downloaded report, a report opened from disk)."""
    from markdown.extensions.toc import slugify

    from photodose.report.guide import GUIDE_LINKS

    for key, links in GUIDE_LINKS.items():
        assert links, key
        for link in links:
            md = DOCS / f"{link.page}.md"
            md = md if md.is_file() else DOCS / link.page / "index.md"
            assert md.is_file(), f"{key}: docs/{link.page}.md does not exist"
            if link.anchor:
                heads = re.findall(r"^#+ (.+)$", md.read_text("utf-8"), flags=re.M)
                assert link.anchor in {slugify(h, "-") for h in heads}, f"{key}: no #{link.anchor} in {md}"


def test_report_sections_each_have_a_guide_line() -> None:
    """The HTML report's template shows a "Guide:" line in each of its sections."""
    from photodose.report.guide import GUIDE_LINKS

    template = (ROOT / "src" / "photodose" / "report" / "templates" / "report.html.j2").read_text("utf-8")
    used = re.findall(r'\{\{ guide\("(\w+)"\) \}\}', template)
    assert used == ["bottom_line", "light", "dose", "verdicts", "standing", "claims", "sources"]
    assert set(used) <= set(GUIDE_LINKS)
    assert "127.0.0.1:8000" not in template  # the address is decided in report/guide.py, not here


def test_sweep_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example on docs/api/sweep.md runs as written (fewer photons, in a temporary folder) and
    prints the least-dosed skin of each channel: type VI, whose melanin absorbs the most."""
    import contextlib
    import io
    import os

    page = (DOCS / "api" / "sweep.md").read_text("utf-8")
    code = re.search(r"```python\n(.*?)```", page, re.S)
    assert code
    source = code.group(1).replace("photons=20_000", "photons=2_000")
    assert "photons=2_000" in source
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "docs/api/sweep.md", "exec"), {})
    lines = out.getvalue().split("\n")
    assert (tmp_path / "sweep.csv").is_file() and os.path.getsize(tmp_path / "sweep.csv") > 0
    printed = [line.split() for line in lines if line.strip()]
    assert {p[0] for p in printed} == {"red", "nir"}
    assert all(p[1] == "VI" and float(p[-1]) > 0 for p in printed)
