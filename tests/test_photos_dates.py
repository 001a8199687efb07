"""The one photo-date check shared by ``photo add --date``, the web form and the EXIF date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from photodose.photos.dates import EARLIEST_PHOTO_YEAR, check_photo_date, exif_photo_date, parse_photo_date
from photodose.photos.decode import PhotoError

TODAY = date(2026, 11, 30)


@given(st.dates(min_value=date(EARLIEST_PHOTO_YEAR, 1, 1), max_value=TODAY))
def test_every_plausible_day_round_trips(day: date) -> None:
    assert parse_photo_date(f"  {day.isoformat()} ", today=TODAY) == day
    assert exif_photo_date(f"{day.isoformat()}T08:15:00", today=TODAY) == day


@given(
    st.dates(min_value=TODAY + timedelta(days=1)) | st.dates(max_value=date(EARLIEST_PHOTO_YEAR - 1, 12, 31))
)
def test_implausible_days_are_refused_with_the_field_and_a_fix(day: date) -> None:
    with pytest.raises(PhotoError) as e:
        parse_photo_date(day.isoformat(), today=TODAY)
    assert e.value.field == "date" and e.value.fix
    assert ("future" in e.value.message) == (day > TODAY)
    # a camera clock that was never set: the EXIF date is ignored, not an error
    assert exif_photo_date(f"{day.isoformat()}T00:00:00", today=TODAY) is None


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "30/11/2026", "2026-02-30", "'; DROP"])
def test_text_that_is_not_a_date(text: str) -> None:
    with pytest.raises(PhotoError, match="is not a date") as e:
        parse_photo_date(text, today=TODAY)
    assert "YYYY-MM-DD" in e.value.fix


def test_no_text_means_the_photo_s_own_date() -> None:
    assert parse_photo_date(None) is None and parse_photo_date("   ") is None
    assert exif_photo_date(None) is None and exif_photo_date("garbage") is None
    assert check_photo_date(TODAY, today=TODAY) == TODAY
