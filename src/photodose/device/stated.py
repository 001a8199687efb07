"""Stated vs modelled vs measured irradiance, side by side, with which is more credible.

Each figure a device file records under ``[[stated]]`` (an irradiance or a dose per session,
with who stated it and where) is set beside

* the model's face-average irradiance (treated-area mean, low–high) and its peak over one LED at
  the skin (:func:`photodose.device.irradiance.peak_valley`), so like is compared with like;
* a meter reading carried to the face, when there is one;
* the energy and heat budget's classification (:mod:`photodose.device.budget`);
* the dose per session each reading implies (``H = E · t``) and, through a callback the service
  supplies (the evidence layer sits beside this one, not below it), the verdict at each.

No I/O beyond the cached face model; the wording of the bottom line lives here so that the
terminal, JSON and HTML say the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from photodose.device.budget import classify_stated_dose, classify_stated_irradiance
from photodose.device.estimate import Estimate
from photodose.device.irradiance import ChannelIrradiance, peak_valley
from photodose.device.spec import DeviceSpec, StatedValue
from photodose.hints import ENTER_METER_READING_AND_POSITION, METER_POSITIONS, Hint

#: ``verdict_at(wavelength_nm, fluence_j_cm2_per_session, irradiance_mw_cm2) -> short text``
VerdictAt = Callable[[float, float, float], str]


def _g(x: float) -> str:
    return f"{x:.3g}"


def session_dose_j_cm2(irradiance_mw_cm2: float, minutes: float) -> float:
    """Fluence per session (J/cm²) of an irradiance held for ``minutes``: ``H = E · t / 1000``."""
    return irradiance_mw_cm2 * minutes * 60.0 / 1000.0


def _credibility(
    classification: str, inside: bool, stated: StatedValue, measured: Estimate | None, calibrated: bool
) -> tuple[str, str]:
    if measured is not None:
        return "measured", (
            "your meter reading is a measurement of this unit; it outranks both the stated figure "
            "and the model (within the meter's own correction range)"
        )
    if classification == "implausible":
        return "modelled", (
            "the stated figure is beyond what the LEDs could give even over a single LED or in "
            "contact; the model's face average is the better guide"
        )
    if classification == "peak_only":
        return "modelled", (
            "the stated figure can only be a peak over an LED or a contact reading, not what the "
            "face receives on average; for the dose, the model's face average is the better guide"
        )
    if calibrated:
        return "stated", (
            "the model's LED power is set from this stated figure, so they agree by construction; "
            "the energy budget finds it consistent with a face average"
        )
    if inside:
        return "both", "the stated figure lies within the model's range and passes the energy budget"
    weak = stated.confidence in ("unverified", "assumption", "not_found")
    if weak:
        return "modelled", (
            "the figure passes the energy budget but is outside the model's range and its source "
            f"is {stated.confidence}; a meter reading would settle it"
        )
    return "stated", (
        "the figure passes the energy budget and comes from a "
        f"{stated.confidence} source, while the model's LED power is an assumption"
    )


def compare_stated(
    device: DeviceSpec,
    irradiance: list[ChannelIrradiance],
    minutes: float,
    measured: dict[str, Estimate] | None = None,
    verdict_at: VerdictAt | None = None,
) -> dict[str, Any]:
    """Every stated figure of ``device`` beside the modelled (and measured) irradiance.

    Parameters
    ----------
    device : the device; its ``stated`` list holds the figures.
    irradiance : the modelled channels (:func:`photodose.device.irradiance.evaluate_irradiance`).
    minutes : session length used for the doses (min).
    measured : per-channel face irradiance from a meter reading (mW/cm²), if any.
    verdict_at : callback giving the verdict text for a wavelength, fluence and irradiance.

    Returns
    -------
    dict with ``rows`` (one per stated figure: ``text``, ``stated_by``, ``where``,
    ``confidence``, ``channels``, ``stated_mw_cm2``, ``modelled_mean_mw_cm2`` (low / central /
    high), ``modelled_peak_mw_cm2`` (low / high), ``measured_mw_cm2`` (or None),
    ``classification``, ``budget`` (the arithmetic), ``dose_at_stated_j_cm2``,
    ``dose_at_modelled_j_cm2`` (low / central / high), ``verdict_at_stated``,
    ``verdict_at_modelled``, ``more_credible``, ``why``), ``bottom_line`` (text, or None
    when the device states nothing) and ``hints`` (:meth:`photodose.hints.Hint.to_dict` of what
    the person can enter to settle it: a meter reading and where the sensor sat; the text holds
    each hint's face-neutral ``phrase``, which a face words as its own option or form field).
    """
    by_channel = {ci.channel: ci for ci in irradiance}
    rows: list[dict[str, Any]] = []
    for sv in device.stated:
        chans = [sv.channel] if sv.channel is not None else list(device.mode.channels)
        if sv.irradiance_mw_cm2 is not None:
            check = classify_stated_irradiance(device, sv.irradiance_mw_cm2, sv.channel)
            E_stated = sv.irradiance_mw_cm2
        else:
            assert sv.dose_j_cm2 is not None
            check = classify_stated_dose(device, sv.dose_j_cm2, sv.minutes, sv.channel)
            E_stated = check.stated_irradiance_mw_cm2
        means = [by_channel[c].mean for c in chans if c in by_channel]
        mean = Estimate(
            sum(m.low for m in means),
            sum(m.central for m in means),
            sum(m.high for m in means),
            "mW/cm2",
            "model: treated-area mean" + (" (channels summed)" if len(chans) > 1 else ""),
        )
        pk_lo = sum(peak_valley(device, c, "low").peak_mw_cm2 for c in chans)
        pk_hi = sum(peak_valley(device, c, "high").peak_mw_cm2 for c in chans)
        meas = None
        if measured is not None:
            got = [measured[c] for c in chans if c in measured]
            if got:
                meas = Estimate(
                    sum(m.low for m in got),
                    sum(m.central for m in got),
                    sum(m.high for m in got),
                    "mW/cm2",
                    "meter reading carried to the face",
                )
        inside = mean.low <= E_stated <= mean.high
        calibrated = any(
            device.channel(c).claimed_irradiance is not None
            and abs(device.channel(c).claimed_irradiance.irradiance_mw_cm2.pick() - E_stated)  # type: ignore[union-attr]
            < 1e-9 * E_stated
            for c in chans
        )
        best, why = _credibility(check.classification, inside, sv, meas, calibrated)
        t = sv.minutes if (sv.dose_j_cm2 is not None and sv.minutes is not None) else minutes
        dose_stated = sv.dose_j_cm2 if sv.dose_j_cm2 is not None else session_dose_j_cm2(E_stated, t)
        dose_model = mean.scale(t * 60.0 / 1000.0, "J/cm2")
        v_stated = v_model = None
        if verdict_at is not None:
            # a figure for several channels is split between them as the model splits its mean
            wl_parts = []
            for c in chans:
                share = by_channel[c].mean.central / mean.central if mean.central > 0 else 1 / len(chans)
                wl = device.channel(c).peak_nm.pick()
                wl_parts.append(
                    (
                        c,
                        verdict_at(wl, dose_stated * share, E_stated * share),
                        verdict_at(wl, dose_model.central * share, mean.central * share),
                    )
                )
            v_stated = "; ".join(f"{c}: {a}" for c, a, _ in wl_parts)
            v_model = "; ".join(f"{c}: {b}" for c, _, b in wl_parts)
        rows.append(
            {
                "text": sv.text,
                "quantity": sv.quantity,
                "stated_value": sv.irradiance_mw_cm2 if sv.irradiance_mw_cm2 is not None else sv.dose_j_cm2,
                "stated_unit": "mW/cm2" if sv.irradiance_mw_cm2 is not None else "J/cm2",
                "plus_minus": sv.plus_minus,
                "stated_by": sv.stated_by,
                "where": sv.where,
                "confidence": sv.confidence,
                "channels": chans,
                "minutes": t,
                "stated_mw_cm2": E_stated,
                "modelled_mean_mw_cm2": {"low": mean.low, "central": mean.central, "high": mean.high},
                "modelled_peak_mw_cm2": {"low": pk_lo, "high": pk_hi},
                "measured_mw_cm2": None
                if meas is None
                else {"low": meas.low, "central": meas.central, "high": meas.high},
                "classification": check.classification,
                "budget": check.explanation,
                "dose_at_stated_j_cm2": dose_stated,
                "dose_at_modelled_j_cm2": {
                    "low": dose_model.low,
                    "central": dose_model.central,
                    "high": dose_model.high,
                },
                "verdict_at_stated": v_stated,
                "verdict_at_modelled": v_model,
                "more_credible": best,
                "why": why,
                "citations": list(check.citations),
            }
        )
    hints = [SETTLE_BY_METER.to_dict()] if rows else []
    return {"rows": rows, "bottom_line": _bottom_line(device, rows), "hints": hints}


#: a calibrated meter at the skin settles a stated figure against the model (the text of the
#: bottom line holds the phrase; the CLI words it as ``--meter-reading … --meter-position``)
SETTLE_BY_METER = Hint(
    "meter_reading", "stated", ENTER_METER_READING_AND_POSITION, {"positions": list(METER_POSITIONS)}
)


_CLASS_WORDS = {
    "face_average": "consistent with a face average",
    "peak_only": "possible only as a peak over an LED or a contact reading",
    "implausible": "implausible even as a peak",
}


def _bottom_line(device: DeviceSpec, rows: list[dict[str, Any]]) -> str | None:
    if not rows:
        return None
    parts = []
    for r in rows:
        ch = "+".join(r["channels"])
        m = r["modelled_mean_mw_cm2"]
        s = (
            f"{r['text'] or _g(r['stated_value']) + ' ' + r['stated_unit']} ({ch}; {r['stated_by']}): "
            f"{_CLASS_WORDS[r['classification']]}; the model's face average is {_g(m['central'])} "
            f"({_g(m['low'])}–{_g(m['high'])}) mW/cm²"
        )
        if r["quantity"] == "irradiance":
            s += (
                f"; {r['minutes']:g} min at the stated figure is {_g(r['dose_at_stated_j_cm2'])} J/cm², "
                f"at the modelled average {_g(r['dose_at_modelled_j_cm2']['central'])} J/cm²"
            )
        if r["verdict_at_stated"] and r["verdict_at_stated"] != r["verdict_at_modelled"]:
            s += (
                f" (verdict at the stated figure: {r['verdict_at_stated']}; "
                f"at the model: {r['verdict_at_modelled']})"
            )
        s += f". More credible: {r['more_credible']} — {r['why']}."
        parts.append(s)
    settle = (
        " A reading with a calibrated meter at the skin, once over an LED and once between LEDs "
        f"({ENTER_METER_READING_AND_POSITION}), settles which figure is right."
    )
    return " ".join(parts) + settle
