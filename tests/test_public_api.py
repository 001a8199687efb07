"""The public Python API (``import photodose``): every public name importable, cheap to import,
and each wrapper doing the documented job on a tiny case (small photon counts)."""

from __future__ import annotations

import importlib.metadata
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import photodose
from lazy_imports import loaded_after

DEVICE = "higherdose-face-mask"
PHOTONS = 2_000  # enough for the invariants below; each profile traces in well under a second


@pytest.fixture(scope="module")
def tmp_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("depth-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(monkeypatch: pytest.MonkeyPatch, tmp_cache: Path) -> None:
    monkeypatch.setenv("PHOTODOSE_CACHE_DIR", str(tmp_cache))


def test_import_is_cheap() -> None:
    """``import photodose`` loads none of the heavy libraries (the CLI's --help depends on it)."""
    heavy = ("numpy", "numba", "scipy", "matplotlib", "photodose.skin", "photodose.transport")
    assert loaded_after("import photodose", heavy) == []


def test_every_public_name_resolves() -> None:
    for name in photodose.__all__:
        assert getattr(photodose, name) is not None, name
    assert set(photodose.__all__) <= set(dir(photodose))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = photodose.no_such_name  # type: ignore[attr-defined]


def test_version_is_the_installed_metadata() -> None:
    assert photodose.__version__ == importlib.metadata.version("photodose")
    assert photodose.__version__.count(".") >= 2


def test_skin_profile_is_the_model_class() -> None:
    from photodose.skin import SkinInputError, SkinProfile

    assert photodose.SkinProfile is SkinProfile
    assert photodose.skin.SkinProfile is SkinProfile
    assert photodose.SkinProfile(fitzpatrick=5).fitzpatrick == "V"
    with pytest.raises(SkinInputError):
        photodose.SkinProfile(fitzpatrick="VII")


def test_transport_simulate_conserves_energy() -> None:
    from photodose.transport import Layer, LayerStack

    stack = LayerStack([Layer(1.0, 100.0, 0.9, 1.37, 0.1)], n_above=1.0, n_below=1.0)
    res = photodose.transport.simulate(stack, photons=2_000, seed=3)
    assert res.energy_balance - res.roulette_weight_gain == pytest.approx(1.0, abs=1e-9)
    # Fresnel at normal incidence, n 1 → 1.37: ((n1 - n2) / (n1 + n2))²
    assert res.specular_reflectance == pytest.approx(((1.0 - 1.37) / (1.0 + 1.37)) ** 2, rel=1e-9)


def test_depth_profile_darker_skin_lets_less_into_the_dermis() -> None:
    """Epidermal melanin absorbs red light: type VI passes less to the dermis than type I."""
    light = photodose.depth_profile(633, "I", "cheek", photons=PHOTONS)
    dark = photodose.depth_profile(633, "VI", "cheek", photons=PHOTONS)
    assert light.method == dark.method == "Monte Carlo"
    assert dark.dermis_absorbed_fraction < light.dermis_absorbed_fraction
    assert dark.absorbed_by_layer["living epidermis"] > light.absorbed_by_layer["living epidermis"]
    # reflected + absorbed in the stack ≤ 1, up to the weight Russian roulette adds or removes in
    # one run (zero on average; ~1e-5 for these photon counts)
    for p in (light, dark):
        absorbed = sum(p.absorbed_by_layer.values())
        assert 0.0 < absorbed + (p.diffuse_reflectance or 0.0) + (p.specular_reflectance or 0.0) <= 1.0 + 1e-4


def test_depth_profile_takes_a_full_skin_profile() -> None:
    skin = photodose.SkinProfile(fitzpatrick="II", site="forehead")
    a = photodose.depth_profile(850, skin=skin, photons=PHOTONS)
    b = photodose.depth_profile(850, "II", "forehead", photons=PHOTONS)
    assert a.dermis_absorbed_fraction == b.dermis_absorbed_fraction  # same seed, same inputs
    with pytest.raises(TypeError, match="SkinProfile"):
        photodose.depth_profile(850, skin="II", photons=PHOTONS)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def evaluation(tmp_cache: Path) -> photodose.services.evaluate.Evaluation:  # type: ignore[name-defined]
    mp = pytest.MonkeyPatch()
    mp.setenv("PHOTODOSE_CACHE_DIR", str(tmp_cache))
    try:
        return photodose.evaluate(
            DEVICE, "IV", "cheek", minutes=10, photons=PHOTONS, grade_device_claims=False
        )
    finally:
        mp.undo()


def test_evaluate_dose_is_irradiance_times_time(evaluation) -> None:  # type: ignore[no-untyped-def]
    """H [J/cm²] = E [mW/cm²] · t [s] / 1000, for the central estimate of every channel."""
    ev = evaluation
    assert ev.session_minutes == 10
    assert ev.skin.fitzpatrick == "IV" and ev.skin.site == "cheek"
    for d in ev.doses:
        e = d.irradiance_mw_cm2
        assert d.surface_fluence_j_cm2.central == pytest.approx(e.central * 10 * 60 / 1000, rel=1e-9)
        assert e.low <= e.central <= e.high
    assert ev.bottom_line is not None and "J/cm²" in ev.bottom_line.paragraph
    assert ev.to_json()["device"]["id"] == photodose.load_device(DEVICE).id


def test_evaluate_with_a_meter_reading_uses_it(evaluation) -> None:  # type: ignore[no-untyped-def]
    ev = photodose.evaluate(DEVICE, "IV", "cheek", minutes=10, photons=PHOTONS, meter=(120, "W/m2", 1.0))
    assert ev.meter is not None and ev.meter.as_given_mw_cm2 == pytest.approx(12.0)
    assert ev.to_json()["meter"] is not None


def test_compare_lines_up_two_devices() -> None:
    c = photodose.compare([DEVICE, "omnilux-contour-face"], minutes=10, photons=PHOTONS)
    assert [d.id for d in c.devices] == [photodose.load_device(DEVICE).id, "omnilux-contour-face"]
    assert c.rows and c.verdict_rows
    from photodose.device import DeviceSpecError

    with pytest.raises(DeviceSpecError):
        photodose.compare([DEVICE, DEVICE], photons=PHOTONS)


def test_load_device_by_name_and_by_path() -> None:
    from photodose.device import DeviceSpecError

    spec = photodose.load_device(DEVICE)
    path = Path(photodose.__file__).parent / "data" / "devices" / "omnilux-contour-face.toml"
    assert photodose.load_device(path).id == "omnilux-contour-face"
    assert spec.channels
    with pytest.raises(DeviceSpecError):
        photodose.load_device("no-such-mask")


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.0, max_value=2_000.0, allow_nan=False))
def test_interpret_meter_converts_w_m2(value: float) -> None:
    """1 W/m² = 0.1 mW/cm² (100 cm²·… : 1 W/m² = 1000 mW / 10 000 cm²)."""
    r = photodose.interpret_meter(value, "W/m2", 1.0)
    assert r.as_given_mw_cm2 == pytest.approx(value / 10.0)
    assert r.irradiance.low <= r.irradiance.central <= r.irradiance.high


