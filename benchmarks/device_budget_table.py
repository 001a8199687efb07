"""Write the computed tables of ``docs/device_budget.md`` from the library (issue 16).

Three blocks of the document are generated, each between a pair of markers::

    <!-- generated: NAME (benchmarks/device_budget_table.py) -->
    ...
    <!-- end generated: NAME -->

* ``datasheets``: the LED datasheet rows behind the per-LED power
  (:func:`photodose.device.budget.led_datasheets`; wall-plug efficiency derived as
  P_opt / (I_F · V_F));
* ``stated``: every catalogued stated irradiance or dose against the model (face average and peak
  over an LED, :func:`photodose.device.stated.compare_stated`) and the energy and heat budget
  (:func:`photodose.device.budget.classify_stated_irradiance` / ``classify_stated_dose``);
* ``arithmetic``: the budget's arithmetic in words, figure by figure;
* ``leave_one_out``: each published value predicted without itself
  (:func:`photodose.device.calibration.leave_one_out`).

The prose around the blocks is written by hand and is left alone.

Run: ``.venv/bin/python benchmarks/device_budget_table.py`` rewrites the blocks in place;
``--check`` exits 1 (and names the stale blocks) when the document differs from the library;
``--print`` writes the blocks to stdout. Nothing is timed: this is a document generator kept beside
the other scripts that write results (it takes a few seconds: the face model and the peak over an
LED are computed for every catalogued device with a stated figure).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "device_budget.md"
SCRIPT = "benchmarks/device_budget_table.py"


def g(x: float | None) -> str:
    """Three significant figures, as the document prints every computed number."""
    if x is None:
        return "—"
    return f"{x:.3g}"


def _w(mw: float) -> str:
    return g(mw / 1000.0)


def datasheets_block() -> str:
    """The LED datasheet table (``data/devices/_led_datasheets.toml``)."""
    from photodose.device.budget import led_datasheets

    lines = [
        "| part | class | radiant power at drive current | V_F | wall-plug efficiency (derived) | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in led_datasheets():
        rp = r["radiant_power_mw"]
        power = " / ".join(f"{k} {g(rp[k])}" for k in ("min", "typ") if k in rp)
        power += f" mW at {g(r['drive_current_ma'])} mA"
        wpe = rp["typ"] / (r["drive_current_ma"] * r["forward_voltage_v"])
        src = str(r["source"])
        url = re.search(r"\((https?://[^)\s]+)\)\s*$", src)
        label = src.split(":")[0].strip()
        source = f"[{label}]({url.group(1)})" if url else label
        nm = f"{g(r['peak_nm'])} nm"
        part = str(r["part"]) if nm in str(r["part"]) else f"{r['part']}, {nm}"
        cls = str(r["package_class"]).replace("_", "-").replace("smd", "SMD")
        lines.append(f"| {part} | {cls} | {power} | {g(r['forward_voltage_v'])} V | {wpe:.2f} | {source} |")
    return "\n".join(lines)


def stated_rows() -> list[dict[str, Any]]:
    """One row per catalogued stated figure: the stated value, the model, the budget's checks."""
    from photodose.device import catalog, evaluate_irradiance
    from photodose.device.budget import classify_stated_dose, classify_stated_irradiance
    from photodose.device.stated import compare_stated

    rows: list[dict[str, Any]] = []
    for d in sorted(catalog(), key=lambda d: d.id):
        if not d.stated:
            continue
        cmp = compare_stated(d, evaluate_irradiance(d), d.session_minutes)
        for sv, cr in zip(d.stated, cmp["rows"], strict=True):
            if sv.irradiance_mw_cm2 is not None:
                check = classify_stated_irradiance(d, sv.irradiance_mw_cm2, sv.channel)
            else:
                assert sv.dose_j_cm2 is not None
                check = classify_stated_dose(d, sv.dose_j_cm2, sv.minutes, sv.channel)
            rows.append({"device": d.id, "stated": sv, "compare": cr, "check": check})
    return rows


_CLASS = {"face_average": "face average", "peak_only": "peak only", "implausible": "implausible"}


def _stated_label(sv: Any, chans: list[str], e_mw_cm2: float) -> str:
    if sv.irradiance_mw_cm2 is not None:
        s = f"{g(sv.irradiance_mw_cm2)} mW/cm²"
    else:
        s = f"{g(sv.dose_j_cm2)} J/cm²"
    if sv.plus_minus is not None:
        s += f" ± {g(sv.plus_minus)}"
    s += ", " + "+".join(chans)
    if sv.dose_j_cm2 is not None:
        s += f", per {g(sv.minutes)} min (= {g(e_mw_cm2)} mW/cm²)" if sv.minutes else ""
    return f"{s} ({sv.confidence})"


