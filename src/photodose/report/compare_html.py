"""The self-contained HTML page of a side-by-side comparison (renders a service's result only)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from photodose import __version__
from photodose.report.format import TIMER_LABELS, VERDICT_SHORT, fmt, minutes_range
from photodose.report.html import guide_context, mark_c, range_html, short_names, stylesheet
from photodose.report.who_figure import who_gets_what_svg
from photodose.services.compare import Comparison


def triple_html(v: tuple[float, float, float] | list[float] | None) -> Markup:
    """'central (low–high)' with the range kept together; '—' for no value."""
    if v is None:
        return Markup("—")
    lo, c, hi = v
    return range_html(lo, c, hi)


def render_compare_html(cmp: Comparison, docs_base: str | None = None) -> str:
    """The comparison as one HTML string: inline CSS, no external resources, no script.

    ``docs_base``: where its "Guide:" links point, as for :func:`photodose.report.html.render_html`
    (``None`` = the built site on this machine, else the web app's address with a note).
    """
    env = Environment(autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    text = (files("photodose") / "report" / "templates" / "compare.html.j2").read_text("utf-8")
    who = None
    if cmp.evaluations and cmp.evaluations[0].who_gets_what is not None:
        who = cmp.evaluations[0].who_gets_what.for_devices([ev.device.id for ev in cmp.evaluations])
    return env.from_string(text).render(
        cmp=cmp,
        evs=cmp.evaluations,
        who=who,
        who_svg=Markup(who_gets_what_svg(who, names=short_names())) if who is not None else "",
        version=__version__,
        today=dt.date.today().isoformat(),
        css=Markup(stylesheet()),
        triple=triple_html,
        fmt=fmt,
        minutes_range=minutes_range,
        mark_c=mark_c,
        verdict_short=lambda v: VERDICT_SHORT.get(v, v),
        timer_label=lambda v: TIMER_LABELS.get(v, v),
        **guide_context(docs_base),
    )


def write_compare_html(cmp: Comparison, path: str | Path, docs_base: str | None = None) -> Path:
    """:func:`render_compare_html` written to ``path``."""
    p = Path(path)
    p.write_text(render_compare_html(cmp, docs_base), encoding="utf-8")
    return p
