"""Property-based fuzzing of every command (hypothesis).

Every command is driven with generated arguments, units, numbers and files (TOML and .mci
stacks, device files mutated from the catalogue, text, binary, empty, huge, special files such
as /dev/zero) and must:

- exit 0 (it worked) or 2 (bad input, with a message naming the field and the fix), never
  anything else: exit 1 is the CLI's "unexpected exception" (a bug), and there is no traceback;
- stay within a memory bound: the growth of the process's peak resident memory during the
  case (Linux resets the peak through ``/proc/self/clear_refs``; elsewhere ``tracemalloc``'s
  peak), and the special files run in a subprocess under an address-space limit so that a
  runaway cannot take the test process down;
- print exactly one JSON object on stdout whenever ``--json`` is given (strict JSON: no NaN).

Two modes. The default (``make test``) runs a fixed, derandomised subset of about 200 cases
in well under a minute on two cores. ``PHOTODOSE_FUZZ=long`` runs more than 10 000 random
cases (10 500 in 7 min 17 s on two shared cores, 2026-11-30; for a scheduled job):

    PHOTODOSE_FUZZ=long .venv/bin/pytest tests/test_fuzz_cli.py -p no:xdist -q
    PHOTODOSE_FUZZ=200 …   # 200 random cases per test: a quicker random pass

A failure prints the arguments, so ``photodose ARGS`` reproduces it. New commands are fuzzed
without changes here: :func:`test_every_command_generic` reads each command's parameters from
the Typer app and generates values by their types.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from photodose.cli import app

_MODE = os.environ.get("PHOTODOSE_FUZZ", "").lower()
LONG = _MODE == "long" or _MODE.isdigit()
#: ``PHOTODOSE_FUZZ=N`` (a number): N random cases per test, for a quicker random pass.
PER_TEST = int(_MODE) if _MODE.isdigit() else None
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CATALOG = ROOT / "src" / "photodose" / "data" / "devices"
#: Most the peak resident memory may grow during one command. A first Numba compile in the
#: process takes ~300 MB, an evaluate run ~150 MB; the /dev/zero failure of issue 10 grew to 23 GB.
MEMORY_LIMIT_BYTES = 1024 * 2**20
runner = CliRunner()

# Budgets: (fast, long) examples per test; the long column sums to more than 10 000.
BUDGET = {
    "transport": (30, 2000),
    "skin": (30, 1200),
    "depth": (12, 600),
    "devices": (10, 800),
    "meter": (40, 2000),
    "evaluate": (8, 400),
    "claims": (20, 1500),
    "generic": (50, 2000),
}


def budget(name: str) -> Any:
    fast, long = BUDGET[name]
    return settings(
        max_examples=PER_TEST or (long if LONG else fast),
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --------------------------------------------------------------------------- the work area

_WORK = Path(tempfile.mkdtemp(prefix="photodose-fuzz-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)


@contextlib.contextmanager
def _sandbox() -> Iterator[Path]:
    """Run in a scratch folder, with the journal and data dir there (never the user's)."""
    old_cwd = os.getcwd()
    old_env = {k: os.environ.get(k) for k in ("PHOTODOSE_DATA_DIR", "PHOTODOSE_DB", "PHOTODOSE_PROGRESS")}
    os.chdir(_WORK)
    os.environ["PHOTODOSE_DATA_DIR"] = str(_WORK / "data")
    os.environ["PHOTODOSE_DB"] = str(_WORK / "journal.sqlite")
    os.environ["PHOTODOSE_PROGRESS"] = "0"
    try:
        yield _WORK
    finally:
        os.chdir(old_cwd)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _strict_json(text: str) -> Any:
    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=no_constants)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        m = re.search(rf"^{field}:\s+(\d+) kB", fh.read(), re.M)
    return int(m.group(1)) if m else 0


def _can_reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return _status_kib("VmHWM") > 0
    except OSError:
        return False


RESET_PEAK = _can_reset_peak()


