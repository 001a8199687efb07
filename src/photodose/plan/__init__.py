"""A plan for a goal with a device: minutes per session within the device's timer to land inside
the doses controlled trials tested, sessions per week, weeks, photo check-ins and what to
expect when; calendar export (RFC 5545). Pure arithmetic in :mod:`~photodose.plan.schedule`."""

from photodose.plan.build import GOALS, Plan, PlanInputError, expectations, make_plan, session_dates
from photodose.plan.schedule import candidate_minutes, choose_minutes, minutes_for_window, photo_checkins

__all__ = [
    "GOALS",
    "Plan",
    "PlanInputError",
    "candidate_minutes",
    "choose_minutes",
    "expectations",
    "make_plan",
    "minutes_for_window",
    "photo_checkins",
    "session_dates",
]
