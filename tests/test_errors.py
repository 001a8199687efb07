"""One shape for fixable errors (photodose.errors.FieldError): every layer's field/message/fix
error derives from it, keeps the built-in base it had, and the CLI maps any of them in one place
(exit 2, the field, the message and the fix; one JSON object with --json)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from photodose.errors import FieldError
from photodose.journal import JournalError
from photodose.photos.decode import PhotoError
from photodose.plan import PlanInputError
from photodose.safety import AnswersError
from photodose.services.journal_log import SessionLengthError


@pytest.mark.parametrize(
    ("cls", "value_error"),
    [(JournalError, False), (PlanInputError, True), (AnswersError, True), (PhotoError, True)],
)
def test_field_errors_share_one_base_and_keep_theirs(cls: type[FieldError], value_error: bool) -> None:
    err = cls("--goal", "unknown goal 'x'", "use one of wrinkles, acne")
    assert isinstance(err, FieldError) and isinstance(err, ValueError) is value_error
    assert (err.field, err.message, err.fix, str(err)) == (
        "--goal",
        "unknown goal 'x'",
        "use one of wrinkles, acne",
        "unknown goal 'x'",
    )
    assert err.to_dict() == {
        "field": "--goal",
        "message": "unknown goal 'x'",
        "fix": "use one of wrinkles, acne",
    }


def test_the_web_form_error_shares_it_too() -> None:
    from photodose.web.evaluate import FormError

    err = FormError("minutes", "'x' is not a number", "give minutes as a number")
    assert isinstance(err, FieldError) and isinstance(err, ValueError) and str(err) == "'x' is not a number"


def test_subclass_defaults_and_messages_are_unchanged() -> None:
    assert PhotoError("image", "not a photo").fix == "export the photo again as JPEG or PNG"
    s = SessionLengthError("200 min does not fit", "use at most 60 min")
    assert isinstance(s, FieldError) and isinstance(s, ValueError)
    assert (s.field, s.message, s.fix) == ("minutes", "200 min does not fit", "use at most 60 min")
    assert str(s) == "200 min does not fit; fix: use at most 60 min"


@pytest.mark.parametrize("as_json", [False, True])
def test_the_cli_maps_a_field_error_it_did_not_catch(monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    """A command that lets a FieldError through (here a journal error inside `plan`, which only
    catches PlanInputError) still honours the error contract: exit 2, never 'internal'."""
    import photodose.plan

    def broken(*a: object, **k: object) -> None:
        raise JournalError("PHOTODOSE_DB", "the journal is read-only", "give a writable --db")

    monkeypatch.setattr(photodose.plan, "make_plan", broken)
    from photodose.cli import app

    args = ["plan", "--goal", "wrinkles", "--device", "higherdose-face-mask"] + (
        ["--json"] if as_json else []
    )
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    if as_json:
        err = json.loads(res.stdout)["error"]
        assert (err["field"], err["message"], err["fix"]) == (
            "PHOTODOSE_DB",
            "the journal is read-only",
            "give a writable --db",
        )
    else:
        assert (
            "error: PHOTODOSE_DB: the journal is read-only" in res.output
            and "fix: give a writable --db" in res.output
        )


def test_every_field_error_survives_pickling() -> None:
    """Web workers run in other processes: an error raised there is pickled back to the app, so
    each subclass must rebuild with its field, message, fix and str() intact (args hold only the
    message, so plain Exception pickling would call __init__ with too few arguments)."""
    import pickle

    from photodose.journal.db import JournalError as J
    from photodose.photos.decode import PhotoError
    from photodose.plan.build import PlanInputError
    from photodose.safety.screen import AnswersError
    from photodose.services.journal_log import SessionLengthError
    from photodose.web.problems import FormError as F

    errors = [
        cls("the_field", "what is wrong", "the fix")
        for cls in (J, PhotoError, PlanInputError, AnswersError, F)
    ]
    errors.append(SessionLengthError("500 min does not fit", "choose ≤ 60 min"))
    for err in errors:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert (back.to_dict(), str(back)) == (err.to_dict(), str(err))
