"""One map of goals → evidence indications (photodose.goals) for the plan and the journal."""

from __future__ import annotations

from photodose import goals
from photodose.evidence.studies import load_indications


def test_every_goal_is_an_indication_of_the_evidence_database() -> None:
    _, indications = load_indications()
    ids = {i.id for i in indications}
    assert set(goals.GOAL_INDICATION.values()) <= ids
    assert tuple(goals.GOAL_INDICATION) == goals.GOALS


def test_the_plan_and_the_journal_use_the_same_map() -> None:
    from photodose.journal import store, summary
    from photodose.plan import GOALS

    assert GOALS is goals.GOAL_INDICATION
    assert summary.GOAL_INDICATION is goals.GOAL_INDICATION
    assert store.GOALS is goals.GOALS
