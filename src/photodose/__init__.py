"""photodose: red light therapy, measured.

The public Python API — what a notebook user imports. Everything here is stable; every other
module is internal and may change between releases (its documentation says what it does, not
that it will stay).

Main job
    [`evaluate`][photodose.evaluate] (one device for one person),
    [`compare`][photodose.compare] (devices side by side).
Skin and light
    [`SkinProfile`][photodose.SkinProfile] (the person's skin),
    [`depth_profile`][photodose.depth_profile] (how deep a channel goes, Monte Carlo),
    ``photodose.transport`` (the engine:
    [`photodose.transport.simulate`][photodose.transport.simulate]).
Devices and meters
    [`load_device`][photodose.load_device], [`interpret_meter`][photodose.interpret_meter].
Claims
    [`grade_claims`][photodose.grade_claims] (find and grade the marketing claims in a text).
Person side
    [`screen`][photodose.screen] (safety screening), [`make_plan`][photodose.make_plan] (a plan
    for a goal), [`open_journal`][photodose.open_journal] (the session journal).

``import photodose`` is cheap: the names above are loaded on first use (a module-level
``__getattr__``), so ``photodose --help`` never imports numpy, Numba, SciPy or matplotlib.

Nothing photodose returns is medical advice.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for mypy and the API reference only; at run time these load lazily
    from datetime import date

    from photodose import transport
    from photodose.claims import ClaimsReport
    from photodose.depth import DepthProfile
    from photodose.device import DeviceSpec
    from photodose.device.meter import ReadingInterpretation
    from photodose.journal import Journal
    from photodose.optics.source_spectrum import SourceSpectrum
    from photodose.plan import Plan
    from photodose.safety import Answers, Screening
    from photodose.services.compare import Comparison
    from photodose.services.evaluate import Evaluation
    from photodose.skin import SkinProfile


def _version() -> str:
    """The installed version, from the package metadata (its ``.dist-info`` directory).

    The directory is found by name on ``sys.path`` first: ``importlib.metadata`` costs ~11 ms of
    imports, a fifth of ``photodose --help``'s start-up. ``importlib.metadata`` is the fallback,
    then the version of this source tree.
    """
    import os
    import sys

    prefix, suffix = "photodose-", ".dist-info"
    for entry in sys.path:
        if not entry:  # the working directory: never where a distribution is installed
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(suffix):
                return name[len(prefix) : -len(suffix)]
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - always present on Python >= 3.8
        return "0.1.0"
    try:
        return version("photodose")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.1.0"


__version__: str = _version()

#: Photons of the depth profiles behind [`evaluate`][photodose.evaluate] and
#: [`compare`][photodose.compare] (the CLI default).
EVALUATE_PHOTONS = 100_000

# name -> (module, attribute); attribute None = the module itself
_LAZY: dict[str, tuple[str, str | None]] = {
    "SkinProfile": ("photodose.skin", "SkinProfile"),
    "transport": ("photodose.transport", None),
    "skin": ("photodose.skin", None),
}

__all__ = [
    "EVALUATE_PHOTONS",
    "SkinProfile",
    "__version__",
    "compare",
    "depth_profile",
    "evaluate",
    "grade_claims",
    "interpret_meter",
    "load_device",
    "make_plan",
    "open_journal",
    "screen",
    "transport",
]


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562), so that ``import photodose`` stays cheap."""
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'photodose' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _skin(
    skin: SkinProfile | None, fitzpatrick: str | int, site: str, age_band: str = "adult"
) -> SkinProfile:
    from photodose.skin import SkinProfile

    if skin is not None:
        if not isinstance(skin, SkinProfile):
            raise TypeError(f"skin must be a photodose.SkinProfile, not {type(skin).__name__}")
        return skin
    return SkinProfile(fitzpatrick=str(fitzpatrick), site=site, age_band=age_band)


