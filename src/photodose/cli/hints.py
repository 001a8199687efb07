"""The CLI's rendering of the services' hints: a face-neutral phrase ("enter a meter reading")
becomes the option that does it (``--meter-reading``).

The services (:mod:`photodose.services.bottom_line`, :mod:`photodose.services.compare`) and
the models (the meter flags of :mod:`photodose.device.meter`, the stated-vs-modelled summary of
:mod:`photodose.device.stated`) word their advice for no face in particular and say what can be
entered as a :class:`~photodose.hints.Hint`; no model text names a CLI option. The web app
renders the same hints as links to its form fields. Cheap to import (no photodose model imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from photodose.hints import action_and_phrase

#: hint action → what the terminal says instead of the neutral phrase
CLI_HINTS = {
    "meter_reading": "give it with --meter-reading",
    "meter_position": "--meter-position over-led|between-leds",
    "minutes": "give --minutes",
    "sessions_per_week": "give --sessions-per-week",
}


#: ``photodose evaluate``'s wording of the models' advice (the meter flags of
#: :func:`photodose.device.meter.interpret_reading` and the stated-vs-modelled summary of
#: :func:`photodose.device.stated.compare_stated`), used with :func:`with_cli_hints`
EVALUATE_MODEL_HINTS = {
    "meter_position": "say which with --meter-position over-led or between-leds",
    "meter_reading": "photodose evaluate --meter-reading … --meter-position over-led|between-leds",
}
#: ``photodose meter``'s wording of the meter flags (its option is ``--position``)
METER_MODEL_HINTS = {"meter_position": "say which with --position over-led or between-leds"}


def with_cli_hints(text: str, hints: Iterable[Any], wording: Mapping[str, str] | None = None) -> str:
    """``text`` with each hint's neutral phrase replaced by the CLI option that acts on it (a
    hint whose action the CLI does not know keeps its phrase). ``hints``: :class:`~photodose.hints.Hint`
    objects or their ``to_dict()``; ``wording``: action → text, for a command whose options or
    sentence differ from :data:`CLI_HINTS`."""
    for h in hints:
        action, phrase = action_and_phrase(h)
        option = (wording or {}).get(action) or CLI_HINTS.get(action)
        if option is not None and phrase:
            text = text.replace(phrase, option, 1)
    return text


def evaluation_json_with_cli_hints(obj: dict[str, Any], meter_hints: Iterable[Any]) -> dict[str, Any]:
    """``Evaluation.to_json()`` with the models' advice worded as ``photodose evaluate``'s options
    (the notes and meter flags, the stated-vs-modelled summary); the hints themselves are kept."""
    meter_hints = list(meter_hints)
    obj["notes"] = [with_cli_hints(n, meter_hints, EVALUATE_MODEL_HINTS) for n in obj.get("notes", [])]
    if obj.get("meter"):
        obj["meter"]["flags"] = [
            with_cli_hints(f, meter_hints, EVALUATE_MODEL_HINTS) for f in obj["meter"].get("flags", [])
        ]
    sv = obj.get("stated_vs_modelled")
    if sv and sv.get("bottom_line"):
        sv["bottom_line"] = with_cli_hints(sv["bottom_line"], sv.get("hints", []), EVALUATE_MODEL_HINTS)
    return obj
