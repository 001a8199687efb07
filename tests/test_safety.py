"""Safety screening: the matrix (no listed contraindication, alone or with any other, ever yields
"no known reason not to"), tolerant medicine matching, device risks, answers files, the CLI."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.cli import app
from photodose.safety import (
    LEVELS,
    NOT_MEDICAL_ADVICE,
    Answers,
    AnswersError,
    DeviceFacts,
    answers_from_dict,
    ir_eye_limit_iec62471_mw_cm2,
    load_safety,
    match_text,
    screen,
)

DATA = load_safety()
runner = CliRunner()
SAFE = "no_known_reason"


def _rank(level: str) -> int:
    return LEVELS.index(level)  # type: ignore[arg-type]


# Every listed contraindication as (label, answers, device facts, the level it must at least reach)
def _items() -> list[tuple[str, Answers, DeviceFacts | None, str]]:
    items: list[tuple[str, Answers, DeviceFacts | None, str]] = []
    for d in DATA.drugs:
        for name in d.names:
            items.append((f"drug:{name}", Answers(medications=(name,)), None, d.level))
        if d.lookback_months > 0:
            items.append(
                (
                    f"past:{d.id}",
                    Answers(past_medications=((d.names[0], d.lookback_months / 2),)),
                    None,
                    d.level,
                )
            )
    for c in DATA.conditions:
        items.append((f"condition:{c.id}", Answers(conditions=(c.id,)), None, "precautions"))
        for alias in c.names:
            items.append((f"condition:{alias}", Answers(conditions=(alias,)), None, "precautions"))
    for p in DATA.procedures:
        items.append((f"procedure:{p.id}", Answers(procedures=((p.id, p.wait_days / 2),)), None, p.level))
        items.append((f"procedure:{p.id}:unknown-date", Answers(procedures=((p.id, None),)), None, p.level))
    items += [
        ("device:flicker", Answers(), DeviceFacts("x", pulse_hz=(10.0,)), "precautions"),
        ("device:flicker-60", Answers(), DeviceFacts("x", pulse_hz=(60.0,)), "precautions"),
        ("device:blue", Answers(), DeviceFacts("x", has_blue=True), "precautions"),
        (
            "device:nir-eye",
            Answers(),
            DeviceFacts("x", nir_eye_irradiance_mw_cm2=40.0, session_minutes=20),
            "precautions",
        ),
        ("device:heat", Answers(), DeviceFacts("x", total_irradiance_mw_cm2=120.0), "precautions"),
        ("answer:unsure", Answers(unsure=True), None, "ask_doctor"),
        ("unlisted drug", Answers(medications=("zzqx-unknownium",)), None, "precautions"),
    ]
    return items


ITEMS = _items()


def _merge(a: Answers, b: Answers) -> Answers:
    return Answers(
        medications=a.medications + b.medications,
        past_medications=a.past_medications + b.past_medications,
        conditions=a.conditions + b.conditions,
        procedures=a.procedures + b.procedures,
        neck_treated=a.neck_treated or b.neck_treated,
        unsure=a.unsure or b.unsure,
    )


def _merge_dev(a: DeviceFacts | None, b: DeviceFacts | None) -> DeviceFacts | None:
    if a is None or b is None:
        return a or b
    return DeviceFacts(
        "x",
        pulse_hz=a.pulse_hz + b.pulse_hz,
        has_blue=a.has_blue or b.has_blue,
        nir_eye_irradiance_mw_cm2=max(a.nir_eye_irradiance_mw_cm2 or 0, b.nir_eye_irradiance_mw_cm2 or 0)
        or None,
        total_irradiance_mw_cm2=max(a.total_irradiance_mw_cm2 or 0, b.total_irradiance_mw_cm2 or 0) or None,
        session_minutes=max(a.session_minutes, b.session_minutes),
    )


def test_data_rows_carry_sources_and_levels() -> None:
    assert len(DATA.drugs) >= 15 and len(DATA.conditions) >= 10 and len(DATA.procedures) >= 4
    for rule in (*DATA.drugs, *DATA.conditions, *DATA.procedures, *DATA.device_risks.values()):
        assert rule.sources and all(s in DATA.sources for s in rule.sources)
        assert rule.level in LEVELS[1:]
    names = {n.lower() for d in DATA.drugs for n in d.names}
    for required in ("doxycycline", "isotretinoin", "accutane", "amiodarone", "hydrochlorothiazide",
                     "naproxen", "methotrexate", "methoxsalen", "st john's wort", "tretinoin"):  # fmt: skip
        assert required in names
    ids = {c.id for c in DATA.conditions}
    assert {"photosensitive_epilepsy", "lupus", "porphyria", "xeroderma_pigmentosum", "pmle", "skin_cancer",
            "retinal_disease", "pregnancy", "thyroid_disease"} <= ids  # fmt: skip


@pytest.mark.parametrize(("label", "answers", "device", "at_least"), ITEMS, ids=[i[0] for i in ITEMS])
def test_every_single_contraindication_blocks_no_known_reason(
    label: str, answers: Answers, device: DeviceFacts | None, at_least: str
) -> None:
    for dev in (
        device,
        DeviceFacts("benign", near_eyes=False, pulse_hz=(0.0,)) if device is None else device,
    ):
        r = screen(answers, dev)
        assert r.outcome != SAFE, label
        assert _rank(r.outcome) >= _rank(at_least), (label, r.outcome)
        assert r.findings and all(f.reason for f in r.findings)


def test_every_pair_of_contraindications_blocks_no_known_reason() -> None:
    """Exhaustive over pairs of rules: every rule (first name of each drug class, each condition,
    procedure and device risk; every name is covered alone above) with every other."""
    seen: set[str] = set()
    chosen = []
    for item in ITEMS:
        parts = [*item[0].split(":"), ""]
        key = (
            parts[0]
            + ":"
            + (next(d.id for d in DATA.drugs if parts[1] in d.names) if parts[0] == "drug" else parts[1])
        )
        if parts[0] == "condition" and parts[1] not in {c.id for c in DATA.conditions}:
            continue  # aliases: covered alone
        if key not in seen:
            seen.add(key)
            chosen.append(item)
    n = 0
    for (la, aa, da, ma), (lb, ab, dbv, mb) in itertools.combinations(chosen, 2):
        r = screen(_merge(aa, ab), _merge_dev(da, dbv))
        assert r.outcome != SAFE, (la, lb)
        assert _rank(r.outcome) >= max(_rank(ma), _rank(mb)), (la, lb, r.outcome)
        n += 1
    assert n >= 900


@settings(max_examples=150, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(ITEMS) - 1), min_size=1, max_size=6),
    noise=st.lists(st.sampled_from(["vitamin d", "magnesium", "water", "", "fish oil"]), max_size=3),
)
def test_any_combination_never_yields_no_known_reason(picks: list[int], noise: list[str]) -> None:
    answers = Answers(medications=tuple(n for n in noise if n))
    device = None
    for i in picks:
        _, a, d, _ = ITEMS[i]
        answers = _merge(answers, a)
        device = _merge_dev(device, d)
    r = screen(answers, device)
    assert r.outcome != SAFE
    assert _rank(r.outcome) >= max(_rank(ITEMS[i][3]) for i in picks)


def test_no_answers_and_a_benign_device_is_no_known_reason() -> None:
    r = screen(
        Answers(),
        DeviceFacts("benign", pulse_hz=(0.0,), nir_eye_irradiance_mw_cm2=1.0, total_irradiance_mw_cm2=10),
    )
    assert r.outcome == SAFE and r.findings == []
    assert "not medical advice" in r.notice.lower() and r.notice == NOT_MEDICAL_ADVICE


def _mangle(name: str, rnd: random.Random) -> str:
    """Random case, and a space or hyphen inserted or removed (misspacing)."""
    s = "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in name)
    if " " in s and rnd.random() < 0.5:
        s = s.replace(" ", "", 1)
    elif len(s) > 6:
        i = rnd.randrange(2, len(s) - 2)
        s = s[:i] + rnd.choice([" ", "-"]) + s[i:]
    return s


@settings(max_examples=200, deadline=None)
@given(i=st.integers(0, sum(len(d.names) for d in DATA.drugs) - 1), seed=st.integers(0, 10_000))
def test_medicine_matching_tolerates_case_brands_and_misspacing(i: int, seed: int) -> None:
    pairs = [(d, n) for d in DATA.drugs for n in d.names]
    drug, name = pairs[i]
    text = _mangle(name, random.Random(seed)) + " 20 mg"
    matches, _ = match_text(text, DATA.drugs)
    assert drug.id in {m.rule.id for m in matches}, (text, [m.rule.id for m in matches])


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("Doxycyline 100mg", "tetracycline"),  # a typo
        ("ACCUTANE", "oral_retinoid"),
        ("iso tretinoin", "oral_retinoid"),
        ("retin a cream", "topical_retinoid"),
        ("St Johns Wort", "st_johns_wort"),
        ("advil, vitamin d", "nsaid"),
        ("Hydro chlorothiazide", "thiazide"),
    ],
)
def test_medicine_matching_examples(text: str, drug: str) -> None:
    matches, _ = match_text(text, DATA.drugs)
    assert matches[0].rule.id == drug


def test_unrelated_words_do_not_match() -> None:
    for text in ("yes", "metformin", "vitamin c", "water", "paracetamol"):
        matches, unmatched = match_text(text, DATA.drugs)
        assert matches == [] and unmatched == [text]


def test_isotretinoin_stopped_long_ago_no_longer_counts() -> None:
    assert screen(Answers(past_medications=(("isotretinoin", 8.0),))).outcome == SAFE
    assert screen(Answers(past_medications=(("Accutane", 3.0),))).outcome == "ask_doctor"
    assert screen(Answers(past_medications=(("Accutane", None),))).outcome == "ask_doctor"


def test_conditional_rules_downgrade_but_never_vanish() -> None:
    # thyroid disease: ask the doctor when the neck is treated, precautions otherwise
    assert screen(Answers(conditions=("thyroid_disease",), neck_treated=True)).outcome == "ask_doctor"
    assert screen(Answers(conditions=("thyroid_disease",))).outcome == "precautions"
    # retinal disease with a device away from the eyes: still not "no known reason"
    far = DeviceFacts("wand", near_eyes=False)
    assert screen(Answers(conditions=("retinal_disease",)), far).outcome == "ask_doctor"
    assert screen(Answers(conditions=("retinal_disease",))).outcome == "do_not_use"


def test_flicker_with_photosensitive_epilepsy_is_do_not_use() -> None:
    flashing = DeviceFacts("x", pulse_hz=(10.0,))
    assert screen(Answers(conditions=("epilepsy",)), flashing).outcome == "do_not_use"
    assert screen(Answers(), DeviceFacts("x", pulse_hz=(2.0, 0.0, 100.0))).outcome == SAFE  # outside 3–60 Hz


def test_ir_eye_limit_matches_iec62471_formula() -> None:
    # E_IR = 18000 t^-0.75 W/m² (t ≤ 1000 s), 100 W/m² beyond; 1 W/m² = 0.1 mW/cm²
    assert ir_eye_limit_iec62471_mw_cm2(10.0) == pytest.approx(1800.0 * 10**-0.75)
    assert ir_eye_limit_iec62471_mw_cm2(600.0) == pytest.approx(14.85, rel=1e-3)
    assert ir_eye_limit_iec62471_mw_cm2(1000.0) == pytest.approx(10.12, rel=1e-3)  # continuous to ~1 %
    assert ir_eye_limit_iec62471_mw_cm2(3600.0) == 10.0
    with pytest.raises(ValueError):
        ir_eye_limit_iec62471_mw_cm2(0.0)


def test_answers_file_errors_name_the_field() -> None:
    with pytest.raises(AnswersError) as e:
        answers_from_dict({"medicines": ["x"]})
    assert e.value.field == "medicines"
    with pytest.raises(AnswersError) as e:
        answers_from_dict({"procedures": [{"name": "peel", "days_ago": -2}]})
    assert e.value.field == "procedures[0].days_ago"
    # nan compares false with every bound, so it would pass a "t < 0" check and miss every
    # procedure window: a days/months value must be finite.
    for bad in (float("nan"), float("inf")):
        with pytest.raises(AnswersError) as e:
            answers_from_dict({"procedures": [{"name": "peel", "days_ago": bad}]})
        assert e.value.field == "procedures[0].days_ago"
    with pytest.raises(AnswersError):
        answers_from_dict({"unsure": "maybe"})


def test_cli_screen_with_answers_files(tmp_path: Path) -> None:
    toml = tmp_path / "a.toml"
    toml.write_text('medications = ["Doxycycline 100 mg"]\nconditions = ["lupus"]\n'
                    'procedures = [{name = "chemical peel", days_ago = 3}]\n')  # fmt: skip
    r = runner.invoke(app, ["screen", "--answers", str(toml), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["outcome"] == "ask_doctor"
    assert {f["id"] for f in out["findings"]} == {"tetracycline", "lupus", "chemical_peel"}
    assert all(f["citations"] for f in out["findings"])
    assert "not medical advice" in out["not_medical_advice"].lower()

    js = tmp_path / "a.json"
    js.write_text(json.dumps({"medications": [], "conditions": []}))
    r = runner.invoke(
        app, ["screen", "--answers", str(js), "--device", "drx-spectralite-faceware-pro", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["outcome"] == "precautions"  # a blue channel next to the eyes
    assert "blue_near_eyes" in {f["id"] for f in out["findings"]}

    r = runner.invoke(app, ["screen", "--answers", str(toml)])
    assert (
        r.exit_code == 0 and "Ask your doctor first" in r.stdout and "not medical advice" in r.stdout.lower()
    )


def test_cli_screen_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "a.toml"
    bad.write_text("medications = [unclosed")
    for args in (["--answers", str(bad)], ["--answers", str(tmp_path / "missing.toml")], []):
        r = runner.invoke(app, ["screen", *args, "--json"])
        assert r.exit_code == 2, r.output
        assert json.loads(r.stdout)["error"]["field"].startswith("--answers")


def test_the_most_implicated_drugs_of_a_published_review_are_caught() -> None:
    """Validation against Blakely, Drucker & Rosen 2019 (Drug Saf 42:827, abstract): the drugs
    'most consistently implicated' in photosensitivity each reach at least 'ask your doctor'."""
    blakely = [
        "amiodarone",
        "chlorpromazine",
        "doxycycline",
        "hydrochlorothiazide",
        "nalidixic acid",
        "naproxen",
        "piroxicam",
        "tetracycline",
        "thioridazine",
        "vemurafenib",
        "voriconazole",
    ]
    for drug in blakely:
        r = screen(Answers(medications=(drug,)))
        assert _rank(r.outcome) >= _rank("ask_doctor"), drug
        assert any("Blakely" in c for f in r.findings for c in f.citations), drug


def test_red_light_photosensitisers_are_do_not_use() -> None:
    """Protoporphyrin IX (ALA/MAL photodynamic therapy) and porphyrias absorb in the red band
    of the masks (~630–635 nm): the screening says do not use."""
    for text in ("Ameluz gel yesterday", "aminolevulinic acid", "Visudyne"):
        assert screen(Answers(medications=(text,))).outcome == "do_not_use", text
    assert screen(Answers(conditions=("EPP",))).outcome == "do_not_use"


def test_interactive_questions_come_from_the_data_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Rich prompts ask every question of questions.toml; numbers pick listed conditions."""
    from rich.prompt import Confirm, Prompt

    from photodose.cli.screen_cmd import _ask

    replies = iter(["Accutane, vitamin d", "", "3", "1", "5", ""])  # lupus = 3rd condition, peel 5 days
    asked: list[str] = []

    def prompt(text: str, **kw: object) -> str:
        asked.append(text)
        return next(replies)

    monkeypatch.setattr(Prompt, "ask", staticmethod(prompt))
    monkeypatch.setattr(Confirm, "ask", staticmethod(lambda text, **kw: asked.append(text) or False))
    answers = _ask(DATA)
    assert len(asked) >= len(DATA.questions)
    assert answers.medications == ("Accutane", "vitamin d")
    assert answers.conditions == (DATA.conditions[2].id,)
    assert answers.procedures == ((DATA.procedures[0].id, 5.0),)
    assert screen(answers).outcome == "ask_doctor"


def test_cli_screen_save_keeps_the_outcome_in_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photodose.journal import open_journal
    from photodose.journal.store import get_profile

    monkeypatch.setenv("PHOTODOSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PHOTODOSE_DB", raising=False)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"conditions": ["porphyria"]}))
    r = runner.invoke(app, ["screen", "--answers", str(answers), "--save", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["outcome"] == "do_not_use"
    j = open_journal(None)
    assert get_profile(j) == {"fitzpatrick": None, "screening_outcome": "do_not_use"}
    j.close()
