"""A plan for a goal with a device: minutes per session, sessions per week, weeks, photo
check-ins and what to expect when — all from the trials' dose windows and timelines."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from photodose.device import DeviceSpec
from photodose.errors import FieldError
from photodose.evidence import DoseWindow, dose_window, load_evidence
from photodose.goals import GOAL_INDICATION
from photodose.plan.schedule import (
    MAX_CYCLES,
    choose_minutes,
    photo_checkins,
    position,
    weekday_numbers,
    weekdays_for,
)
from photodose.services.person import (
    ChannelRate,
    ModeChoice,
    channel_rates,
    choose_mode,
    device_spec,
    modes,
)

# goal → evidence indication: the one map of photodose.goals (the journal uses it too)
GOALS: dict[str, str] = GOAL_INDICATION
DEFAULT_SESSIONS_PER_WEEK = 3
DEFAULT_WEEKS = 12
SCHEDULE_ASSUMPTION = (
    "assumption: {spw} sessions/week for {weeks} weeks (range 2–5 sessions/week, 4–16 weeks: "
    "the schedules of the controlled trials in studies.toml), as no controlled trial of this goal "
    "gives a usable schedule in this band"
)
FITZPATRICK = ("I", "II", "III", "IV", "V", "VI")
# Jagdeo et al. 2020 (J Biophotonics 13:e201960014): red LED maximum tolerated dose
MTD_J_CM2 = {"skin_of_colour": 320.0, "other": 480.0}
NOT_MEDICAL_ADVICE = (
    "Not medical advice: this plan matches a device to the doses that controlled trials tested; "
    "it cannot promise their results. Run `photodose screen` first and stop at any burn, blister "
    "or lasting redness."
)


class PlanInputError(FieldError, ValueError):
    """A plan cannot be made from these inputs; ``field`` names the input and ``fix`` what to do."""


@dataclass(frozen=True)
class Expectation:
    week: float
    expect: str
    study: str
    citation: str
    design: str
    confidence: str


@dataclass
class BandPlan:
    band: str
    channels: list[str]
    window_j_cm2: tuple[float, float] | None
    window_text: str
    rests_on: list[str]
    dose_j_cm2: tuple[float, float, float]  # low, central, high per session
    position: str  # below / within / above / no window
    position_high: str

    @property
    def uncertain(self) -> bool:
        """The low–high dose range ends on another side of the window than the central dose."""
        w = self.window_j_cm2
        if w is None:
            return False
        return len({position(d, w) for d in self.dose_j_cm2}) > 1

    @property
    def position_text(self) -> str:
        """``position``, with "(uncertain: …)" when the dose range crosses the window's edge."""
        if not self.uncertain:
            return self.position
        lo, _, hi = self.dose_j_cm2
        return f"{self.position} (uncertain: the range {lo:.3g}–{hi:.3g} J/cm² crosses the trials' doses)"


@dataclass
class Plan:
    goal: str
    indication: str
    device_id: str
    device_name: str
    mode: str
    timer_min: float
    timer_source: str
    minutes: float
    cycles: float
    sessions_per_week: int
    sessions_per_week_source: str
    weeks: int
    weeks_source: str
    fitzpatrick: str
    bands: list[BandPlan]
    checkin_weeks: list[int]
    expectations: list[Expectation]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    start_date: date | None = None
    notice: str = NOT_MEDICAL_ADVICE

    @property
    def reaches_window(self) -> bool:
        return any(b.position == "within" for b in self.bands)

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "indication": self.indication,
            "device": {"id": self.device_id, "name": self.device_name},
            "mode": self.mode,
            "timer_min": self.timer_min,
            "timer_source": self.timer_source,
            "minutes_per_session": self.minutes,
            "timer_cycles": self.cycles,
            "sessions_per_week": self.sessions_per_week,
            "sessions_per_week_source": self.sessions_per_week_source,
            "weeks": self.weeks,
            "weeks_source": self.weeks_source,
            "fitzpatrick": self.fitzpatrick,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "reaches_window": self.reaches_window,
            "bands": [
                {
                    "band": b.band,
                    "channels": b.channels,
                    "window_j_cm2": list(b.window_j_cm2) if b.window_j_cm2 else None,
                    "window": b.window_text,
                    "rests_on": b.rests_on,
                    "dose_per_session_j_cm2": {
                        "low": b.dose_j_cm2[0],
                        "central": b.dose_j_cm2[1],
                        "high": b.dose_j_cm2[2],
                    },
                    "position": b.position,
                    "position_high_scenario": b.position_high,
                    "uncertain": b.uncertain,
                }
                for b in self.bands
            ],
            "photo_checkin_weeks": self.checkin_weeks,
            "expectations": [e.__dict__ for e in self.expectations],
            "warnings": self.warnings,
            "notes": self.notes,
            "not_medical_advice": self.notice,
        }


