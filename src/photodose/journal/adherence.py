"""Adherence against a plan and cumulative dose: pure functions of the logged sessions.

Definitions (project conventions, stated in docs/person.md):

- plan week *k* covers ``start + 7k`` to ``start + 7k + 6`` days (k = 0 … weeks − 1);
- a week is *kept* when its sessions reach the plan's sessions per week (rounded);
- missed sessions = Σ over elapsed plan weeks of max(0, target − sessions done that week);
  the current, unfinished week counts nothing as missed yet;
- streak = the number of consecutive kept weeks ending at the last elapsed week (the current
  week extends it as soon as it is kept); longest streak likewise over the whole plan;
- cumulative dose per channel = Σ delivered surface fluence H = E · t (J/cm², low / central /
  high), the same dose model as each logged session.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class LoggedSession:
    day: date
    minutes: float
    completed: bool
    doses: dict[str, tuple[float, float, float]]  # channel -> (low, central, high) J/cm²


@dataclass(frozen=True)
class PlanTarget:
    start_date: date
    sessions_per_week: float
    weeks: int


@dataclass
class Adherence:
    weeks: list[dict[str, Any]]
    sessions_total: int
    minutes_total: float
    sessions_per_week_mean: float
    missed_sessions: int
    current_streak_weeks: int
    longest_streak_weeks: int
    cumulative_dose_j_cm2: dict[str, tuple[float, float, float]]
    planned: PlanTarget | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "weeks": self.weeks,
            "sessions_total": self.sessions_total,
            "minutes_total": self.minutes_total,
            "sessions_per_week_mean": self.sessions_per_week_mean,
            "missed_sessions": self.missed_sessions,
            "current_streak_weeks": self.current_streak_weeks,
            "longest_streak_weeks": self.longest_streak_weeks,
            "cumulative_dose_j_cm2": {
                k: {"low": v[0], "central": v[1], "high": v[2]} for k, v in self.cumulative_dose_j_cm2.items()
            },
            "plan": None
            if self.planned is None
            else {
                "start_date": self.planned.start_date.isoformat(),
                "sessions_per_week": self.planned.sessions_per_week,
                "weeks": self.planned.weeks,
            },
        }


def cumulative_dose(sessions: Sequence[LoggedSession]) -> dict[str, tuple[float, float, float]]:
    """Σ H per channel (J/cm²), low / central / high."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s in sessions:
        for ch, (lo, c, hi) in s.doses.items():
            a = acc[ch]
            a[0] += lo
            a[1] += c
            a[2] += hi
    return {k: (v[0], v[1], v[2]) for k, v in sorted(acc.items())}


def adherence(sessions: Sequence[LoggedSession], plan: PlanTarget | None, today: date) -> Adherence:
    """Sessions per week, missed sessions and streaks against ``plan`` (see module docstring)."""
    n = len(sessions)
    minutes = sum(s.minutes for s in sessions)
    cum = cumulative_dose(sessions)
    if plan is None:
        if n == 0:
            return Adherence([], 0, 0.0, 0.0, 0, 0, 0, cum, None)
        first = min(s.day for s in sessions)
        span_weeks = max(1.0, ((today - first).days + 1) / 7.0)
        return Adherence([], n, minutes, n / span_weeks, 0, 0, 0, cum, None)

    target = max(1, round(plan.sessions_per_week))
    per_week = [0] * plan.weeks
    for s in sessions:
        k = (s.day - plan.start_date).days // 7
        if 0 <= k < plan.weeks:
            per_week[k] += 1
    elapsed = max(0, min(plan.weeks, (today - plan.start_date).days // 7))  # fully finished weeks
    current = elapsed if elapsed < plan.weeks and today >= plan.start_date else None
    weeks = []
    missed = 0
    kept = []
    for k in range(plan.weeks):
        start = plan.start_date + timedelta(days=7 * k)
        done = per_week[k]
        state = "done" if k < elapsed else ("current" if k == current else "future")
        miss = max(0, target - done) if state == "done" else 0
        missed += miss
        ok = done >= target
        if state == "done" or (state == "current" and ok):
            kept.append(ok)
        weeks.append(
            {
                "week": k + 1,
                "start": start.isoformat(),
                "sessions": done,
                "target": target,
                "missed": miss,
                "state": state,
            }
        )
    streak = 0
    for ok in reversed(kept):
        if not ok:
            break
        streak += 1
    longest = run = 0
    for ok in kept:
        run = run + 1 if ok else 0
        longest = max(longest, run)
    in_plan = sum(per_week)
    span = elapsed + (1 if current is not None else 0)
    mean = in_plan / span if span else 0.0
    return Adherence(weeks, n, minutes, mean, missed, streak, longest, cum, plan)


def window_position(total_j_cm2: float, n_weeks: float, window: tuple[float, float] | None) -> str:
    """Where the mean weekly dose sits against a weekly-fluence window [min, max] J/cm²/week."""
    if window is None or n_weeks <= 0 or math.isnan(total_j_cm2):
        return "no window"
    weekly = total_j_cm2 / n_weeks
    lo, hi = window
    if weekly < lo:
        return "below"
    if weekly > hi:
        return "above"
    return "within"


def day_of(t: datetime) -> date:
    return t.date()


#: A photo counts for a plan's check-in when taken within this many days of it (a convention:
#: half a week either side, so a check-in on a busy day can be done the day before or after).
CHECKIN_TOLERANCE_DAYS = 3


def photo_checkins(
    start_date: date,
    checkin_weeks: Sequence[int],
    photo_days: Sequence[date],
    today: date,
    tolerance_days: int = CHECKIN_TOLERANCE_DAYS,
) -> list[dict[str, Any]]:
    """The plan's photo check-ins against the days photos were stored.

    Check-in *k* is due on ``start + 7·week_k``; it is ``done`` by the photo day nearest to it
    within ± ``tolerance_days`` (each photo day serves one check-in, earliest check-in first),
    ``due`` while today is inside that window, ``missed`` after it, ``upcoming`` before it.
    """
    free = sorted(set(photo_days))
    out: list[dict[str, Any]] = []
    for week in sorted(set(checkin_weeks)):
        due = start_date + timedelta(days=7 * week)
        near = [d for d in free if abs((d - due).days) <= tolerance_days]
        photo = min(near, key=lambda d: (abs((d - due).days), d)) if near else None
        if photo is not None:
            free.remove(photo)
            state = "done"
        elif today > due + timedelta(days=tolerance_days):
            state = "missed"
        elif today >= due - timedelta(days=tolerance_days):
            state = "due"
        else:
            state = "upcoming"
        out.append(
            {
                "week": week,
                "date": due.isoformat(),
                "state": state,
                "photo_day": photo.isoformat() if photo else None,
            }
        )
    return out