def _invoke_measured(args: list[str], stdin: bytes | str | None) -> tuple[Any, int]:
    """Run the command; return the result and how much the peak memory grew (bytes)."""
    if RESET_PEAK:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # peak resident memory := current
        before = _status_kib("VmRSS")
        result = runner.invoke(app, args, input=stdin, catch_exceptions=True)
        return result, (_status_kib("VmHWM") - before) * 1024
    tracemalloc.start()
    try:
        result = runner.invoke(app, args, input=stdin, catch_exceptions=True)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_cli(args: list[str], stdin: bytes | str | None = None) -> Any:
    """Invoke ``photodose ARGS`` in-process and check the contract; return the result."""
    with _sandbox():
        result, peak = _invoke_measured(args, stdin)
    out, err = result.stdout, result.stderr
    where = f"\nphotodose {' '.join(map(repr, args))}\nstdout: {out[-1500:]!r}\nstderr: {err[-1500:]!r}"
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {exc!r}{where}"
    assert result.exit_code in (0, 2), f"exit {result.exit_code}{where}"
    event(f"{args[0]}: exit {result.exit_code}")  # --hypothesis-show-statistics shows the mix
    assert "Traceback (most recent call last)" not in out + err, f"traceback{where}"
    assert peak < MEMORY_LIMIT_BYTES, f"peak memory {peak / 2**20:.0f} MiB{where}"
    if "--json" in args:
        try:
            obj = _strict_json(out)
        except ValueError as e:
            raise AssertionError(f"stdout is not one strict JSON object ({e}){where}") from None
        assert isinstance(obj, dict), f"JSON is not an object{where}"
        if result.exit_code == 2:
            assert set(obj) == {"error"}, f"error JSON must be one error object{where}"
            assert obj["error"].get("field") and obj["error"].get("message"), where
    elif result.exit_code == 2:
        assert err.startswith("error: ") and "fix: " in err, f"error without field or fix{where}"
    return result


# --------------------------------------------------------------------------- value strategies

_NUM_WORDS = ["0", "-0", "-1", "1e308", "-1e308", "nan", "NaN", "inf", "-inf", "1e-320", "1e400", "0x10",
              "", " ", "1,5", "1_000", "٣", "12abc", "+5", ".5", "5.", "1e", "--"]  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
NUMBER = st.one_of(
    st.sampled_from(_NUM_WORDS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**25), 10**25).map(str),
    st.floats(0, 2000).map(lambda x: f"{x:g}"),
)


def _big_if_number(s: str, limit: float) -> bool:
    try:
        return abs(float(s.replace("_", "").replace(",", ""))) > limit
    except ValueError:
        return False


def count(ok_max: int, refused_min: float) -> st.SearchStrategy[str]:
    """A photon-like count: small enough to run fast, or one the command must refuse."""
    return st.one_of(
        st.integers(1, ok_max).map(str),
        st.integers(-1000, 0).map(str),
        st.integers(int(refused_min) + 1, 10**30).map(str),
        st.sampled_from(["1e12", "1e30", "2.5", "nan", "inf", "-inf", "many", "", "1e3"]),
        TEXT.filter(lambda s: not _big_if_number(s, ok_max)),
    )


DEVICE_IDS = sorted(p.stem for p in CATALOG.glob("*.toml") if not p.stem.startswith("_"))
DEVICE_NAME = st.one_of(
    st.sampled_from(DEVICE_IDS), st.sampled_from(["omnilux contour", "higherdose", "x"]), TEXT
)
FITZ = st.one_of(st.sampled_from(["I", "II", "III", "IV", "V", "VI", "1", "6", "7", "0", "iii", "VII"]), TEXT)
SITE = st.one_of(
    st.sampled_from(
        ["forehead", "cheek", "periorbital", "nose", "perioral", "chin", "jaw", "neck", "temple", "knee"]
    ),
    TEXT,
)
UNIT = st.one_of(
    st.sampled_from(
        ["mW/cm2", "W/m2", "uW/cm2", "µW/cm²", "W/cm2", "mW/m2", "mw/cm^2", "lux", "W", "mW / cm2"]
    ),
    TEXT,
)
WAVELENGTH = st.one_of(
    st.sampled_from(["633", "660", "850", "400", "1100", "399", "1101", "415", "1072"]), NUMBER
)


# --------------------------------------------------------------------------- file strategies