def evaluate(
    device: str | Path | DeviceSpec,
    fitzpatrick: str | int = "III",
    site: str = "forehead",
    minutes: float | None = None,
    sessions_per_week: float | None = None,
    *,
    skin: SkinProfile | None = None,
    meter: tuple[float, str, float] | None = None,
    meter_model: str = "unknown",
    meter_position: str = "distance",
    photons: int = EVALUATE_PHOTONS,
    seed: int = 1,
    grade_device_claims: bool = True,
) -> Evaluation:
    """Evaluate a light-therapy device for one person: the whole chain of ``photodose evaluate``.

    device file → irradiance over an average face (mW/cm², per channel, low/central/high) →
    depth profile of each channel in the person's skin (Monte Carlo, cached on disk) → dose
    H = E·t at the surface and φ(z)/E₀·H in the dermis (J/cm², per session and per week) →
    verdicts against the dose windows of the controlled trials → the device's standing among the
    catalogued devices → its marketing claims, graded.

    Parameters
    ----------
    device
        A catalogue name (``"higherdose-face-mask"``; see ``photodose devices``), the path
        of a device TOML file (``photodose devices template``) or a loaded
        [`DeviceSpec`][photodose.device.DeviceSpec].
    fitzpatrick
        Skin type ``"I"``–``"VI"`` (or 1–6); sets the epidermal melanin (an assumption
        with a range, ``data/optics/fitzpatrick_melanin.csv``).
    site
        Face site: forehead, periorbital, cheek, nose, perioral, chin, jaw, neck, glabella,
        temple (sets the layer thicknesses, cited per site in ``data/optics/skin_layers.toml``).
    minutes
        Session length [min]; default the device's own timer.
    sessions_per_week
        Default 3, an assumption (range 2–5) stated in the result.
    skin
        A full [`SkinProfile`][photodose.SkinProfile] (age band, sex, colour-fitted melanin, …); when given,
        ``fitzpatrick`` and ``site`` are ignored.
    meter
        Your own meter reading as ``(value, unit, distance_cm)``, e.g. ``(12, "mW/cm2", 1)``;
        it replaces the modelled irradiance where it can (see the user guide, *Measure your
        mask*).
    meter_model
        The meter's model (``"TES-1333"``, …; ``data/meters/meters.toml``) or ``"unknown"``.
    meter_position
        Where the sensor sat: ``"over-led"`` (a peak), ``"between-leds"`` (a minimum) or
        ``"distance"`` (``distance_cm`` in front of the array's centre).
    photons
        Monte Carlo photons per depth profile. The CLI's 100 000 give the dermis absorbed
        fraction a standard error of about 0.2 % (630 and 830 nm, type III forehead, measured);
        the standard error grows as 1/√photons. Profiles are cached by every input.
    seed
        The random seed (same seed, same numbers).
    grade_device_claims
        Grade the device's own marketing claims (default True).

    Returns
    -------
    photodose.services.evaluate.Evaluation
        ``.bottom_line`` (the paragraph and dose targets), ``.doses`` (per channel,
        [`Estimate`][photodose.device.estimate.Estimate] low/central/high with provenance), ``.verdicts``,
        ``.standing``, ``.claims``, ``.notes``; ``.to_json()`` is the ``--json`` output.

    Raises
    ------
    photodose.device.DeviceSpecError
        unknown device name or an invalid device file (the message names the field).
    photodose.skin.SkinInputError
        unknown skin type or site.

    Examples
    --------
    >>> import photodose
    >>> ev = photodose.evaluate("higherdose-face-mask", "IV", "cheek", photons=5000)  # doctest: +SKIP
    >>> print(ev.bottom_line.paragraph)  # doctest: +SKIP

    References
    ----------
    Wang L, Jacques SL, Zheng L (1995) MCML — Monte Carlo modeling of light transport in
    multi-layered tissues. Comput Methods Programs Biomed 47:131–146.
    The trials behind each dose window: ``data/evidence/studies.toml`` (source per row).
    """
    from photodose.services.evaluate import evaluate as _evaluate

    reading = None
    if meter is not None:
        from photodose.device.meter import MeterReading

        value, unit, distance_cm = meter
        reading = MeterReading(value, unit, distance_cm, meter=meter_model, position=meter_position)
    return _evaluate(
        device,
        skin=_skin(skin, fitzpatrick, site),
        minutes=minutes,
        sessions_per_week=sessions_per_week,
        meter=reading,
        photons=photons,
        seed=seed,
        grade_device_claims=grade_device_claims,
    )