def test_interpret_meter_rejects_bad_input() -> None:
    from photodose.device.meter import MeterReadingError

    with pytest.raises(MeterReadingError, match="position"):
        photodose.interpret_meter(10, "mW/cm2", 1.0, position="on-the-nose")
    with pytest.raises(MeterReadingError):
        photodose.interpret_meter(-1, "mW/cm2", 1.0)


def test_grade_claims_docstring_example_and_grades() -> None:
    r = photodose.grade_claims("Our LED mask is FDA approved.")
    assert r.claims[0].grade.value == "misleading"
    assert not r.context_used
    assert photodose.grade_claims("").total_claims == 0


def test_screen_matches_a_photosensitiser_and_accepts_a_mapping() -> None:
    from photodose.safety import LEVELS

    clear = photodose.screen()
    assert clear.outcome == "no_known_reason"
    doxy = photodose.screen(medications=["doxycycline"])
    assert LEVELS.index(doxy.outcome) > LEVELS.index(clear.outcome)
    same = photodose.screen({"medications": ["doxycycline"]})
    assert same.outcome == doxy.outcome
    from photodose.safety import AnswersError

    with pytest.raises(AnswersError):
        photodose.screen({"medicines": ["doxycycline"]})


def test_make_plan_stays_within_the_timer() -> None:
    from photodose.plan import PlanInputError

    p = photodose.make_plan("wrinkles", DEVICE, "III")
    assert p.device_id == photodose.load_device(DEVICE).id
    assert p.minutes > 0 and p.sessions_per_week >= 1 and p.weeks >= 1
    assert p.minutes == pytest.approx(p.timer_min * p.cycles)
    assert math.isclose(p.cycles, round(p.cycles))
    assert photodose.make_plan("wrinkles", DEVICE, 3).fitzpatrick == p.fitzpatrick == "III"
    with pytest.raises(PlanInputError):
        photodose.make_plan("hair-growth", DEVICE)
    with pytest.raises(PlanInputError):
        photodose.make_plan("wrinkles", DEVICE, 7)


def test_open_journal_sqlite(tmp_path: Path) -> None:
    from photodose.journal import integrity_ok

    j = photodose.open_journal(f"sqlite:///{tmp_path / 'journal.db'}")
    try:
        assert integrity_ok(j)
    finally:
        j.close()


def test_public_docstring_examples_run() -> None:
    """The examples in the public docstrings (those not marked +SKIP) give what they say."""
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    examples = 0
    for name in photodose.__all__:
        obj = getattr(photodose, name)
        if not callable(obj) or getattr(obj, "__module__", "") != "photodose":
            continue
        for test in finder.find(obj, f"photodose.{name}", globs={"photodose": photodose}):
            examples += len(test.examples)
            runner.run(test)
    assert examples >= 2
    assert runner.failures == 0


def test_evaluate_photons_is_the_cli_default() -> None:
    from photodose.services.evaluate import DEFAULT_DEPTH_PHOTONS

    assert photodose.EVALUATE_PHOTONS == DEFAULT_DEPTH_PHOTONS
