"""The day a progress photo was taken: one check for every way in (``photo add --date``, the web
form's date field, the photo's own EXIF capture date).

A day is accepted when it is a real calendar date, not in the future and not before 1990 (the
first consumer digital cameras; an earlier date is a typo or a camera clock that was never set).
"""

from __future__ import annotations

from datetime import date

from photodose.photos.decode import PhotoError

#: Earliest accepted year (consumer digital cameras: Dycam Model 1, 1990).
EARLIEST_PHOTO_YEAR = 1990
DATE_FIELD = "date"


def check_photo_date(day: date, today: date | None = None) -> date:
    """``day`` if it can be the day a photo was taken, else :class:`PhotoError` on field ``date``."""
    today = today or date.today()
    if day > today:
        raise PhotoError(DATE_FIELD, f"{day} is in the future", "give the day the photo was taken")
    if day.year < EARLIEST_PHOTO_YEAR:
        raise PhotoError(DATE_FIELD, f"{day} is before digital photos", "give the day the photo was taken")
    return day


def parse_photo_date(text: str | None, today: date | None = None) -> date | None:
    """The day in ``text`` (``YYYY-MM-DD``, surrounding spaces ignored), checked by
    :func:`check_photo_date`; ``None`` for no text (the photo's own date is then used).

    Raises :class:`PhotoError` on field ``date`` naming what is wrong and the fix; callers rename
    the field to their own (``--date`` on the command line).
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PhotoError(
            DATE_FIELD,
            f"{text[:20]!r} is not a date",
            "give it as YYYY-MM-DD (e.g. 2026-11-30), or leave it out to use the photo's own date",
        ) from None
    return check_photo_date(day, today)


def exif_photo_date(taken_at: str | None, today: date | None = None) -> date | None:
    """The day of an EXIF capture time (ISO text from the decoder), or ``None`` when there is none or
    it cannot be right (in the future, before 1990: a camera clock that was never set)."""
    if not taken_at:
        return None
    try:
        return check_photo_date(date.fromisoformat(taken_at[:10]), today)
    except (ValueError, PhotoError):
        return None