def _mutate(text: str, data: st.DataObject) -> str:
    """A file a person might have mistyped: lines deleted, numbers changed, cut short, garbage."""
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(0, 3))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["delete", "number", "truncate", "garbage", "duplicate"]))
        if op == "delete":
            del lines[i]
        elif op == "number":
            new = data.draw(NUMBER)
            lines[i] = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", lambda _m, new=new: new, lines[i], count=1)
        elif op == "truncate":
            lines = [*lines[:i], lines[i][: data.draw(st.integers(0, len(lines[i])))]]
        elif op == "garbage":
            lines.insert(i, data.draw(TEXT))
        else:
            lines.insert(i, lines[i])
    return "\n".join(lines) + "\n"


_counter = iter(range(10**9))


def _write(suffix: str, content: bytes | str) -> str:
    path = _WORK / "files" / f"f{next(_counter)}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(content)
    return str(path)


def _huge(suffix: str) -> str:
    """A 40 MB file (sparse: costs no disk), larger than every input limit."""
    path = _WORK / "files" / f"huge{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        with path.open("wb") as fh:
            fh.truncate(40 * 2**20)
    return str(path)


def file_arg(data: st.DataObject, suffix: str, good: list[Path], extra_suffixes: tuple[str, ...] = ()) -> str:
    """A path argument: a good file, a mutated one, text, binary, empty, huge, special, missing."""
    kind = data.draw(
        st.sampled_from(["good", "mutated", "mutated", "text", "binary", "empty", "huge", "devnull", "dir",
                         "missing", "suffix"])
    )  # fmt: skip
    if kind == "good":  # a copy: a command that writes to its argument must not touch the repository
        return _write(suffix, data.draw(st.sampled_from(good)).read_bytes())
    if kind == "mutated":
        return _write(suffix, _mutate(data.draw(st.sampled_from(good)).read_text(), data))
    if kind == "text":
        return _write(suffix, data.draw(TEXT))
    if kind == "binary":
        return _write(suffix, data.draw(st.binary(max_size=512)))
    if kind == "empty":
        return _write(suffix, b"")
    if kind == "huge":
        return _huge(suffix)
    if kind == "devnull":
        return "/dev/null"
    if kind == "dir":
        return str(_WORK)
    if kind == "missing":
        return str(_WORK / "no" / f"such{suffix}")
    return _write(data.draw(st.sampled_from([".txt", ".json", "", ".TOML", *extra_suffixes])), "x = 1\n")


def out_path(data: st.DataObject, good_suffix: str) -> str:
    """An output path: fine, in a missing folder, a folder, a wrong extension, a device."""
    kind = data.draw(st.sampled_from(["good", "missing_dir", "dir", "suffix", "device"]))
    if kind == "good":
        return str(_WORK / "out" / f"o{next(_counter)}{good_suffix}")
    if kind == "missing_dir":
        return str(_WORK / "no" / "such" / f"o{good_suffix}")
    if kind == "dir":
        return str(_WORK)
    if kind == "suffix":
        return str(_WORK / "out" / f"o{data.draw(st.sampled_from(['.txt', '', '.exe', '.HTML5']))}")
    return "/dev/null"


(_WORK / "out").mkdir(parents=True, exist_ok=True)


def opts(data: st.DataObject, table: dict[str, st.SearchStrategy[str] | None]) -> list[str]:
    """Some of the options in ``table`` (None: a flag), in a random order."""
    chosen = data.draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=len(table)))
    args: list[str] = []
    for name in chosen:
        strategy = table[name]
        args += [name] if strategy is None else [name, data.draw(strategy)]
    return args


# --------------------------------------------------------------------------- the commands

STACKS = [EXAMPLES / "skin5_633nm.toml", EXAMPLES / "mcml_3layer.mci"]


def either(
    data: st.DataObject, valid: bool, good: st.SearchStrategy[str], bad: st.SearchStrategy[str]
) -> str:
    """A value from ``good`` in a valid case, else from ``good`` or ``bad`` (adversarial)."""
    return data.draw(good if valid else st.one_of(good, bad))