def compare(
    devices: Sequence[str | Path | DeviceSpec],
    fitzpatrick: str | int = "III",
    site: str = "forehead",
    minutes: float | None = None,
    sessions_per_week: float | None = None,
    *,
    skin: SkinProfile | None = None,
    photons: int = EVALUATE_PHOTONS,
    seed: int = 1,
) -> Comparison:
    """Evaluate two to six devices for the same person and line the numbers up by band.

    Each device runs the chain of [`evaluate`][photodose.evaluate]; rows give irradiance [mW/cm²], dose per
    session and per week at the surface and in the dermis [J/cm²], each low/central/high, and
    the verdict per indication.

    Parameters
    ----------
    devices
        Two to six catalogue names, device TOML paths or specs (no repeats).
    fitzpatrick
        Skin type I–VI (as in [`evaluate`][photodose.evaluate]).
    site
        Face site (as in [`evaluate`][photodose.evaluate]).
    minutes
        One session length for all [min]; default each device's own timer.
    sessions_per_week
        The schedule for all (default 3, an assumption with range 2–5).
    skin
        A full [`SkinProfile`][photodose.SkinProfile]; overrides ``fitzpatrick`` and ``site``.
    photons
        Monte Carlo photons per depth profile (as in [`evaluate`][photodose.evaluate]).
    seed
        The random seed.

    Returns
    -------
    photodose.services.compare.Comparison
        ``.evaluations`` (one [`Evaluation`][photodose.services.evaluate.Evaluation] each),
        ``.rows`` (quantities by band) and ``.verdict_rows``; ``.to_json()`` is ``photodose compare --json``.

    Raises
    ------
    photodose.device.DeviceSpecError
        fewer than two devices, more than six, the same device twice, or an unknown device.
    """
    from photodose.services.compare import compare as _compare

    return _compare(
        devices,
        skin=_skin(skin, fitzpatrick, site),
        minutes=minutes,
        sessions_per_week=sessions_per_week,
        photons=photons,
        seed=seed,
    )


def depth_profile(
    wavelength_nm: float | SourceSpectrum,
    fitzpatrick: str | int = "III",
    site: str = "forehead",
    *,
    skin: SkinProfile | None = None,
    photons: int = 20_000,
    led_m: float | None = None,
    seed: int | None = 1,
    use_cache: bool = True,
) -> DepthProfile:
    """How deep light of one wavelength (or an LED's spectrum) goes into a person's skin.

    Monte Carlo transport ([`photodose.transport.simulate`][photodose.transport.simulate], MCML
    physics) through the skin's 7-layer stack at a few wavelengths across the emission band, averaged with the
    spectral weights. Results are cached on disk, keyed by every input.

    Parameters
    ----------
    wavelength_nm
        Peak wavelength [nm] (a 20 nm-FWHM Gaussian LED band is *not* assumed: a
        number is monochromatic) or a [`SourceSpectrum`][photodose.optics.source_spectrum.SourceSpectrum]
        such as ``photodose.optics.source_spectrum.gaussian(633, 20)``.
    fitzpatrick
        Skin type I–VI (as in [`evaluate`][photodose.evaluate]).
    site
        Face site (as in [`evaluate`][photodose.evaluate]).
    skin
        A full [`SkinProfile`][photodose.SkinProfile]; overrides ``fitzpatrick`` and ``site``.
    photons
        Photons in all (split over the spectral nodes); more photons, smaller error
        (standard error ∝ 1/√photons).
    led_m
        None for a broad collimated beam at normal incidence; otherwise the cos^m exponent of
        the LEDs' radiant intensity (m = 1 Lambertian), as a mask delivers it.
    seed
        Random seed; ``None`` gives a fresh, uncached run.
    use_cache
        Read and write the on-disk cache (``photodose.depth.cache_dir()``).

    Returns
    -------
    photodose.depth.DepthProfile
        ``depth_cm`` and ``fluence_per_irradiance`` (Φ(z)/E₀, dimensionless; > 1 just below the
        surface), ``absorbed_by_layer``, ``dermis_absorbed_fraction``, and the 1/e, 10 % and 1 %
        penetration depths [cm] below the fluence maximum.

    References
    ----------
    Wang L, Jacques SL, Zheng L (1995) Comput Methods Programs Biomed 47:131–146 (MCML).
    Jacques SL (2013) Optical properties of biological tissues: a review. Phys Med Biol
    58:R37–R61, doi:10.1088/0031-9155/58/11/R37 (the chromophore model of the layers).
    """
    from photodose.depth import depth_profile as _depth_profile

    return _depth_profile(
        _skin(skin, fitzpatrick, site),
        wavelength_nm,
        photons,
        seed=seed,
        use_cache=use_cache,
        led_m=led_m,
    )


