"""Errors a person can fix, with one shape for every layer: the field, what is wrong, the fix.

Models, services and faces raise subclasses of :class:`FieldError` (the journal, the plan, the
safety answers, photos, the web forms, session lengths) so that each face maps them in one place:
the CLI to exit 2 with ``error: FIELD: message`` / ``fix: …`` (or one ``{"error": {...}}`` object
with ``--json``, :mod:`photodose.cli.errors`), the web app to its error fragment naming the form
field. A leaf module (no imports from the package), so any layer may use it.

A subclass keeps the built-in base it always had (``ValueError`` for bad input values), so code
that catches ``ValueError`` behaves as before; ``str(err)`` is the message.
"""

from __future__ import annotations


class FieldError(Exception):
    """Bad input (or state) a person can fix.

    field : what is at fault, in the terms of the input (a file field, a form field, an option
        such as ``"--minutes"``); a face may translate it to its own name.
    message : what is wrong, in the person's terms.
    fix : what to do instead ("" when there is nothing more to say than the message).
    """

    def __init__(self, field: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.fix = fix

    def __reduce__(self) -> tuple[type[FieldError], tuple[str, str, str]]:
        # Pickled across worker processes (the web app's pool): rebuild from all three fields,
        # not from ``args`` (which holds only the message).
        return (type(self), (self.field, self.message, self.fix))

    def to_dict(self) -> dict[str, str]:
        """``{"field", "message", "fix"}``: the body of the faces' error objects."""
        return {"field": self.field, "message": self.message, "fix": self.fix}