@budget("transport")
@given(st.data())
def test_transport(data: st.DataObject) -> None:
    valid = data.draw(st.booleans())  # half the cases should run, half probe the errors
    suffix = data.draw(st.sampled_from([".toml", ".mci"]))
    stack = _write(suffix, STACKS[suffix == ".mci"].read_bytes()) if valid else file_arg(data, suffix, STACKS)
    photons = st.integers(1, 1500).map(str)
    args = ["transport", stack, "--photons", data.draw(photons if valid else count(1500, 1e10))]
    source = either(data, valid, st.sampled_from(["pencil", "oblique", "led"]), TEXT)
    args += ["--source", source]
    if source == "oblique" or not valid:
        args += ["--angle-deg", either(data, valid, st.floats(0, 89.9).map(lambda x: f"{x:g}"), NUMBER)]
    if source == "led" or not valid:
        args += ["--m", either(data, valid, st.floats(0, 50).map(lambda x: f"{x:g}"), NUMBER)]
    args += opts(
        data,
        {
            "--seed": st.one_of(st.integers(0, 2**100).map(str), *(() if valid else (NUMBER,))),
            "--threads": st.sampled_from(
                ["1", "2", "3"] if valid else ["0", "-1", "1025", "99999999999", "x"]
            ),
            "--backend": st.sampled_from(["cpu"] if valid else ["cpu", "cuda", "gpu", ""]),
            "--json": None,
        },
    )
    if data.draw(st.booleans()):
        args += [
            "--fluence-csv",
            str(_WORK / "out" / f"o{next(_counter)}.csv") if valid else out_path(data, ".csv"),
        ]
    run_cli(args)


@budget("skin")
@given(st.data())
def test_skin(data: st.DataObject) -> None:
    v = data.draw(st.booleans())
    args = [
        "skin",
        *opts(
            data,
            {
                "--fitzpatrick": st.just(
                    either(data, v, st.sampled_from(["I", "II", "III", "IV", "V", "VI", "2"]), FITZ)
                ),
                "--site": st.just(
                    either(data, v, st.sampled_from(["forehead", "cheek", "nose", "chin", "neck"]), SITE)
                ),
                "--wavelength": st.just(
                    either(data, v, st.floats(400, 1100).map(lambda x: f"{x:.6g}"), WAVELENGTH)
                ),
                "--model": st.just(either(data, v, st.sampled_from(["7-layer", "3-layer"]), TEXT)),
                "--age-band": st.just(
                    either(data, v, st.sampled_from(["adult", "18-39", "40-59", "60+"]), TEXT)
                ),
                "--sex": st.just(either(data, v, st.sampled_from(["unspecified", "female", "male"]), TEXT)),
                "--json": None,
            },
        ),
    ]
    run_cli(args)


@budget("depth")
@given(st.data())
def test_depth(data: st.DataObject) -> None:
    v = data.draw(st.booleans())
    args = ["depth"]
    good_w = st.floats(400, 1100).map(lambda x: f"{x:.5g}")
    for w in data.draw(st.lists(good_w if v else WAVELENGTH, min_size=1 if v else 0, max_size=3)):
        args += ["-w", w]
    approx = data.draw(st.booleans())
    args += (
        ["--approx"]
        if approx
        else ["--photons", either(data, v, st.integers(100, 600).map(str), count(600, 1e8))]
    )
    args += opts(
        data,
        {
            "--fitzpatrick": st.just(either(data, v, st.sampled_from(["I", "III", "VI"]), FITZ)),
            "--site": st.just(either(data, v, st.sampled_from(["forehead", "cheek", "neck"]), SITE)),
            "--fwhm": st.just(either(data, v, st.sampled_from(["0", "20", "35"]), NUMBER)),
            "--seed": st.just(either(data, v, st.integers(0, 10).map(str), NUMBER)),
            "--model": st.sampled_from(["7-layer", "3-layer"] if v else ["7-layer", "x"]),
            "--no-cache": None,
            "--json": None,
        },
    )
    if data.draw(st.integers(0, 3)) == 0:
        args += ["--plot", str(_WORK / "out" / f"d{next(_counter)}.png") if v else out_path(data, ".png")]
    run_cli(args)


