"""Hints: what a person can enter to settle or sharpen a point, named for every face.

A model or service words its advice for no face in particular and carries, beside the text, a
:class:`Hint` naming the action (``meter_reading``, ``meter_position``, ``minutes``, …) and the
face-neutral phrase that holds it. Each face renders the phrase its own way: the CLI as the option
that does it (:func:`photodose.cli.hints.with_cli_hints`), the web app as a link to its form field.
No model text names a CLI option. A leaf module (no imports from the package), so any layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Face-neutral phrases for what a person can enter; each face (CLI option, web form field)
#: renders the :class:`Hint` that carries one its own way.
ENTER_METER_READING = "enter a meter reading"
SAY_METER_POSITION = "say where the sensor sat: over one LED or between LEDs"
#: the meter-reading advice of the stated-vs-modelled comparison (:mod:`photodose.device.stated`)
ENTER_METER_READING_AND_POSITION = "enter the reading and where the sensor sat"

#: the sensor positions a meter-position hint suggests
METER_POSITIONS = ("over-led", "between-leds")


@dataclass(frozen=True)
class Hint:
    """Something the person can enter to settle or sharpen a point, named for every face.

    ``action`` is stable (``meter_reading``, ``meter_position``, ``minutes``, ...); ``point`` the
    key of the point (or ``"notes"``) whose text holds ``phrase``, the face-neutral wording a face
    may replace with its own (an option name, a link to a form field); ``params`` suggested values.
    """

    action: str
    point: str
    phrase: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "point": self.point,
            "phrase": self.phrase,
            "params": dict(self.params),
        }


def action_and_phrase(hint: Hint | Mapping[str, Any]) -> tuple[str, str]:
    """``(action, phrase)`` of a :class:`Hint` or of its ``to_dict()`` (as a JSON result carries it)."""
    if isinstance(hint, Mapping):
        return hint["action"], hint["phrase"]
    return hint.action, hint.phrase