def load_timelines() -> list[dict[str, Any]]:
    text = (resources.files("photodose") / "data" / "plan" / "timelines.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["point"])


def expectations(goal: str) -> list[Expectation]:
    """What controlled and uncontrolled trials reported, and when, for ``goal`` (cited)."""
    ev = load_evidence()
    by_id = {s.id: s for s in ev.studies}
    out = []
    for p in load_timelines():
        if p["goal"] != goal:
            continue
        s = by_id[p["study"]]
        out.append(
            Expectation(float(p["week"]), p["expect"], s.id, s.citation(), s.design_text(), p["confidence"])
        )
    return sorted(out, key=lambda e: e.week)


def _fitz(fitzpatrick: str) -> str:
    f = fitzpatrick.strip().upper()
    if f not in FITZPATRICK:
        raise PlanInputError(
            "--fitzpatrick", f"{fitzpatrick!r} is not a Fitzpatrick type", "use I, II, III, IV, V or VI"
        )
    return f


def _window(w: DoseWindow) -> tuple[float, float] | None:
    """The per-session fluence window [J/cm²]; when every trial reported only a maximum ("≤"),
    the lower end is unknown and taken as 0."""
    r = w.fluence_j_cm2
    if r is None:
        return None
    if all(v.qualifier == "at_most" for v in r.values):
        return (0.0, r.max)
    return (r.min, r.max)


def _mode_score(m: ModeChoice, windows: dict[str, DoseWindow]) -> int:
    return sum(1 for b in set(m.bands) if b in windows and windows[b].fluence_j_cm2 is not None)


def make_plan(
    goal: str,
    device: str | Path | DeviceSpec,
    *,
    fitzpatrick: str = "III",
    mode: str | None = None,
    start: date | None = None,
) -> Plan:
    """Build the plan (see module docstring and docs/person.md for every rule)."""
    if goal not in GOALS:
        raise PlanInputError("--goal", f"unknown goal {goal!r}", "use one of " + ", ".join(GOALS))
    fitz = _fitz(fitzpatrick)
    spec = device_spec(device)
    indication = GOALS[goal]
    ev = load_evidence()
    windows = {b.id: dose_window(indication, b.id, evidence=ev) for b in ev.bands}

    if mode is not None:
        chosen = choose_mode(spec, mode)
    else:  # the mode that lights the most bands with a window; the device's default on ties
        chosen = max(modes(spec), key=lambda m: (_mode_score(m, windows), m.name == spec.mode.name))
    rates: list[ChannelRate] = channel_rates(spec, chosen)

    band_rates: dict[str, list[float]] = {}
    band_channels: dict[str, list[str]] = {}
    for r in rates:
        if r.band is None:
            continue
        lo, c, hi = r.dose_per_min_j_cm2
        acc = band_rates.setdefault(r.band, [0.0, 0.0, 0.0])
        acc[0] += lo
        acc[1] += c
        acc[2] += hi
        band_channels.setdefault(r.band, []).append(r.channel)
    win = {b: _window(windows[b]) for b in band_rates}
    usable = {b: w for b, w in win.items() if w is not None}
    choice = choose_minutes({b: v[1] for b, v in band_rates.items()}, usable, chosen.timer_min)

    warnings: list[str] = []
    notes: list[str] = []
    bands: list[BandPlan] = []
    for b, (rlo, rc, rhi) in band_rates.items():
        dw = windows[b]
        w = win[b]
        dose = (rlo * choice.minutes, rc * choice.minutes, rhi * choice.minutes)
        pos = position(dose[1], w) if w else "no window"
        pos_hi = position(dose[2], w) if w else "no window"
        bands.append(BandPlan(b, band_channels[b], w, dw.status_text(), list(dw.rests_on), dose, pos, pos_hi))
        if w is None:
            notes.append(f"{dw.band_name}: {dw.status_text()} for {dw.indication_name}")
            continue
        max_min = chosen.timer_min * MAX_CYCLES
        if pos == "below" and rc * max_min < w[0]:
            reach = (
                "reaches it only in the high scenario"
                if rhi * max_min >= w[0]
                else "does not reach it even in the high scenario"
            )
            warnings.append(
                f"{spec.name} cannot reach the {dw.band_name} window for {dw.indication_name}: "
                f"{dose[1]:.3g} J/cm² per session (central; {dose[0]:.3g}–{dose[2]:.3g}) in the planned "
                f"{choice.minutes:g} min, at most {rc * max_min:.3g} J/cm² in {max_min:g} min "
                f"({MAX_CYCLES} back-to-back runs of its {chosen.timer_min:g}-min timer), against "
                f"{w[0]:.3g}–{w[1]:.3g} J/cm² in the controlled trials; it {reach}"
            )
        elif pos == "below":
            warnings.append(
                f"{dw.band_name}: {dose[1]:.3g} J/cm² per session is below the {w[0]:.3g}–{w[1]:.3g} J/cm² "
                f"of the trials; {w[0] / rc:.3g} min would reach it, but the planned {choice.minutes:g} min "
                "keeps the device's other band(s) inside their windows"
            )
        elif pos == "above":
            warnings.append(
                f"{dw.band_name}: even the shortest session gives {dose[1]:.3g} J/cm², above the "
                f"{w[0]:.3g}–{w[1]:.3g} J/cm² the trials used; more light is not better (biphasic "
                "dose response, Huang et al. 2009)"
            )
    if not usable:
        warnings.append(
            f"no controlled trial of {GOALS[goal]} reports a usable dose in the bands of {spec.name} "
            f"({', '.join(band_rates) or 'none in a studied band'}): the plan uses the device's timer "
            "and an assumed schedule"
        )

    # schedule: the trials' sessions/week and weeks in the bands used, else an assumption
    spw_vals = [windows[b].sessions_per_week for b in usable if windows[b].sessions_per_week is not None]
    wk_vals = [windows[b].weeks for b in usable if windows[b].weeks is not None]
    if spw_vals:
        lo = min(r.min for r in spw_vals if r)
        hi = max(r.max for r in spw_vals if r)
        spw = max(1, min(7, round((lo + hi) / 2)))
        ids = sorted({i for r in spw_vals if r for i in r.rests_on})
        spw_src = (
            f"middle of the controlled trials' {lo:g}–{hi:g} sessions/week ({', '.join(ids)})"
            if hi > lo
            else f"the controlled trials' {lo:g} sessions/week ({', '.join(ids)})"
        )
    else:
        spw = DEFAULT_SESSIONS_PER_WEEK
        spw_src = SCHEDULE_ASSUMPTION.format(spw=spw, weeks=DEFAULT_WEEKS)
    if wk_vals:
        wlo = min(r.min for r in wk_vals if r)
        whi = max(r.max for r in wk_vals if r)
        weeks = math.ceil(whi)
        ids = sorted({i for r in wk_vals if r for i in r.rests_on})
        span = f"{wlo:g}–{whi:g}" if whi > wlo else f"{whi:g}"
        wk_src = f"the longest controlled trial in the window ({span} weeks; {', '.join(ids)})"
    else:
        weeks = DEFAULT_WEEKS
        wk_src = SCHEDULE_ASSUMPTION.format(spw=spw, weeks=weeks)

    # safety ceiling by skin type (Jagdeo 2020), on the high-scenario red dose
    skin_group = "skin_of_colour" if fitz in ("IV", "V", "VI") else "other"
    ceiling = MTD_J_CM2[skin_group]
    red = next((b for b in bands if b.band == "red"), None)
    if red is not None and red.dose_j_cm2[2] > ceiling:
        warnings.append(
            f"red dose per session up to {red.dose_j_cm2[2]:.3g} J/cm² (high scenario) exceeds the "
            f"{ceiling:g} J/cm² maximum tolerated dose for Fitzpatrick {fitz} (Jagdeo et al. 2020; "
            "types IV–VI read as 'skin of colour' is an assumption)"
        )
    notes.append(
        f"doses are surface fluence H = E·t from the device's modelled irradiance over an average face "
        f"(low/central/high); Fitzpatrick {fitz} changes the dose that reaches the dermis, not the window"
    )
    return Plan(
        goal=goal,
        indication=indication,
        device_id=spec.id,
        device_name=spec.name,
        mode=chosen.name,
        timer_min=chosen.timer_min,
        timer_source=chosen.timer_source,
        minutes=choice.minutes,
        cycles=choice.cycles,
        sessions_per_week=spw,
        sessions_per_week_source=spw_src,
        weeks=weeks,
        weeks_source=wk_src,
        fitzpatrick=fitz,
        bands=bands,
        checkin_weeks=photo_checkins(weeks),
        expectations=expectations(goal),
        warnings=warnings,
        notes=notes,
        start_date=start,
    )


def session_dates(plan: Plan, start: date) -> list[date]:
    """The plan's session days from ``start`` (its weekday pattern, ``weeks`` weeks)."""
    days = weekday_numbers(weekdays_for(plan.sessions_per_week))
    out = []
    for i in range(plan.weeks * 7):
        d = start + timedelta(days=i)
        if d.weekday() in days:
            out.append(d)
    return out