@budget("devices")
@given(st.data())
def test_devices(data: st.DataObject) -> None:
    args = ["devices"]
    if data.draw(st.booleans()):
        good = sorted(CATALOG.glob("[a-z]*.toml"))
        args.append(file_arg(data, ".toml", good) if data.draw(st.booleans()) else data.draw(DEVICE_NAME))
    args += opts(data, {"--json": None, "--no-model": None})
    run_cli(args)


@budget("meter")
@given(st.data())
def test_meter(data: st.DataObject) -> None:
    v = data.draw(st.booleans())
    value = either(data, v, st.floats(0, 300).map(lambda x: f"{x:g}"), NUMBER)
    unit = either(data, v, st.sampled_from(["mW/cm2", "W/m2", "mW/cm²", "uW/cm2", "W/cm2"]), UNIT)
    distance = either(data, v, st.floats(0, 30).map(lambda x: f"{x:g}"), NUMBER)
    if value.startswith("-"):
        args = ["meter", "-u", unit, "-d", "1", "--", value]
    else:
        args = ["meter", value, "-u", unit, "-d", distance]
    args += opts(
        data,
        {
            "--meter": st.one_of(st.sampled_from(["TES-1333", "unknown", "Solarmeter 6.5", "tes1333"]), TEXT),
            "--device": st.sampled_from(DEVICE_IDS) if v else DEVICE_NAME,
            "--confirm-unit": None,
        },
    )
    if "--" not in args and data.draw(st.booleans()):
        args.append("--json")
    run_cli(args)


@budget("evaluate")
@given(st.data())
def test_evaluate(data: st.DataObject) -> None:
    # Valid runs take seconds (the depth profiles are cached after the first): a quarter of the cases.
    v = data.draw(st.integers(0, 3)) == 0
    device = either(data, v, st.sampled_from(["higherdose-face-mask", "omnilux-contour-face"]), DEVICE_NAME)
    photons = st.just("1000") if v else st.sampled_from(["1000", "10", "1e9", "x", "100000001"])
    args = ["evaluate", device, "--photons", data.draw(photons)]
    args += opts(
        data,
        {
            "--fitzpatrick": st.just(either(data, v, st.sampled_from(["II", "III", "V"]), FITZ)),
            "--site": st.just(either(data, v, st.sampled_from(["forehead", "cheek"]), SITE)),
            "--minutes": st.just(either(data, v, st.sampled_from(["3", "10", "120"]), NUMBER)),
            "--sessions-per-week": st.just(either(data, v, st.sampled_from(["1", "3", "7"]), NUMBER)),
            "--meter-reading": st.just(
                either(
                    data, v, st.sampled_from(["12 mW/cm2", "120 W/m2", "30 mW/cm2"]),
                    st.tuples(NUMBER, UNIT).map(" ".join) | st.sampled_from(["12 W/cm2", "12", ""]),
                )
            ),
            "--meter-distance-cm": st.just(either(data, v, st.sampled_from(["0", "1", "3"]), NUMBER)),
            "--json": None,
        },
    )  # fmt: skip
    if data.draw(st.integers(0, 3)) == 0:
        args += ["--html", str(_WORK / "out" / f"r{next(_counter)}.html") if v else out_path(data, ".html")]
    run_cli(args)


CLAIM_TEXTS = [
    "Our FDA-cleared mask boosts collagen by 200% in just 4 weeks!",
    "<html><body><p>Reaches 10 mm deep into the dermis.</p><script>x()</script></body></html>",
    "Clinically proven. Safe for all skin types. Dermatologist recommended.",
]


@budget("claims")
@given(st.data())
def test_claims(data: st.DataObject) -> None:
    stdin: bytes | None = None
    if data.draw(st.integers(0, 3)) == 0:
        source = "-"
        stdin = data.draw(
            st.one_of(st.binary(max_size=2000), TEXT.map(lambda s: s.encode("utf-8", "replace")))
        )
    else:
        good = [Path(_write(".txt", t)) for t in CLAIM_TEXTS[:1]]
        source = file_arg(data, ".txt", good, (".html", ".pdf"))
        if data.draw(st.booleans()):
            source = _write(".txt", data.draw(st.sampled_from(CLAIM_TEXTS)) + data.draw(TEXT))
    args = ["claims", source, *opts(data, {"--json": None})]
    if data.draw(st.integers(0, 4)) == 0:
        args += ["--device", data.draw(st.one_of(st.just("higherdose-face-mask"), TEXT))]
    run_cli(args, stdin=stdin)


