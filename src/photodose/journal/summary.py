"""The journal view: adherence against the latest plan and cumulative dose per channel and
per indication window (a service over the store, the pure adherence model and the evidence)."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from photodose.goals import GOAL_INDICATION
from photodose.journal.adherence import (
    CHECKIN_TOLERANCE_DAYS,
    LoggedSession,
    PlanTarget,
    adherence,
    photo_checkins,
    window_position,
)
from photodose.journal.db import Journal
from photodose.journal.store import latest_plan, local_date, outcomes, photo_days, sessions


def _band(wavelength_nm: float) -> str | None:
    from photodose.evidence import band_for_wavelength, load_evidence

    b = band_for_wavelength(wavelength_nm, load_evidence().bands)
    return None if b is None else b.id


def _photos(journal: Journal, plan: dict[str, Any] | None, today: date) -> dict[str, Any]:
    """Progress photos stored (days) and, when the plan has photo check-ins, which were done."""
    days = photo_days(journal)
    weeks = ((plan or {}).get("plan") or {}).get("photo_checkin_weeks") if plan else None
    out: dict[str, Any] = {
        "n_photos": len(days),
        "days": sorted({d.isoformat() for d in days}),
        "checkins": None,
    }
    if plan is not None and isinstance(weeks, list) and weeks:
        rows = photo_checkins(plan["start_date"], [int(w) for w in weeks], days, today)
        out["checkins"] = rows
        out["checkins_done"] = sum(r["state"] == "done" for r in rows)
        out["checkins_missed"] = sum(r["state"] == "missed" for r in rows)
        out["checkins_planned"] = len(rows)
        out["checkin_rule"] = (
            f"a photo within ±{CHECKIN_TOLERANCE_DAYS} days of the check-in day counts (a convention)"
        )
    return out


def journal_summary(journal: Journal, today: date | None = None) -> dict[str, Any]:
    """Sessions, adherence vs the latest plan, cumulative dose per channel and vs windows."""
    today = today or date.today()
    rows = sessions(journal)
    plan = latest_plan(journal)
    logged = [
        LoggedSession(
            local_date(r.started_at),
            r.minutes,
            r.completed,
            {d.channel: (d.fluence_j_cm2_low, d.fluence_j_cm2, d.fluence_j_cm2_high) for d in r.doses},
        )
        for r in rows
    ]
    target = (
        PlanTarget(plan["start_date"], plan["sessions_per_week"], plan["weeks"]) if plan is not None else None
    )
    adh = adherence(logged, target, today)

    # cumulative dose by band, and the mean weekly dose against the weekly-fluence windows
    by_band: dict[str, list[float]] = {}
    for r in rows:
        for d in r.doses:
            b = _band(d.wavelength_nm)
            if b is None:
                continue
            acc = by_band.setdefault(b, [0.0, 0.0, 0.0])
            acc[0] += d.fluence_j_cm2_low
            acc[1] += d.fluence_j_cm2
            acc[2] += d.fluence_j_cm2_high
    windows: list[dict[str, Any]] = []
    if plan is not None and rows:
        from photodose.evidence import dose_window

        ind = GOAL_INDICATION.get(plan["goal"])
        first = min(local_date(r.started_at) for r in rows)
        n_weeks = max(1.0, ((today - first).days + 1) / 7.0)
        for b, (lo, c, hi) in by_band.items():
            if ind is None:
                break
            w = dose_window(ind, b)
            wr = w.weekly_fluence_j_cm2
            win = (wr.min, wr.max) if wr is not None else None
            windows.append(
                {
                    "indication": w.indication_name,
                    "band": b,
                    "weekly_window_j_cm2": list(win) if win else None,
                    "window_rests_on": list(wr.rests_on) if wr is not None else [],
                    "mean_weekly_dose_j_cm2": {
                        "low": lo / n_weeks,
                        "central": c / n_weeks,
                        "high": hi / n_weeks,
                    },
                    "position": window_position(c, n_weeks, win),
                    "weeks_counted": n_weeks,
                }
            )
    return {
        "sessions": [
            {
                "uuid": r.uuid,
                "started_at": r.started_at.replace(tzinfo=UTC).isoformat(),  # explicit UTC offset
                "minutes": r.minutes,
                "device": r.device_key,
                "mode": r.mode,
                "area": r.area,
                "distance_cm": r.distance_cm,
                "completed": r.completed,
                "skin_reaction": r.skin_reaction,
                "doses": [
                    {
                        "channel": d.channel,
                        "wavelength_nm": d.wavelength_nm,
                        "fluence_j_cm2": {
                            "low": d.fluence_j_cm2_low,
                            "central": d.fluence_j_cm2,
                            "high": d.fluence_j_cm2_high,
                        },
                    }
                    for d in r.doses
                ],
            }
            for r in rows
        ],
        "plan": None
        if plan is None
        else {**{k: v for k, v in plan.items() if k != "plan"}, "start_date": plan["start_date"].isoformat()},
        "adherence": adh.to_dict(),
        "cumulative_dose_by_band_j_cm2": {
            b: {"low": v[0], "central": v[1], "high": v[2]} for b, v in by_band.items()
        },
        "windows": windows,
        "outcomes": [{**o, "rated_at": o["rated_at"].isoformat()} for o in outcomes(journal)],
        "photos": _photos(journal, plan, today),
        "dose_model": "surface fluence H = E·t per session from the device's modelled irradiance "
        "(low/central/high)",
    }
