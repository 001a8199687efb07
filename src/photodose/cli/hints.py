"""The CLI's rendering of the services' hints: a face-neutral phrase ("enter a meter reading")
becomes the option that does it (``--meter-reading``).

The services (:mod:`photodose.services.bottom_line`, :mod:`photodose.services.compare`) word
their advice for no face in particular and say what can be entered as a
:class:`~photodose.services.bottom_line.Hint`; the web app renders the same hints as links to
its form fields. Cheap to import (no photodose model imports).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: hint action → what the terminal says instead of the neutral phrase
CLI_HINTS = {
    "meter_reading": "give it with --meter-reading",
    "meter_position": "--meter-position over-led|between-leds",
    "minutes": "give --minutes",
    "sessions_per_week": "give --sessions-per-week",
}


def with_cli_hints(text: str, hints: Iterable[Any]) -> str:
    """``text`` with each hint's neutral phrase replaced by the CLI option that acts on it (a
    hint whose action the CLI does not know keeps its phrase)."""
    for h in hints:
        option = CLI_HINTS.get(h.action)
        if option is not None and h.phrase:
            text = text.replace(h.phrase, option, 1)
    return text