# --------------------------------------------------------------------------- every command, generically

#: Commands that block by design (a server, a session timer): only their bad input is fuzzed.
BLOCKING = {"serve", "session start"}
#: Option values that keep a valid run short (photons) in commands found by introspection.
SHORT = {"--photons": count(1500, 1e10), "-n": count(1500, 1e10)}
_DOMAIN = ["III", "forehead", "wrinkles", "acne", "red", "nir", "both", "higherdose-face-mask", "2025-01-01",
           "633", "10", "face", "redness", "none"]  # fmt: skip


def _commands() -> dict[str, Any]:
    found: dict[str, Any] = {}

    def walk(cmd: Any, prefix: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*prefix, name])
        elif prefix:
            found[" ".join(prefix)] = cmd

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def _value_for(param: Any, data: st.DataObject) -> str:
    annotation = str(getattr(getattr(param, "type_descriptor", None), "annotation", ""))
    if "Path" in annotation:
        return data.draw(st.sampled_from([out_path(data, ".json"), file_arg(data, ".toml", STACKS)]))
    if "int" in annotation:
        return data.draw(st.one_of(st.integers(-3, 5000).map(str), st.sampled_from(_NUM_WORDS), NUMBER))
    if "float" in annotation:
        return data.draw(st.one_of(st.floats(-1, 200).map(lambda x: f"{x:g}"), NUMBER))
    # Relative text only: a string option may be a path (--db), and the fuzz must write only in its sandbox.
    relative = TEXT.filter(
        lambda t: not t.lstrip().startswith(("/", "~", "\\")) and "://" not in t and ".." not in t
    )
    return data.draw(st.one_of(st.sampled_from(_DOMAIN + DEVICE_IDS[:3]), relative))


@budget("generic")
@given(st.data())
def test_every_command_generic(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(COMMANDS)))
    cmd = COMMANDS[name]
    args = name.split()
    blocking = name in BLOCKING
    for p in cmd.params:
        if p.param_type_name == "argument":
            if data.draw(st.integers(0, 5)) > 0:
                args.append(_value_for(p, data))
            continue
        opt = next((o for o in p.opts if o.startswith("--")), p.opts[0])
        if opt in ("--help", "--open"):
            continue
        if opt in SHORT and not blocking:
            args += [opt, data.draw(SHORT[opt])]
        elif data.draw(st.booleans()):
            args += [opt] if p.is_flag else [opt, _value_for(p, data)]
    if blocking:
        args.append("--no-such-option")  # the run must stop at the parser, not block
    run_cli(args, stdin="")


# --------------------------------------------------------------------------- special files, in a subprocess

SPECIAL = [
    ["claims", "/dev/zero", "--json"],
    ["claims", "/dev/urandom"],
    ["transport", "/dev/zero", "--json"],
    ["devices", "/dev/zero", "--json"],
    ["evaluate", "/dev/zero", "--json"],
    ["screen", "--answers", "/dev/zero", "--json"],
    ["import", "/dev/zero", "--json"],
]


@pytest.mark.parametrize("args", SPECIAL, ids=[" ".join(a) for a in SPECIAL])
def test_special_files_are_refused_with_bounded_memory(args: list[str]) -> None:
    if args[0] not in {n.split()[0] for n in COMMANDS}:
        pytest.skip(f"no `{args[0]}` command in this build")
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))\n"
        "from photodose.cli import main\n"
        f"sys.argv = ['photodose', *{args!r}]\n"
        "main()\n"
    )
    env = dict(os.environ, PHOTODOSE_DATA_DIR=str(_WORK / "data"), PHOTODOSE_DB=str(_WORK / "sp.sqlite"))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        timeout=120,
        env=env,
        cwd=_WORK,
        stdin=subprocess.DEVNULL,
    )
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    assert proc.returncode == 2, f"exit {proc.returncode}: {out[-800:]} {err[-800:]}"
    assert "Traceback" not in out + err
    if "--json" in args:
        assert set(_strict_json(out)) == {"error"}
