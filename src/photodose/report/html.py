"""The self-contained HTML report of an evaluation (works offline, opened from disk)."""

from __future__ import annotations

import datetime as dt
import html
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from photodose import __version__
from photodose.device import REGIONS, Estimate, summary_stats
from photodose.report.figures import depth_dose_svg, dose_windows_svg, face_map_html
from photodose.report.format import (
    TIMER_LABELS,
    VERDICT_LABELS,
    VERDICT_SHORT,
    citation_links,
    fmt,
    minutes_range,
    mm,
    rng,
)
from photodose.report.guide import guide_line, standalone_base
from photodose.report.who_figure import who_gets_what_svg
from photodose.services.evaluate import Evaluation
from photodose.services.irradiance_cache import treated_mask as cached_treated_mask

CITED = {"exact", "secondary"}
ASSUMED = {"assumption", "unverified", "not_found"}


def _mark(kind: str, letter: str, title: str) -> Markup:
    """A provenance mark whose text opens on a tap, a click or keyboard focus (no hover, no
    script): a focusable span; CSS shows its ``.prov`` child while it has focus."""
    t = html.escape(title)
    return Markup(
        f'<span class="mark {kind}" tabindex="0" role="button" title="{t}" aria-label="{kind}: {t}">'
        f'{letter}<span class="prov">{t}</span></span>'
    )


def range_html(low: float, central: float, high: float) -> Markup:
    """'central (low–high)' with the range on its own unbreakable piece (wraps on a phone)."""
    if low == high:
        return Markup(f'<span class="c">{html.escape(fmt(central))}</span>')
    return Markup(
        f'<span class="c">{html.escape(fmt(central))}</span> '
        f'<span class="r">({html.escape(fmt(low))}–{html.escape(fmt(high))})</span>'
    )


def rng_html(e: Estimate) -> Markup:
    """An estimate as :func:`range_html`."""
    return range_html(e.low, e.central, e.high)


def cite_html(citation: str) -> Markup:
    """A citation with its DOI, PubMed and PMC ids as links."""
    text = html.escape(citation)
    for found, url, _ in citation_links(citation):
        esc = html.escape(found)
        text = text.replace(esc, f'<a href="{html.escape(url)}" rel="noopener">{esc}</a>', 1)
    return Markup(text)


def mark_c(title: str = "computed by photodose") -> Markup:
    return _mark("computed", "C", title)


def mark_est(e: Estimate) -> Markup:
    """Computed, with a note when it rests on an assumption (its range is then shown)."""
    if e.provenance.startswith(("computed", "calibrated")) or e.confidence == "derived":
        extra = " — rests on assumptions; range shown" if e.confidence in ASSUMED else ""
        return mark_c(f"{e.provenance}{extra} [{e.confidence}]")
    if e.confidence in CITED:
        return _mark("cited", "S", f"{e.provenance} [{e.confidence}]")
    return _mark("assumption", "A", f"{e.provenance} [{e.confidence}]")


def mark_sourced(s: Any) -> Markup:
    conf = getattr(s, "confidence", "")
    kind, letter = ("cited", "S") if conf in CITED else ("assumption", "A")
    return _mark(kind, letter, f"{getattr(s, 'source', '')} [{conf}]")


def mark_text(source: str) -> Markup:
    low = source.lower()
    if low.startswith("assumption") or "unverified" in low or "not found" in low:
        return _mark("assumption", "A", source)
    if source.startswith("given by you"):
        return _mark("cited", "S", "your input")
    return _mark("cited", "S", source)


def _inputs(ev: Evaluation) -> list[dict[str, str]]:
    d = ev.device
    rows = []
    for ch in d.channels:
        for what, s, unit in (
            ("peak wavelength", ch.peak_nm, "nm"),
            ("spectral width (FWHM)", ch.fwhm_nm, "nm"),
            ("LED count", ch.led_count, ""),
            ("radiant power per LED", ch.radiant_power_mw_per_led, "mW"),
            ("total optical power", ch.total_optical_power_mw, "mW"),
        ):
            if s is not None:
                rows.append(
                    {
                        "what": f"{ch.name}: {what}",
                        "value": s.describe(unit),
                        "source": s.source + (f" — {s.note}" if s.note else ""),
                        "confidence": s.confidence,
                    }
                )
    for what, s, unit in (
        ("beam viewing angle", d.beam.viewing_angle_deg, "°"),
        ("beam cos^m exponent", d.beam.cos_exponent_m, ""),
        ("standoff from the skin", d.geometry.standoff_cm, "cm"),
    ):
        if s is not None:
            rows.append(
                {
                    "what": what,
                    "value": s.describe(unit),
                    "source": s.source,
                    "confidence": s.confidence,
                }
            )
    rows.append(
        {
            "what": "session length",
            "value": f"{fmt(ev.session_minutes)} min",
            "source": ev.session_minutes_source,
            "confidence": "",
        }
    )
    rows.append(
        {
            "what": "sessions per week",
            "value": fmt(ev.sessions_per_week),
            "source": ev.sessions_per_week_source,
            "confidence": "",
        }
    )
    return rows


