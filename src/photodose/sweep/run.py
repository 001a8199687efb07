"""Run a sweep's cells serially, on a local process pool, or on Dask; resumable; one table out.

Reproducible: a cell's numbers depend only on the cell (its seed, photons and inputs), never on
the executor, the worker count or the order cells finish in — the transport engine gives the
same numbers for a seed on any thread count (:mod:`photodose.transport.engine`), and rows are
written in cell order.

Resumable: each finished row is appended to a journal next to the table
(``<out>.partial.jsonl``, flushed and fsync'ed per row) before the next one is awaited. A
restarted sweep reads the finished ``cell_id`` s from the journal and from an existing table and
computes only the rest; the table is written (atomically) at the end, and the journal removed.
Rows of other sweeps already in the table are kept after this sweep's rows (a table accumulates).

Executors: ``serial`` (this process, all threads per cell), ``pool`` (a local
``ProcessPoolExecutor``, one thread per cell, spawned workers), ``dask`` (``dask.distributed``:
``scheduler="tcp://host:8786"`` for a running cluster, else a ``LocalCluster`` of ``workers``
single-threaded processes; the ``[cluster]`` extra). Dask workers get
``MALLOC_TRIM_THRESHOLD_=65536`` (Dask's advice for glibc: give freed memory back to the OS
between tasks; https://distributed.dask.org/en/stable/worker-memory.html) for workers it starts;
workers of an existing cluster take the environment they were started with.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from photodose.sweep.cells import Cell, cell_profile, cell_spectrum

EXECUTORS = ("serial", "pool", "dask")
MALLOC_TRIM_THRESHOLD = "65536"
REPORT_DEPTHS_MM = (0.5, 1.0, 2.0, 5.0)

#: Columns of the results table, in order (units in the names).
COLUMNS = (
    "cell_id", "device", "channel", "peak_nm", "fwhm_nm", "led_m", "fitzpatrick", "site",
    "composition", "photons", "seed", "dermis_absorbed_fraction", "dermis_absorbed_fraction_se",
    "penetration_depth_1e_mm", "penetration_depth_10pct_mm", "penetration_depth_1pct_mm",
    *(f"fluence_per_irradiance_at_{str(d).replace('.', '_')}mm" for d in REPORT_DEPTHS_MM),
    "dermis_mean_fluence_ratio", "fluence_max", "depth_of_max_mm", "diffuse_reflectance",
    "specular_reflectance",
    "skin_model_version", "engine_version", "seconds", "error",
)  # fmt: skip


class SweepTableError(ValueError):
    """The output table cannot be used (wrong format, unreadable, or another sweep's)."""


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did."""

    out: str
    cells: int
    computed: int
    reused: int
    errors: int
    executor: str
    workers: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mm(x: float | None) -> float:
    return float("nan") if x is None else 10.0 * float(x)


def dermis_mean_fluence_ratio(profile: Any) -> float:
    """Mean φ = Φ/E0 over the dermis (top of the papillary to the bottom of the reticular
    dermis), the factor :func:`photodose.dose.channel_dose` turns a surface dose into a dermal one."""
    from photodose.dose import PAPILLARY, RETICULAR, layer_depth_range_cm, mean_fluence_ratio

    top, _ = layer_depth_range_cm(profile, PAPILLARY)
    _, bottom = layer_depth_range_cm(profile, RETICULAR)
    return float(mean_fluence_ratio(profile, top, bottom))


def profile_of(cell: Cell, *, threads: int | None = None, use_cache: bool = True) -> Any:
    """The :class:`photodose.depth.DepthProfile` of one cell."""
    from photodose.depth import depth_profile

    return depth_profile(
        cell_profile(cell), cell_spectrum(cell), photons=cell.photons, seed=cell.seed,
        led_m=cell.led_m, threads=threads, use_cache=use_cache,
    )  # fmt: skip


def run_cell(cell: Cell, threads: int | None = 1, use_cache: bool = True) -> dict[str, Any]:
    """One row of the results table (a failed cell gives a row with ``error`` set)."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {k: None for k in COLUMNS}
    row.update(
        cell_id=cell.cell_id, device=cell.device, channel=cell.channel, peak_nm=cell.peak_nm,
        fwhm_nm=cell.fwhm_nm, led_m=cell.led_m, fitzpatrick=cell.fitzpatrick, site=cell.site,
        composition=cell.composition, photons=cell.photons, seed=cell.seed,
        skin_model_version=cell.versions[0], engine_version=cell.versions[1], error="",
    )  # fmt: skip
    try:
        p = profile_of(cell, threads=threads, use_cache=use_cache)
    except (ValueError, ArithmeticError) as exc:  # the model refuses this input (e.g. λ range)
        row["error"] = str(exc)
    else:
        fl = p.fluence_at_mm(REPORT_DEPTHS_MM)
        row.update(
            dermis_absorbed_fraction=p.dermis_absorbed_fraction,
            dermis_absorbed_fraction_se=p.dermis_absorbed_fraction_se,
            penetration_depth_1e_mm=_mm(p.penetration_depth_1e_cm),
            penetration_depth_10pct_mm=_mm(p.penetration_depth_10pct_cm),
            penetration_depth_1pct_mm=_mm(p.penetration_depth_1pct_cm),
            dermis_mean_fluence_ratio=dermis_mean_fluence_ratio(p),
            fluence_max=p.fluence_max,
            depth_of_max_mm=_mm(p.depth_of_max_cm),
            diffuse_reflectance=p.diffuse_reflectance,
            specular_reflectance=p.specular_reflectance,
        )
        for d, v in zip(REPORT_DEPTHS_MM, fl.values(), strict=True):
            row[f"fluence_per_irradiance_at_{str(d).replace('.', '_')}mm"] = v
    row["seconds"] = time.perf_counter() - t0
    return row


# --------------------------------------------------------------------------- table I/O


def have_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def default_out() -> Path:
    """``sweep.parquet`` when pyarrow is installed, else ``sweep.csv``."""
    return Path("sweep.parquet" if have_pyarrow() else "sweep.csv")


def _check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        if not have_pyarrow():
            raise SweepTableError(f"{path}: Parquet needs pyarrow; `pip install pyarrow` or write a .csv")
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise SweepTableError(f"{path}: unknown table format {suffix!r}; use .parquet or .csv")


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write rows (dicts with :data:`COLUMNS`) to Parquet or CSV, atomically."""
    fmt = _check_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({c: [_clean(r.get(c)) for r in rows] for c in COLUMNS})
            pq.write_table(table, tmp)
        else:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=list(COLUMNS))
                w.writeheader()
                for r in rows:
                    w.writerow({c: ("" if _clean(r.get(c)) is None else r.get(c)) for c in COLUMNS})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_INT_COLS = {"photons", "seed"}
_STR_COLS = {"cell_id", "device", "channel", "fitzpatrick", "site", "composition", "skin_model_version",
             "engine_version", "error"}  # fmt: skip


def _from_csv(value: str, col: str) -> Any:
    if col in _STR_COLS:
        return value
    if value == "":
        return None
    return int(value) if col in _INT_COLS else float(value)


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a table written by :func:`write_table` (``[]`` if the file does not exist)."""
    if not path.exists():
        return []
    fmt = _check_format(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        else:
            with path.open(newline="", encoding="utf-8") as f:
                rows = [{k: _from_csv(v, k) for k, v in r.items()} for r in csv.DictReader(f)]
    except Exception as exc:  # any reader failure means: not a table this code wrote
        raise SweepTableError(f"{path}: cannot read it as a sweep table ({exc}); move it away") from None
    if rows and "cell_id" not in rows[0]:
        raise SweepTableError(f"{path}: not a sweep table (no cell_id column); choose another --out")
    return rows


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Rows appended so far (a torn last line from a crash is ignored)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return rows


# --------------------------------------------------------------------------- executors


def _serial(cells: list[Cell], threads: int | None, use_cache: bool) -> Iterator[dict[str, Any]]:
    for c in cells:
        yield run_cell(c, threads, use_cache)


def _pool(cells: list[Cell], workers: int, use_cache: bool) -> Iterator[dict[str, Any]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")  # no fork of a process with live threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        futs = [ex.submit(run_cell, c, 1, use_cache) for c in cells]
        for f in as_completed(futs):
            yield f.result()


def _dask(
    cells: list[Cell], workers: int, scheduler: str | None, use_cache: bool
) -> Iterator[dict[str, Any]]:
    import importlib

    try:
        dask: Any = importlib.import_module("dask")
        dd: Any = importlib.import_module("dask.distributed")
    except ImportError:
        raise RuntimeError(
            "the dask executor needs dask.distributed: pip install 'photodose[cluster]'"
        ) from None
    cluster = None
    with dask.config.set(
        {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": MALLOC_TRIM_THRESHOLD}
    ):
        if scheduler:
            client = dd.Client(scheduler)
        else:
            cluster = dd.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                env={"MALLOC_TRIM_THRESHOLD_": MALLOC_TRIM_THRESHOLD},
            )  # fmt: skip
            client = dd.Client(cluster)
        try:
            futs = client.map(run_cell, cells, threads=1, use_cache=use_cache, pure=False)
            for f in dd.as_completed(futs):
                yield f.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def run_sweep(
    cells: list[Cell],
    out: Path,
    *,
    executor: str = "pool",
    workers: int | None = None,
    scheduler: str | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    """Compute every cell not already in ``out`` (or its journal) and write the table.

    ``progress(done, total)`` is called as cells finish (reused cells count as done).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    _check_format(out)
    t0 = time.perf_counter()
    nworkers = max(1, int(workers if workers else os.cpu_count() or 1))
    jpath = journal_path(out)
    wanted = {c.cell_id for c in cells}
    finished: dict[str, dict[str, Any]] = {}
    others: dict[str, dict[str, Any]] = {}  # rows of other sweeps in the same table: kept, never lost
    for r in [*read_table(out), *read_journal(jpath)]:
        if r.get("cell_id") in wanted:
            finished[r["cell_id"]] = r
        else:
            others.setdefault(str(r.get("cell_id")), r)
    todo = [c for c in cells if c.cell_id not in finished]
    reused = len(cells) - len(todo)
    done = reused
    if progress is not None:
        progress(done, len(cells))
    rows: Iterable[dict[str, Any]]
    if not todo:
        rows = []
    elif executor == "serial" or (executor == "pool" and (nworkers == 1 or len(todo) == 1)):
        rows = _serial(todo, None if executor == "serial" else 1, use_cache)
    elif executor == "pool":
        rows = _pool(todo, min(nworkers, len(todo)), use_cache)
    else:
        rows = _dask(todo, nworkers, scheduler, use_cache)
    jpath.parent.mkdir(parents=True, exist_ok=True)
    with jpath.open("a", encoding="utf-8") as journal:
        for row in rows:
            journal.write(json.dumps({k: _clean(v) for k, v in row.items()}) + "\n")
            journal.flush()
            os.fsync(journal.fileno())
            finished[row["cell_id"]] = row
            done += 1
            if progress is not None:
                progress(done, len(cells))
    ordered = [finished[c.cell_id] for c in cells]
    write_table(ordered + list(others.values()), out)
    jpath.unlink(missing_ok=True)
    return SweepSummary(
        out=str(out),
        cells=len(cells),
        computed=len(todo),
        reused=reused,
        errors=sum(1 for r in ordered if r.get("error")),
        executor=executor,
        workers=1 if executor == "serial" else nworkers,
        seconds=time.perf_counter() - t0,
    )