def stated_block() -> str:
    """The table of every catalogued stated figure against the model and the budget."""
    head = [
        "| device | stated (confidence) | modelled face average, central (low–high) | modelled peak over "
        "an LED (low–high) | light needed as a face average vs LEDs can give (W) | waste heat vs what the "
        "surface sheds (W) | skin ΔT, light alone (K) | classification |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in stated_rows():
        sv, cr, ck = r["stated"], r["compare"], r["check"]
        m, pk, c = cr["modelled_mean_mw_cm2"], cr["modelled_peak_mw_cm2"], ck.checks
        lo_av, hi_av = ck.available_optical_power_mw
        shed = c.get("shed_w")
        heat = "—" if shed is None else f"{g(c['waste_heat_w'])} vs ≤ {g(shed)}"
        head.append(
            f"| {r['device']} | {_stated_label(sv, cr['channels'], cr['stated_mw_cm2'])} "
            f"| {g(m['central'])} ({g(m['low'])}–{g(m['high'])}) | {g(pk['low'])}–{g(pk['high'])} "
            f"| {_w(ck.required_optical_power_mw)} vs {_w(lo_av)}–{_w(hi_av)} | {heat} "
            f"| {g(c['skin_temperature_rise_k'])} | **{_CLASS[ck.classification]}** |"
        )
    return "\n".join(head)


def arithmetic_block() -> str:
    """The budget's arithmetic in words, one bullet per catalogued stated figure."""
    bullets = []
    for r in stated_rows():
        sv, cr = r["stated"], r["compare"]
        title = sv.text or _stated_label(sv, cr["channels"], cr["stated_mw_cm2"])
        bullets.append(f"- **{r['device']}, {title}**: {r['check'].explanation}")
    return "\n".join(bullets)


def leave_one_out_block() -> str:
    """The leave-one-out table (:func:`photodose.device.calibration.leave_one_out`)."""
    from photodose.device import find_device
    from photodose.device.calibration import leave_one_out, modelled_range

    lines = [
        "| device | channels | kind of quantity | published | as catalogued (low–high) | leave-one-out "
        "per-LED power (mW) | leave-one-out prediction (low–high) | contains | high/low |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in leave_one_out():
        d = find_device(r["device"])
        cat = modelled_range(d, tuple(r["channels"]), r["quantity"])
        p = r["predicted"]
        lo_p, hi_p = r["led_power_mw"]
        lines.append(
            f"| {r['device']} | {'+'.join(r['channels'])} | {r['quantity'].replace('_', ' ')} "
            f"| {g(r['value_mw_cm2'])} | {g(cat.low)}–{g(cat.high)} | {g(lo_p)}–{g(hi_p)} "
            f"| {g(p.low)}–{g(p.high)} | {'yes' if r['contains'] else '**no**'} | {g(r['spread'])} |"
        )
    return "\n".join(lines)


BLOCKS = {
    "datasheets": datasheets_block,
    "stated": stated_block,
    "arithmetic": arithmetic_block,
    "leave_one_out": leave_one_out_block,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- generated: {name} \([^)]*\) -->\n)(.*?)(\n<!-- end generated: {name} -->)", re.DOTALL
    )


def render(doc: str, blocks: dict[str, str]) -> str:
    """``doc`` with each generated block replaced; a missing marker pair is an error."""
    for name, body in blocks.items():
        pat = _pattern(name)
        if not pat.search(doc):
            raise SystemExit(
                f"{DOC}: no block '{name}'; fix: put '<!-- generated: {name} ({SCRIPT}) -->' and "
                f"'<!-- end generated: {name} -->' on lines of their own where the table belongs"
            )

        def put(mt: re.Match[str], body: str = body) -> str:
            return mt.group(1) + body + mt.group(3)

        doc = pat.sub(put, doc, count=1)
    return doc


def stale_blocks(doc: str, blocks: dict[str, str]) -> list[str]:
    """Names of the blocks whose text in ``doc`` differs from the library's."""
    out = []
    for name, body in blocks.items():
        mt = _pattern(name).search(doc)
        if mt is None or mt.group(2) != body:
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--check", action="store_true", help="exit 1 when the document is stale")
    ap.add_argument("--print", dest="show", action="store_true", help="print the blocks, write nothing")
    ap.add_argument("--doc", type=Path, default=DOC, help="the document (default: docs/device_budget.md)")
    args = ap.parse_args(argv)
    blocks = {name: make() for name, make in BLOCKS.items()}
    if args.show:
        for name, body in blocks.items():
            print(f"<!-- {name} -->\n{body}\n")
        return 0
    doc = args.doc.read_text(encoding="utf-8")
    if args.check:
        stale = stale_blocks(doc, blocks)
        if stale:
            print(f"{args.doc}: stale blocks: {', '.join(stale)}; run {SCRIPT}", file=sys.stderr)
            return 1
        print(f"{args.doc}: up to date")
        return 0
    new = render(doc, blocks)
    if new != doc:
        args.doc.write_text(new, encoding="utf-8")
        print(f"{args.doc}: rewritten ({', '.join(stale_blocks(doc, blocks))})")
    else:
        print(f"{args.doc}: already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
