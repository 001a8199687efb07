"""A built copy of the documentation site's guide pages, for the guide-link tests (≈2 s).

The full site (`make docs`) runs the example gallery and the API reference and takes minutes; these
tests need the pages the "Guide:" links point at, built by the same MkDocs + Material as the real
site from the current docs/ (so a heading renamed since the last `make docs` still shows), without
the gallery and the API pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

CONFIG = """\
site_name: photodose
docs_dir: {docs}
site_dir: {out}
theme:
  name: material
  font: false
exclude_docs: |
  /hooks/
  /api/
  /generated/
markdown_extensions:
  - admonition
  - attr_list
  - def_list
  - footnotes
  - tables
  - md_in_html
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.highlight
  - pymdownx.inlinehilite
extra_javascript: [js/file-links.js]
plugins: [search]
"""


def build_guide_site(work: Path) -> Path:
    """Build the guide pages into ``work/site`` with ``mkdocs build`` and return that folder."""
    out = work / "site"
    config = work / "mkdocs.yml"
    config.write_text(CONFIG.format(docs=DOCS, out=out), encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, f"mkdocs build failed:\n{done.stderr[-3000:]}"
    assert (out / "guide" / "verdicts" / "index.html").is_file()
    return out