def _standing_rows(ev: Evaluation) -> list[dict[str, Any]]:
    by_range = ev.standing.get("by_range")
    if by_range:  # same kind only, with ranges (photodose.device.ranking.rank_by_range)
        return [
            {
                "name": item["name"],
                "kind": str(item["kind"]).replace("_", "-"),
                "value": item["central"],
                "low": item["low"],
                "high": item["high"],
                "relation": "this device"
                if item["is_subject"]
                else str(item["relation"])
                .replace("above", "certainly higher")
                .replace("below", "certainly lower"),
                "self": bool(item["is_subject"]),
            }
            for item in reversed(by_range["ordering"])
        ]
    ranking = ev.standing.get("ranking", {})
    rows = []
    for item in reversed(ranking.get("ordering", [])):
        subject = bool(item.get("is_subject"))
        kind = ev.device.kind if subject else str(item.get("kind"))
        rows.append(
            {
                "name": item.get("name"),
                "kind": kind.replace("_", "-"),
                "value": item.get("value"),
                "self": subject,
            }
        )
    return rows


EYE_REGIONS = ("periorbital",)


def short_names() -> dict[str, str]:
    """Catalogue id → device name, short enough for a figure's row label."""
    from photodose.device import catalog

    return {d.id: d.name if len(d.name) <= 40 else d.name[:25] + "…" + d.name[-14:] for d in catalog()}


def stylesheet() -> str:
    """The report's CSS (shared by the evaluation and the comparison reports)."""
    return (files("photodose") / "report" / "templates" / "style.css").read_text("utf-8")


def _skin_validation() -> str:
    """One line: which measured-skin validation the skin model passes, with sources."""
    from photodose.validation import summary_line

    return summary_line()


def guide_context(docs_base: str | None) -> dict[str, Any]:
    """The templates' ``guide`` and ``guide_note``: ``guide(section)`` renders the section's "Guide:"
    line (:data:`GUIDE_LINKS`), each link made from ``docs_base`` (:meth:`GuideLink.href`); ``None``
    = a report opened from disk (:func:`photodose.report.guide.standalone_base`, with its note)."""
    note = None
    if docs_base is None:
        docs_base, note = standalone_base()
    base = docs_base

    def guide(key: str) -> Markup:
        return Markup(guide_line(key, base, "small guide"))

    return {"guide": guide, "guide_note": note}


def render_html(ev: Evaluation, docs_base: str | None = None) -> str:
    """The report as one HTML string: inline CSS and SVG, no external resources.

    Parameters
    ----------
    ev : the evaluation to render
    docs_base : where the "Guide:" links point (a URL ending in ``/guide/``, e.g. the web app's);
        ``None`` = a report opened from disk: the built site on this machine, else the web app's
        address with a note to start it (:func:`photodose.report.guide.standalone_base`)
    """
    env = Environment(autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    tpl_text = (files("photodose") / "report" / "templates" / "report.html.j2").read_text("utf-8")
    tpl = env.from_string(tpl_text)
    face = ev.face
    overall = {}
    for ci, emap in zip(ev.irradiance, ev.central_maps, strict=True):
        overall[ci.channel] = summary_stats(face, emap, cached_treated_mask(ev.device, None))
    headline = [v for v in ev.verdicts if v.verdict != "wavelength_not_studied"][:4]
    skin_note = (
        f"Fitzpatrick {ev.skin.fitzpatrick} (epidermal melanin calibrated to in vivo absorption, "
        "Norvang 1997; its range and that of blood are carried into the dermal dose), "
        f"{ev.skin.site} layer thicknesses (cited), chromophores and scattering (cited; see "
        "photodose skin --json)."
    )
    return tpl.render(
        ev=ev,
        d=ev.device,
        skin=ev.skin,
        version=__version__,
        today=dt.date.today().isoformat(),
        kind_label=ev.device.kind.replace("_", "-"),
        channels_label=", ".join(f"{fmt(c.wavelength_nm)} nm" for c in ev.doses),
        irr_rows=list(zip(ev.irradiance, ev.doses, ev.device.channels, strict=True)),
        dose_rows=list(zip(ev.doses, ev.depth, strict=True)),
        regions=[r for r in REGIONS if any(r in ci.regions for ci in ev.irradiance)],
        overall=overall,
        headline=headline,
        skin_note=skin_note,
        skin_validation=_skin_validation(),
        face_svg=Markup(face_map_html(ev)),
        depth_svg=Markup(depth_dose_svg(ev)),
        windows_svg=Markup(dose_windows_svg(ev)),
        who_devices={d.device for d in ev.who_gets_what.doses} if ev.who_gets_what is not None else set(),
        who_svg=Markup(
            who_gets_what_svg(ev.who_gets_what, highlight=[ev.device.id], names=short_names())
            if ev.who_gets_what is not None
            else ""
        ),
        standing_rows=_standing_rows(ev),
        inputs=_inputs(ev),
        fmt=fmt,
        rng=rng,
        rng_html=rng_html,
        mm=mm,
        mark_c=mark_c,
        mark_est=mark_est,
        mark_sourced=mark_sourced,
        mark_text=mark_text,
        verdict_label=lambda v: VERDICT_LABELS.get(v, v),
        verdict_short=lambda v: VERDICT_SHORT.get(v, v),
        timer_label=lambda v: TIMER_LABELS.get(v, v),
        minutes_range=minutes_range,
        cite=cite_html,
        bl=ev.bottom_line,
        css=Markup(stylesheet()),
        eye_regions=EYE_REGIONS,
        **guide_context(docs_base),
    )


def write_html(ev: Evaluation, path: str | Path, docs_base: str | None = None) -> Path:
    """:func:`render_html` written to ``path``."""
    p = Path(path)
    p.write_text(render_html(ev, docs_base), encoding="utf-8")
    return p