def load_device(device: str | Path) -> DeviceSpec:
    """A device by catalogue name (``"higherdose-face-mask"``) or from a device TOML file.

    Every field carries its ``source`` and ``confidence``; values nobody publishes are
    assumptions with ranges (see the user guide, *Enter your own device*).

    Raises
    ------
    photodose.device.DeviceSpecError
        unknown name, or a file field that is missing or invalid (named in the message).
    """
    from photodose.device import load_device as _load_device

    return _load_device(device)


def interpret_meter(
    value: float,
    unit: str,
    distance_cm: float,
    meter: str = "unknown",
    *,
    device: str | Path | DeviceSpec | None = None,
    position: str = "distance",
) -> ReadingInterpretation:
    """Interpret your own irradiance-meter reading of a device.

    Converts the display's unit (1 W/m² = 0.1 mW/cm²), flags a likely W/m² ↔ mW/cm² mix-up
    against the device's modelled irradiance, applies (or declines, with the reason) the meter's
    spectral correction at the device's wavelengths, and notes what the sensor's position means
    (over an LED: a peak; between LEDs: a minimum; at a distance: the array's centre).

    Parameters
    ----------
    value
        The number on the display.
    unit
        The display's unit: ``"mW/cm2"`` or ``"W/m2"`` (also ``µW/cm2``, ``W/cm2``).
    distance_cm
        Sensor-to-LED distance [cm] (a mask: from its inner surface; 0 = contact).
    meter
        The meter model (``"TES-1333"``, …; see ``data/meters``) or ``"unknown"``.
    device
        The device measured (name, file or spec); sharpens the unit check.
    position
        ``"over-led"``, ``"between-leds"`` or ``"distance"``.

    Returns
    -------
    photodose.device.meter.ReadingInterpretation
        the true irradiance as an Estimate [mW/cm²] with flags and notes.

    Raises
    ------
    photodose.device.meter.MeterReadingError
        a non-number, a negative value, an unknown unit or position.
    """
    from photodose.device.meter import MeterReading, interpret_reading

    spec = load_device(device) if isinstance(device, str | Path) else device
    return interpret_reading(MeterReading(value, unit, distance_cm, meter=meter, position=position), spec)


def grade_claims(text: str, device: str | Path | DeviceSpec | None = None) -> ClaimsReport:
    """Find and grade the marketing claims in a text (a product page, an ad, a box).

    Each claim is graded supported, partly supported, unsupported, misleading, contradicted or
    not checkable, with reasons and sources (the rules and their sources are data:
    ``data/claims/rules.toml``). With ``device``, claims about dose, depth, irradiance and
    regulatory status are checked against that device's record and its computed dose (this runs
    [`evaluate`][photodose.evaluate], cached after the first time); without it, such claims are
    "not checkable".

    This is the friendly form of [`assess_text`][photodose.claims.assess_text]; the lower-level
    [`photodose.claims.grade_claims`][photodose.claims.grade_claims] grades already-extracted
    claims.

    Parameters
    ----------
    text
        The text (plain or HTML).
    device
        A catalogue name, device file or spec to grade against (optional).

    Returns
    -------
    photodose.claims.ClaimsReport
        ``.claims`` (each with ``.grade``, ``.reasons``, ``.citations``), ``.counts`` per grade.

    Examples
    --------
    >>> import photodose
    >>> photodose.grade_claims("Our LED mask is FDA approved.").claims[0].grade.value
    'misleading'
    """
    from photodose.claims import assess_text

    context = None
    if device is not None:
        from photodose.services.claim_context import build_context
        from photodose.services.evaluate import evaluate as _evaluate

        ev = _evaluate(device, grade_device_claims=False)
        context = build_context(ev.device, ev.doses, ev.depth)
    return assess_text(text, context)


