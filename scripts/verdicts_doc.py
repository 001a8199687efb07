"""Write ``docs/verdicts.md``: the verdicts for every catalogued device, one line of reasoning each.

Run after changing the evidence data, a device file or the verdict rules::

    .venv/bin/python scripts/verdicts_doc.py          # rewrite docs/verdicts.md
    .venv/bin/python scripts/verdicts_doc.py --check  # exit 1 if docs/verdicts.md is stale

Each device is evaluated exactly as ``photodose evaluate DEVICE --json`` does on its defaults (a
Fitzpatrick III forehead, the device's own timer, 3 sessions a week), in-process: catalogue
devices at the forehead are served by the shipped depth and irradiance tables, so the whole run
takes seconds and gives the same numbers every time. The reasoning for each verdict is built from
the verdict's own fields (dose range, tested window and the trials behind it, weight of evidence)
and from the dose windows' exclusions (unverified or second-hand doses), never typed in by hand.
``tests/test_verdicts_doc.py`` fails when the committed page differs from a fresh run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "verdicts.md"

SHORT = {
    "within_studied_range": "within",
    "below_studied_range": "below",
    "above_studied_range": "above",
    "wavelength_not_studied": "wavelength not tested",
    "no_controlled_evidence": "no tested dose",
}


def collect(device_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """``photodose evaluate DEVICE --json`` for each device (default: the whole catalogue)."""
    from photodose.device import catalog
    from photodose.services.evaluate import evaluate
    from photodose.skin import SkinProfile

    ids = sorted(device_ids) if device_ids is not None else sorted(d.id for d in catalog())
    out: dict[str, dict[str, Any]] = {}
    for dev in ids:
        ev = evaluate(dev, skin=SkinProfile("III", "forehead"))
        out[ev.device.id] = json.loads(json.dumps(ev.to_json(), default=str))  # as the CLI prints it
    return out


def _fn(x: float) -> str:
    from photodose.evidence.studies import format_number

    return str(format_number(x))


def _rng(e: dict[str, Any], unit: str) -> str:
    return f"{_fn(e['central'])} {unit} (range {_fn(e['low'])}–{_fn(e['high'])})"


class _Reasons:
    """One line of reasoning per verdict, from the verdict's fields and the evidence data."""

    def __init__(self) -> None:
        from photodose.evidence import dose_windows, load_evidence

        self.ev = load_evidence()
        self.windows = {(w.indication, w.band): w for w in dose_windows()}
        self.ind = {i.id: i.name for i in self.ev.indications}
        self.band = {b.id: b.name for b in self.ev.bands}

    def label(self, sid: str) -> str:
        return str(self.ev.study(sid).label)

    def trial_dirs(self, sids: Iterable[str], ind: str) -> list[str]:
        return [
            f"{self.label(s)}, {self.ev.study(s).direction_for(ind) or 'direction not recorded'}"
            for s in sids
        ]

    def excluded(self, ind: str, band: str | None) -> str:
        win = self.windows.get((ind, band or ""))
        if win is None:
            return ""
        notes = [
            f"{x.study_label}'s {x.value}, {x.reason.split(';')[0]}"
            for x in win.excluded
            if x.field.startswith("fluence") and "not a controlled trial" not in x.reason
        ]
        return f" Left out of the window: {'; '.join(notes)}." if notes else ""

    def line(self, v: dict[str, Any]) -> str:
        ind, band, verdict = v["indication"], v["band"], v["verdict"]
        fl = v["fluence_j_cm2"]
        dose = f"{_fn(fl[1])} J/cm² ({_fn(fl[0])}–{_fn(fl[2])})"
        meter = (
            " Its output is assumed (no published or measured irradiance), so a meter reading decides."
            if v.get("inputs_assumed")
            else ""
        )
        if verdict == "wavelength_not_studied":
            if band is None:
                wl = ", ".join(_fn(x) for x in v.get("wavelengths_nm") or []) or "this"
                return f"No controlled trial of {self.ind[ind]} used {wl} nm light."
            return f"No controlled trial of {self.ind[ind]} used {self.band.get(band, band)} light."
        if verdict == "no_controlled_evidence":
            win = self.windows.get((ind, band))
            trials = list(win.controlled_trials) if win is not None else []
            if not trials:
                return f"No controlled trial of {self.ind[ind]} with {self.band.get(band, band)} light."
            return (
                f"Controlled trials used this band ({'; '.join(self.trial_dirs(trials, ind))}) but none "
                "reports a dose that could be read, so the device's dose cannot be placed."
                f"{self.excluded(ind, band)}"
            )
        t = v.get("tested_fluence_j_cm2") or {}
        setters = list(t.get("trials") or [])
        tested = t.get("text", "?")
        reasons = " ".join(v.get("uncertain_reasons") or [])
        crosses = "crosses" in reasons
        dirs = {self.ev.study(s).direction_for(ind) for s in setters}
        who = (
            f"the trial that sets it ({self.label(setters[0])})"
            if len(setters) == 1
            else f"the {len(setters)} trials that set it"
        )
        if dirs == {"positive"}:
            result = f"{who} found a benefit" if len(setters) == 1 else f"{who} all found a benefit"
        elif dirs == {"null"}:
            result = f"{who} found no effect, so its dose is no benchmark either way"
        else:
            result = f"{who} were " + "/".join(sorted(str(d) for d in dirs))
        if verdict == "within_studied_range":
            if t.get("lower_open"):
                pos = (
                    f"is at or under {tested}, a maximum only: the trial's actual dose is not reported, so "
                    "a lower dose cannot be called below it"
                )
            else:
                edge = " (its range reaches outside it)" if crosses else ""
                pos = f"is within the tested {tested}{edge}"
            return f"Central {dose} {pos}; {result}.{meter}"
        if verdict == "below_studied_range":
            cross = ", though its range reaches into the tested doses" if crosses else ""
            return (
                f"Central {dose} is below the tested {tested}{cross}; no controlled trial tested a dose this "
                f"low (not evidence that it fails); {result}.{self.excluded(ind, band)}{meter}"
            )
        if verdict == "above_studied_range":
            cross = ", though its range reaches into the tested doses" if crosses else ""
            return (
                f"Central {dose} is above the tested {tested}{cross}; no controlled trial with a readable "
                f"dose went this high; {result}.{self.excluded(ind, band)}{meter}"
            )
        return f"Central {dose} against the tested {tested}."


