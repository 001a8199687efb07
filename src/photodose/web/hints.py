"""The web app's rendering of the services' hints: a face-neutral phrase ("enter a meter reading")
becomes an instruction that links to the page's own form field ("fill in “Meter reading”").

The web twin of :mod:`photodose.cli.hints`. The services (the bottom line, the comparison) and
the models (the meter flags of :func:`photodose.device.meter.interpret_reading`) word their advice
for no face in particular and carry, beside the text, a :class:`~photodose.hints.Hint` naming the
action; the terminal words it as the option that does it (``--meter-position over-led|between-leds``),
a page as the form field, by its label, linked to it (``set “Where the sensor sat” to …``). A hint
whose action the page has no field for keeps its phrase, unlinked.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from photodose.hints import action_and_phrase


@dataclass(frozen=True)
class FormField:
    """A form field a hint points at: its element ``id`` (the link's target) and its ``label``
    as the page shows it."""

    id: str
    label: str

    def link(self, element_id: str | None = None) -> str:
        """``“<a href="#id">label</a>”`` (HTML; ``element_id`` overrides the id on a page whose
        field has another, e.g. the compare page's ``c-min``)."""
        target = html.escape(element_id or self.id)
        return f'“<a href="#{target}">{html.escape(self.label)}</a>”'


#: hint action → the evaluate form's field that acts on it (``templates/evaluate.html``)
HINT_FIELDS = {
    "meter_reading": FormField("f-mv", "Meter reading"),
    "meter_position": FormField("f-mp", "Where the sensor sat"),
    "minutes": FormField("f-minutes", "Session minutes"),
    "sessions_per_week": FormField("f-spw", "Sessions per week"),
}

#: hint action → what a page says instead of the neutral phrase; ``{field}`` is the link to the
#: action's field (:data:`HINT_FIELDS`). The meter position's words are the select's options
#: (``web.evaluate.METER_POSITION_LABELS``), as ``cli.hints.CLI_HINTS`` gives the option's values.
WEB_HINTS = {
    "meter_reading": "fill in {field}",
    "meter_position": "set {field} to right over one LED or in a gap between LEDs",
    "minutes": "fill in {field}",
    "sessions_per_week": "fill in {field}",
}


def hinted(text: str, hints: Iterable[Any] | None = (), **fields: str) -> Markup:
    """Escape a service's ``text`` and word each hint's face-neutral phrase as the page's instruction
    (:data:`WEB_HINTS`) with a link to the form field that does it (:data:`HINT_FIELDS`).

    ``hints``: :class:`~photodose.hints.Hint` objects or their ``to_dict()``; ``fields``: action →
    element id, for a page whose field has another id (``minutes="c-min"`` on the compare page).
    A Jinja filter (``{{ p.text|hinted(p.hints) }}``).
    """
    out = html.escape(text)
    for h in hints or ():
        action, phrase = action_and_phrase(h)
        field, wording = HINT_FIELDS.get(action), WEB_HINTS.get(action)
        escaped = html.escape(phrase)
        if field is None or wording is None or not escaped or escaped not in out:
            continue
        words = html.escape(wording).replace("{field}", field.link(fields.get(action)))
        out = out.replace(escaped, words, 1)
    return Markup(out)