def screen(
    answers: Answers | Mapping[str, Any] | None = None,
    device: str | Path | DeviceSpec | None = None,
    *,
    medications: Sequence[str] = (),
    conditions: Sequence[str] = (),
) -> Screening:
    """Safety screening before using a device: may this person use it, with what precautions.

    Medicines (photosensitising drug classes, generic and brand names), conditions, recent
    procedures and the device's own risks (near-infrared at the eyes against the IEC 62471
    limit, flicker, blue light) are matched against cited data files (``data/safety/*.toml``).
    The outcome is one of: do not use — see a doctor / ask your doctor first / use with
    precautions / no known reason not to, each finding with its reason and citations.
    **Not medical advice**: the list is not complete, and the outcome says so.

    Parameters
    ----------
    answers
        An [`Answers`][photodose.safety.Answers], or a mapping in the answers-file format
        (``medications``, ``past_medications``, ``conditions``, ``procedures``,
        ``neck_treated``, ``unsure``; see docs/person.md).
    device
        The device to check (name, file or spec), for its own risks (optional).
    medications
        Medicines taken now (free text, generic or brand names), when ``answers`` is not given.
    conditions
        Conditions (ids of ``data/safety/conditions.toml`` or free text), when ``answers`` is
        not given.

    Returns
    -------
    photodose.safety.Screening
        ``.outcome`` (the worst level), ``.findings`` with reasons and citations.

    Raises
    ------
    photodose.safety.AnswersError
        a malformed answers field (named in ``.field``, with ``.fix``).
    """
    from photodose.safety import Answers, answers_from_dict
    from photodose.safety import screen as _screen

    if answers is None:
        answers = Answers(medications=tuple(medications), conditions=tuple(conditions))
    elif not isinstance(answers, Answers):
        answers = answers_from_dict(dict(answers))
    facts = None
    if device is not None:
        from photodose.services.person import device_facts

        facts = device_facts(load_device(device) if isinstance(device, str | Path) else device)
    return _screen(answers, facts)


def make_plan(
    goal: str,
    device: str | Path | DeviceSpec,
    fitzpatrick: str | int = "III",
    *,
    mode: str | None = None,
    start: date | None = None,
) -> Plan:
    """A plan for a goal with a device: minutes per session, sessions per week, weeks.

    Minutes per session are chosen within the device's timer so that the weekly dose lands
    inside the dose window of the controlled trials for the goal (see the science guide,
    *Evidence and verdicts*); photo check-ins and what to expect when come with it.
    (It is ``make_plan``, not ``plan``: ``photodose.plan`` is the subpackage.)

    Parameters
    ----------
    goal
        ``"wrinkles"``, ``"acne"``, ``"redness"`` or ``"tone"``.
    device
        Catalogue name, device TOML path or spec.
    fitzpatrick
        Skin type I–VI.
    mode
        The device mode (``"red"``, ``"nir"``, ``"both"``, …); default the mode that lights
        the most bands with a tested window.
    start
        First session date (default today).

    Returns
    -------
    photodose.plan.Plan

    Raises
    ------
    photodose.plan.PlanInputError
        unknown goal or skin type (the field and the fix in the message).
    """
    from photodose.plan import make_plan as _make_plan

    if isinstance(fitzpatrick, int) and not isinstance(fitzpatrick, bool) and 1 <= fitzpatrick <= 6:
        fitzpatrick = ("I", "II", "III", "IV", "V", "VI")[fitzpatrick - 1]
    return _make_plan(goal, device, fitzpatrick=str(fitzpatrick), mode=mode, start=start)


def open_journal(db: str | None = None) -> Journal:
    """Open (and migrate) the session journal: profile, devices, plans, sessions with the dose
    delivered, outcomes.

    Parameters
    ----------
    db
        A SQLAlchemy URL (``postgresql+psycopg://…``, ``sqlite:///path``) or a file path; default
        ``PHOTODOSE_DB``, else a SQLite file in the user data directory.

    Returns
    -------
    photodose.journal.Journal
        The open journal (``.close()`` it); the schema is migrated to the current version.

    Raises
    ------
    photodose.journal.JournalError
        The database cannot be opened or migrated (the message says why).
    """
    from photodose.journal import open_journal as _open_journal

    return _open_journal(db)
