"""Calendar export of a plan (RFC 5545 via ``icalendar``): one recurring session event with a
reminder, and one event per photo check-in; :func:`read_back` parses a file and expands it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from photodose.plan.build import Plan
from photodose.plan.schedule import weekday_numbers, weekdays_for

PRODID = "-//photodose//plan//EN"


def _first_on_or_after(start: date, codes: tuple[str, ...]) -> date:
    wanted = weekday_numbers(codes)
    d = start
    while d.weekday() not in wanted:
        d += timedelta(days=1)
    return d


def to_ical(plan: Plan, start: date, at: time = time(20, 0), reminder_min: int = 10) -> bytes:
    """The plan as an iCalendar file (floating local times, so it follows the user's zone)."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"photodose: {plan.goal} with {plan.device_name}")
    codes = weekdays_for(plan.sessions_per_week)
    first = _first_on_or_after(start, codes)
    stamp = datetime.now().replace(microsecond=0)

    ev = Event()
    ev.add("uid", f"photodose-plan-{plan.goal}-{plan.device_id}-{start.isoformat()}@photodose")
    ev.add("dtstamp", stamp)
    ev.add("summary", f"Light session: {plan.minutes:g} min, mode '{plan.mode}' ({plan.device_name})")
    ev.add(
        "description", f"photodose session start {plan.device_id} --minutes {plan.minutes:g}\n{plan.notice}"
    )
    ev.add("dtstart", datetime.combine(first, at))
    ev.add("duration", timedelta(minutes=plan.minutes))
    ev.add("rrule", {"freq": "weekly", "byday": list(codes), "count": plan.sessions_per_week * plan.weeks})
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "photodose: light session")
    alarm.add("trigger", timedelta(minutes=-reminder_min))
    ev.add_component(alarm)
    cal.add_component(ev)

    for wk in plan.checkin_weeks:
        day = start + timedelta(weeks=wk)
        c = Event()
        c.add("uid", f"photodose-checkin-{plan.goal}-{plan.device_id}-{start.isoformat()}-w{wk}@photodose")
        c.add("dtstamp", stamp)
        c.add("summary", f"Photo check-in, week {wk}: same light, same angle, no make-up")
        c.add("dtstart", day)
        c.add("dtend", day + timedelta(days=1))
        a = Alarm()
        a.add("action", "DISPLAY")
        a.add("description", "photodose: photo check-in")
        a.add("trigger", timedelta(hours=9))  # 09:00 on the all-day event's day
        c.add_component(a)
        cal.add_component(c)
    return bytes(cal.to_ical())


def write_ical(plan: Plan, path: Path, start: date) -> None:
    path.write_bytes(to_ical(plan, start))


def read_back(data: bytes) -> dict[str, Any]:
    """Parse an exported calendar and expand its recurring session event (a validation)."""
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    sessions: list[datetime] = []
    checkins: list[date] = []
    alarms = 0
    for comp in cal.walk("VEVENT"):
        alarms += len(comp.walk("VALARM"))
        start = comp.decoded("dtstart")
        if "RRULE" in comp:
            raw = comp["RRULE"].to_ical()
            rule = raw.decode() if isinstance(raw, bytes) else str(raw)
            sessions.extend(rrulestr(rule, dtstart=start))
        elif isinstance(start, datetime):
            sessions.append(start)
        else:
            checkins.append(start)
    return {
        "version": str(cal.get("version")),
        "sessions": sorted(sessions),
        "checkins": sorted(checkins),
        "alarms": alarms,
        "durations_min": [
            comp.decoded("duration").total_seconds() / 60 for comp in cal.walk("VEVENT") if "DURATION" in comp
        ],
    }
