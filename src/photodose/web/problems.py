"""How the web app names an error a person can fix (:class:`photodose.errors.FieldError`).

The models and services name the field at fault in their own terms: a command-line option
(``--goal``, ``--db``), a file argument (``IMAGE``), a file field (``procedures.days_ago``). The CLI
shows them as they are (:func:`photodose.cli.errors.field_error`); a page names the form field
instead. :func:`problem_of` is the web app's one translation: the app-wide handler
(:func:`photodose.web.app.create_app` registers it for every ``FieldError``) renders it as the error
page, or as the ``_problem.html`` fragment for an htmx request, with status 422; the pages that
re-show their own form with the problem above it (evaluate, plan, screening, session, photos,
journal import) use the same triple.
"""

from __future__ import annotations

from photodose.errors import FieldError

#: the models' field names that differ from the web forms' (CLI arguments, options and settings)
WEB_FIELD_NAMES = {
    "IMAGE": "photo",  # photodose photo add IMAGE → the upload field
    "FILE": "file",  # photodose import FILE → the journal import's file field
    "DIR": "file",
    "--db": "journal",  # the journal database (the app's journal_db setting)
    "--when": "started_at",  # the session timer's start time
}


class FormError(FieldError, ValueError):
    """A form field the page cannot use; ``field`` is the form field's name (also importable from
    :mod:`photodose.web.evaluate`, where the forms' number checks are)."""

    def __init__(self, field: str, message: str, fix: str) -> None:
        super().__init__(field, message, fix)


class FormFieldsError(FormError):
    """Several form fields at fault at once; reads as the first (``field``, ``message``, ``fix``) where
    one problem is shown, and :func:`problems_of` gives them all."""

    def __init__(self, errors: list[FormError]) -> None:
        super().__init__(errors[0].field, errors[0].message, errors[0].fix)
        self.errors = list(errors)

    def __reduce__(self) -> tuple[type, tuple[list[FormError]]]:  # type: ignore[override]  # picklable
        return (type(self), (self.errors,))


#: the status of a page or fragment that shows a fixable error (the form's input cannot be used)
FIELD_ERROR_STATUS = 422


def web_field(field: str) -> str:
    """The web form's name for a model's ``field``: :data:`WEB_FIELD_NAMES`, else an option's name
    without its dashes (``--sessions-per-week`` → ``sessions_per_week``), else ``field`` itself."""
    if field in WEB_FIELD_NAMES:
        return WEB_FIELD_NAMES[field]
    if field.startswith("--"):
        return field[2:].replace("-", "_")
    return field


def problem_of(err: FieldError) -> tuple[str, str, str]:
    """``(form field, message, fix)`` of ``err``: what ``_problem.html`` and ``error.html`` show."""
    return web_field(err.field), err.message, err.fix


def problems_of(err: FieldError) -> list[tuple[str, str, str]]:
    """Every ``(form field, message, fix)`` of ``err``: one, or each of a :class:`FormFieldsError`."""
    if isinstance(err, FormFieldsError):
        return [problem_of(e) for e in err.errors]
    return [problem_of(err)]