def build_doc(evaluations: dict[str, dict[str, Any]]) -> str:
    """The Markdown page for these evaluations (device id → ``evaluate --json`` object)."""
    from photodose.evidence import dose_windows, evidence_weight

    r = _Reasons()
    ev = r.ev
    out: list[str] = []
    w = out.append
    w("# Verdicts for the catalogued devices")
    w("")
    w(
        f"Generated by `scripts/verdicts_doc.py` from `photodose evaluate DEVICE --json` for each of the "
        f"{len(evaluations)} catalogued devices, on the default person (Fitzpatrick III forehead), each "
        "device's own timer and the default schedule of 3 sessions per week (an assumption, range 2–5). "
        "`scripts/verdicts_doc.py --check` (and `tests/test_verdicts_doc.py`) fail when this page no longer "
        "matches the code and data. Nothing here is medical advice."
    )
    w("")
    w("## How to read a verdict")
    w("")
    w(
        "* **The window is what controlled trials tested, not a minimum effective dose.** For each "
        "indication and wavelength band, `photodose.evidence.windows` collects the fluence per session of "
        "every controlled trial (a control arm, a sham device or a split face) whose dose could be read as "
        "`exact` or `derived`. *Below / within / above the doses tested in controlled trials* says where a "
        'device\'s dose falls against them. "Below" means no controlled trial tested a dose that low; it '
        "is not evidence that the dose fails."
    )
    w(
        "* **Bounds stay bounds.** A trial dose known only as a maximum (the home-mask RCT: at most 10 "
        "mW/cm² for 9 min, so ≤5.4 J/cm²) caps the window but is never its lower edge. Where it is the "
        "only dose in a band the lower edge is open: a dose at or under it is *within*, flagged uncertain."
    )
    w(
        "* **`uncertain`** (`~` below) is set when the device's low–high dose range crosses a window edge, "
        "when every input that sets the device's output is an assumption (no published or measured "
        "irradiance), or when the comparison rests on an edge known only as a bound. The verdict named is "
        'that of the central value. A trial\'s printed dose is read to its printed precision: "3.8 J/cm²" '
        "covers 3.75–3.85."
    )
    w(
        "* **Weight of evidence** (the *evidence* column, as in the terminal summary): the trials with a "
        "control or a blinded assessment for that indication, their total N (`+?`: some trials do not "
        "report their size) and how many were positive (+), null (=), negative (−) or mixed (±). A blinded "
        "trial whose raters did no better than chance (Boulos 2009) counts against a claim; open "
        "before/after series do not count either way. It is a tally, not a meta-analysis."
    )
    w(
        "* Numbers tagged `unverified` (the commonly cited 126/66 J/cm² of Lee 2007) or `secondary` are "
        "kept in the data but left out of the windows; the reasoning names them where they would matter."
    )
    w("")
    w("## Doses tested in controlled trials (fluence per session at the skin)")
    w("")
    w("| indication | band | tested dose | trials (dose; result) |")
    w("|---|---|---|---|")
    for win in dose_windows():
        rr = win.fluence_j_cm2
        if rr is None:
            if win.status == "no_controlled_dose_evidence":
                trials = ", ".join(r.label(s) for s in win.controlled_trials)
                w(
                    f"| {win.indication_name} | {win.band_name} | not readable | controlled trials used this "
                    f"band ({trials}) but no dose could be read |"
                )
            continue
        per = []
        for sid in rr.rests_on:
            vals = [x for x in rr.values if x.study_id == sid]
            dirn = ev.study(sid).direction_for(win.indication)
            per.append(f"{r.label(sid)} ({', '.join(x.number_text('J/cm²') for x in vals)}; {dirn})")
        w(f"| {win.indication_name} | {win.band_name} | {rr.describe()} | {'; '.join(per)} |")
    w("")
    w("## Weight of evidence per indication")
    w("")
    w("| indication | tally | controlled or blinded trials | not counted (no control, no blinding) |")
    w("|---|---|---|---|")
    for i in ev.indications:
        ew = evidence_weight(i.id)
        trials = "; ".join(f"{t.label} (N = {t.n if t.n else '?'}, {t.direction})" for t in ew.trials)
        nc = ", ".join(r.label(s) for s in ew.not_counted) or "—"
        w(f"| {i.name} | **{ew.compact()}** | {ew.text()} — {trials} | {nc} |")
    w("")
    w("## Device by device")
    w("")
    w(
        "Columns: the indication and band; the verdict (`~` = uncertain); the weight of evidence; one line "
        "of reasoning. Doses are fluence per session at the skin surface, treated-area mean, central "
        "(low–high)."
    )
    for dev in sorted(evaluations):
        d = evaluations[dev]
        w("")
        w(f"### {d['device']['name']} (`{dev}`)")
        w("")
        cl = "; ".join(
            f"{c['channel']} {_fn(c['wavelength_nm'])} nm: {_rng(c['irradiance_mw_cm2'], 'mW/cm²')} → "
            f"{_rng(c['surface_fluence_j_cm2'], 'J/cm²')}"
            for c in d["channels"]
        )
        w(f"{_fn(d['session_minutes'])}-minute session. {cl}.")
        w("")
        w("| indication | band | verdict | evidence | reasoning |")
        w("|---|---|---|---|---|")
        for v in d["verdicts"]:
            if v.get("fluence_j_cm2") is None:
                continue
            mark = "~" if v["uncertain"] else ""
            if v["band"] is not None:
                band = r.band.get(v["band"], v["band"])
            else:
                band = f"{_fn(v['wavelengths_nm'][0])} nm" if v.get("wavelengths_nm") else "other"
            weight = (v.get("evidence_weight") or {}).get("compact", "—")
            w(f"| {r.ind[v['indication']]} | {band} | {mark}{SHORT[v['verdict']]} | {weight} | {r.line(v)} |")
    w("")
    w("## Checks against the trials themselves")
    w("")
    w(
        "* **The home-use mask RCT's own mask at its own protocol** (`home-mask-rct-pmid-39960921`: 630 + "
        "850 nm, at most 10 mW/cm² each, 9 min) must come out *within* the doses tested for wrinkles in "
        "both bands: the trial tested exactly this. Test: "
        "`tests/test_evidence_verdict.py::test_the_home_mask_rct_own_mask_at_its_own_protocol_is_within`."
    )
    w(
        '* **A "≤ 5.4" value is never a lower edge**: any NIR dose at or under 5.4 J/cm² is *within* '
        "(uncertain), never *below*. Tests: `test_an_upper_bound_is_never_used_as_a_lower_edge` and the "
        "property test `test_an_upper_bound_never_becomes_the_lower_edge` (windows)."
    )
    w(
        "* **The in-office panel at Lee 2007's commonly cited settings** (105 mW/cm² red, 55 mW/cm² NIR, "
        "20 min → 126 / 66 J/cm²) reads *above* the readable doses; the verdict depends on exactly the "
        "numbers nobody has verified (`include_unverified=True` admits them), and says so."
    )
    w("")
    w("## The evidence table")
    w("")
    w(
        "Every study in `src/photodose/data/evidence/studies.toml`, with where its citation was read and "
        "how surely (`exact`: read in the primary record; `secondary`: in a third-party copy or citation). "
        "Gaps are named in the data's `gaps_note`; `tests/test_evidence_studies.py` fails on any "
        "unexplained gap. *Counts* says whether a study sets dose windows and/or weighs in the weight of "
        "evidence."
    )
    w("")
    w("| study | design (N) | counts | results by indication | citation (confidence) |")
    w("|---|---|---|---|---|")
    for s in ev.studies:
        dirs = (
            ", ".join(f"{r.ind[i]}: {s.direction_for(i)}" for i in s.indications if s.direction_for(i)) or "—"
        )
        counts = "window + weight" if s.enters_windows else ("weight" if s.counts_as_evidence else "no")
        cit = s.citation()
        if s.url:
            cit = f"[{cit}]({s.url})"
        n = s.n if s.n else "?"
        w(f"| {s.label} | {s.design_text()} ({n}) | {counts} | {dirs} | {cit} ({s.citation_confidence}) |")
    w("")
    w("## What this cannot tell yet")
    w("")
    for win in dose_windows():
        if win.status == "no_controlled_dose_evidence":
            ew = evidence_weight(win.indication)
            w(
                f"* **{win.indication_name}, {win.band_name}:** controlled trials used this band "
                f"({', '.join(r.label(s) for s in win.controlled_trials)}) but none reports a readable dose, "
                f'so every verdict here is "no tested dose"; the weight of evidence beside it is '
                f"{ew.compact()}.{r.excluded(win.indication, win.band)}"
            )
    w(
        "* Doses are per session at the skin surface; the trials' doses are as reported by their authors "
        "(device output, not measured at the skin). Both sides share that uncertainty."
    )
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--check", action="store_true", help="exit 1 if docs/verdicts.md is stale; write nothing")
    p.add_argument("--out", type=Path, default=DOC, help="where to write (default docs/verdicts.md)")
    args = p.parse_args(argv)
    text = build_doc(collect())
    if args.check:
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if old != text:
            print(
                f"{args.out} is stale: run `.venv/bin/python scripts/verdicts_doc.py` and review the diff",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
