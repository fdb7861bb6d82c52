"""Shared settings and helpers of the psychometrics benchmark (sizes, seed, timing)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
SEED = 20251123
SH_NOMINAL = "hocvuso_eap_sh0.25_content4x4"
SH_MARGIN = "hocvuso_eap_sh0.235_content4x4"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "psychometrics.json"


@dataclass(frozen=True)
class Sizes:
    n_items: int = 300
    n_persons: int = 20_000
    n_booklets: int = 15
    booklet_len: int = 40
    cat_items: int = 300
    cat_simulees: int = 2_000
    sh_simulees: int = 2_000
    sh_iterations: int = 12
    repeats: int = 3


QUICK = Sizes(
    n_items=60,
    n_persons=3_000,
    n_booklets=6,
    booklet_len=20,
    cat_items=120,
    cat_simulees=200,
    sh_simulees=200,
    sh_iterations=3,
    repeats=1,
)


def version(dist: str) -> str | None:
    """Return the installed version of ``dist`` or ``None``."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


@contextlib.contextmanager
def timer() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


def rmse(x: FloatArray, y: FloatArray) -> float:
    return float(np.sqrt(np.mean((np.asarray(x) - np.asarray(y)) ** 2)))
