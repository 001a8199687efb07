"""Sweeps (a service): depth profiles over devices × skin types × face sites × wavelengths ×
skin-composition samples, on a process pool or Dask, resumable, into one Parquet/CSV table.

``photodose sweep`` is its command; ``scripts/build_depth_table.py`` uses it to build the shipped
depth-profile table (:mod:`photodose.depth` looks profiles up there before running Monte Carlo).
"""

from __future__ import annotations

from photodose.sweep.cells import (
    COMPOSITIONS,
    Cell,
    SweepInputError,
    build_cells,
    cell_profile,
    cell_spectrum,
)
from photodose.sweep.run import (
    COLUMNS,
    EXECUTORS,
    SweepSummary,
    SweepTableError,
    default_out,
    profile_of,
    read_table,
    run_cell,
    run_sweep,
    write_table,
)
from photodose.sweep.who import DermalDose, spread, who_gets_what

__all__ = [
    "COLUMNS",
    "COMPOSITIONS",
    "EXECUTORS",
    "Cell",
    "DermalDose",
    "SweepInputError",
    "SweepSummary",
    "SweepTableError",
    "build_cells",
    "cell_profile",
    "cell_spectrum",
    "default_out",
    "profile_of",
    "read_table",
    "run_cell",
    "run_sweep",
    "spread",
    "who_gets_what",
    "write_table",
]
