"""Item bank and test configuration of adaptive tests (see :mod:`.cat`).

:class:`ItemBank` holds item parameters and content areas with the tables a
session needs (cached per bank); :class:`CatConfig` is the blueprint of a test,
validated at construction and serialised with ``to_dict``/``from_dict``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from hocvuso.psychometrics._util import (
    FloatArray,
    IntArray,
    iv_items,
    iv_prior,
    iv_quadrature,
)
from hocvuso.psychometrics.models import _log_prob

__all__ = ["CatConfig", "ItemBank", "StopReason"]

SelectionMethod = Literal["mfi", "kl", "astrat", "shadow", "sequential"]
ExposureMethod = Literal[
    "none", "randomesque", "progressive", "sympson_hetter", "eligibility"
]
EstimatorName = Literal["eap", "map", "ml"]
StopReason = Literal["max_items", "bank_exhausted", "se_target", "classification"]

SELECTION_METHODS: tuple[SelectionMethod, ...] = (
    "mfi",
    "kl",
    "astrat",
    "shadow",
    "sequential",
)
EXPOSURE_METHODS: tuple[ExposureMethod, ...] = (
    "none",
    "randomesque",
    "progressive",
    "sympson_hetter",
    "eligibility",
)
ESTIMATORS: tuple[EstimatorName, ...] = ("eap", "map", "ml")

#: Version of the dictionaries written by ``CatConfig.to_dict`` and
#: ``CatSession.to_json``.
#:
#: Version 1 session shape::
#:
#:     {"schema_version": 1, "bank": {"fingerprint": str, "n_items": int},
#:      "config": CatConfig.to_dict(), "administered": [item_id, ...],
#:      "responses": [0 | 1, ...], "rejected": [item_id, ...],
#:      "pending": item_id | null, "rng": {...numpy bit-generator state...},
#:      "ineligible": [item_id, ...]}
#:
#: ``ineligible`` (items an examinee was not eligible for under item-eligibility
#: exposure control, drawn once when the sitting starts) is optional; absent
#: means none.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CatConfig:
    """Blueprint of an adaptive test; immutable and JSON-serialisable.

    Attributes
    ----------
    selection : {"mfi", "kl", "astrat", "shadow", "sequential"}
        Item selection criterion (see the module docstring).
    estimator : {"eap", "map", "ml"}
        Interim and final ability estimator.
    min_items, max_items : int
        Test length bounds.
    se_target : float or None
        Stop once the standard error is at or below this value.
    cut : float or None
        Pass mark on the theta scale for the classification stop.
    confidence : float
        Two-sided confidence level of the classification interval.
    content : mapping of str to (int, int or None)
        Content area -> (minimum, maximum) number of items; ``None`` = no maximum.
    exposure : {"none", "randomesque", "progressive", "sympson_hetter", \
"eligibility"}
        Exposure control method (``"eligibility"``: item-eligibility
        probabilities from the bank, drawn once per sitting).
    randomesque_n : int
        Size of the randomesque candidate set.
    max_exposure : float
        Target maximum exposure rate used when calibrating Sympson-Hetter ``k``.
    start_theta : float
        Ability used to choose the first item.
    prior_mean, prior_sd : float
        Normal prior of EAP/MAP.
    n_quad : int
        Quadrature nodes of EAP (equally spaced over ``theta_bounds``).
    theta_bounds : (float, float)
        Quadrature range and search interval of MAP/ML.
    kl_z : float
        Half-width multiplier of the KL integration interval ``z / sqrt(n)``.
    astrat_strata : int
        Number of strata of a-stratified selection.
    astrat_bblock : bool
        a-stratification with b-blocking (Chang, Qian & Ying, 2001): strata
        are formed within blocks of similar difficulty, so every stratum spans
        the whole difficulty range.
    shadow_solver : {"auto", "milp"}
        How shadow tests are assembled (see :mod:`.shadow`).
    """

    selection: SelectionMethod = "mfi"
    estimator: EstimatorName = "eap"
    min_items: int = 1
    max_items: int = 30
    se_target: float | None = 0.3
    cut: float | None = None
    confidence: float = 0.95
    content: Mapping[str, tuple[int, int | None]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    exposure: ExposureMethod = "none"
    randomesque_n: int = 5
    max_exposure: float = 0.25
    start_theta: float = 0.0
    prior_mean: float = 0.0
    prior_sd: float = 1.0
    n_quad: int = 61
    theta_bounds: tuple[float, float] = (-6.0, 6.0)
    kl_z: float = 3.0
    astrat_strata: int = 4
    astrat_bblock: bool = False
    shadow_solver: Literal["auto", "milp"] = "auto"

    def __post_init__(self) -> None:
        content: dict[str, tuple[int, int | None]] = {}
        for area, bounds in dict(self.content).items():
            if not isinstance(area, str) or not area:
                raise ValueError("content area names must be non-empty strings")
            lo, hi = bounds
            if not isinstance(lo, int) or lo < 0:
                raise ValueError(f"content area {area!r}: minimum must be an int >= 0")
            if hi is not None and (not isinstance(hi, int) or hi < max(lo, 1)):
                raise ValueError(
                    f"content area {area!r}: maximum must be an int >= max(minimum, 1)"
                )
            content[area] = (lo, hi)
        object.__setattr__(
            self, "content", MappingProxyType(dict(sorted(content.items())))
        )
        object.__setattr__(
            self, "theta_bounds", tuple(float(x) for x in self.theta_bounds)
        )
        if self.selection not in SELECTION_METHODS:
            raise ValueError(f"selection must be one of {', '.join(SELECTION_METHODS)}")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}")
        if self.exposure not in EXPOSURE_METHODS:
            raise ValueError(f"exposure must be one of {', '.join(EXPOSURE_METHODS)}")
        if not isinstance(self.max_items, int) or self.max_items < 1:
            raise ValueError("max_items must be an int >= 1")
        if (
            not isinstance(self.min_items, int)
            or not 0 <= self.min_items <= self.max_items
        ):
            raise ValueError("min_items must be an int between 0 and max_items")
        if self.se_target is not None and not (
            math.isfinite(self.se_target) and self.se_target > 0
        ):
            raise ValueError("se_target must be positive")
        if self.cut is not None and not math.isfinite(self.cut):
            raise ValueError("cut must be finite")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must lie in (0, 1)")
        if sum(lo for lo, _ in content.values()) > self.max_items:
            raise ValueError("the content minimums add up to more than max_items")
        if not isinstance(self.randomesque_n, int) or self.randomesque_n < 1:
            raise ValueError("randomesque_n must be an int >= 1")
        if not 0 < self.max_exposure <= 1:
            raise ValueError("max_exposure must lie in (0, 1]")
        if not math.isfinite(self.start_theta):
            raise ValueError("start_theta must be finite")
        iv_prior(self.prior_mean, self.prior_sd)
        iv_quadrature(self.n_quad, self.theta_bounds)
        if not (math.isfinite(self.kl_z) and self.kl_z > 0):
            raise ValueError("kl_z must be positive")
        if not isinstance(self.astrat_strata, int) or self.astrat_strata < 1:
            raise ValueError("astrat_strata must be an int >= 1")
        if not isinstance(self.astrat_bblock, bool):
            raise ValueError("astrat_bblock must be a boolean")
        if self.shadow_solver not in ("auto", "milp"):
            raise ValueError("shadow_solver must be 'auto' or 'milp'")

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable dictionary (with ``schema_version``)."""
        out: dict[str, object] = {"schema_version": SCHEMA_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "content":
                value = {k: [lo, hi] for k, (lo, hi) in value.items()}
            elif f.name == "theta_bounds":
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CatConfig:
        """Rebuild a configuration written by :meth:`to_dict`.

        Raises
        ------
        ValueError
            On an unknown schema version, unknown keys or invalid values.
        """
        raw = dict(data)
        version = raw.pop("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported CatConfig schema_version {version!r}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ValueError(f"unknown CatConfig keys: {', '.join(unknown)}")
        if "content" in raw:
            content = raw["content"]
            if not isinstance(content, Mapping):
                raise ValueError("content must be a mapping")
            parsed: dict[str, tuple[int, int | None]] = {}
            for area, pair in content.items():
                if not isinstance(pair, Sequence) or len(pair) != 2:
                    raise ValueError(f"content area {area!r} must map to [min, max]")
                parsed[str(area)] = (cast(int, pair[0]), cast("int | None", pair[1]))
            raw["content"] = parsed
        if "theta_bounds" in raw:
            tb = raw["theta_bounds"]
            if not isinstance(tb, Sequence) or len(tb) != 2:
                raise ValueError("theta_bounds must be [lower, upper]")
            raw["theta_bounds"] = (cast(float, tb[0]), cast(float, tb[1]))
        return cls(**raw)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class ItemBank:
    """Calibrated items available to adaptive tests.

    Attributes
    ----------
    item_ids : tuple of str
        Unique item identifiers.
    a, b, c : ndarray
        3PL parameters (logistic metric, ``D = 1``).
    areas : tuple of str or None
        Content area of each item (``None``: all items in area ``""``).
    sh_k : ndarray or None
        Sympson-Hetter exposure-control parameters in ``[0, 1]`` (``None``: 1).
    eligibility : ndarray or None
        Item-eligibility probabilities in ``[0, 1]`` (``None``: 1).
    """

    item_ids: tuple[str, ...]
    a: FloatArray
    b: FloatArray
    c: FloatArray
    areas: tuple[str, ...] | None = None
    sh_k: FloatArray | None = None
    eligibility: FloatArray | None = None
    _index: dict[str, int] = field(init=False, repr=False, default_factory=dict)
    _cache: dict[object, object] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        ids = tuple(str(x) for x in self.item_ids)
        if not ids:
            raise ValueError("an item bank needs at least one item")
        if len(set(ids)) != len(ids):
            raise ValueError("item_ids must be unique")
        a, b, c = iv_items(self.a, self.b, self.c)
        if a.shape != (len(ids),):
            raise ValueError("a, b and c must have one value per item id")
        for name, arr in (("a", a), ("b", b), ("c", c)):
            arr = np.array(arr, dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "item_ids", ids)
        if self.areas is not None:
            areas = tuple(str(x) for x in self.areas)
            if len(areas) != len(ids):
                raise ValueError("areas must give one area per item")
            object.__setattr__(self, "areas", areas)
        if self.sh_k is not None:
            k = np.array(self.sh_k, dtype=np.float64)
            if k.shape != (len(ids),) or np.any(~(k >= 0) | (k > 1)):
                raise ValueError("sh_k must give one value in [0, 1] per item")
            k.setflags(write=False)
            object.__setattr__(self, "sh_k", k)
        if self.eligibility is not None:
            e = np.array(self.eligibility, dtype=np.float64)
            if e.shape != (len(ids),) or np.any(~(e >= 0) | (e > 1)):
                raise ValueError("eligibility must give one value in [0, 1] per item")
            e.setflags(write=False)
            object.__setattr__(self, "eligibility", e)
        self._index.update({item_id: i for i, item_id in enumerate(ids)})

    @classmethod
    def from_arrays(
        cls,
        item_ids: Sequence[str],
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        c: npt.ArrayLike | None = None,
        *,
        areas: Sequence[str] | None = None,
        sh_k: npt.ArrayLike | None = None,
        eligibility: npt.ArrayLike | None = None,
    ) -> ItemBank:
        """Build a bank from parameter arrays (``c`` defaults to 0)."""
        n = len(item_ids)
        c_arr = np.zeros(n) if c is None else np.asarray(c, dtype=np.float64)
        k = None if sh_k is None else np.asarray(sh_k, dtype=np.float64)
        e = None if eligibility is None else np.asarray(eligibility, np.float64)
        return cls(
            item_ids=tuple(item_ids),
            a=np.asarray(a, dtype=np.float64),
            b=np.asarray(b, dtype=np.float64),
            c=c_arr,
            areas=None if areas is None else tuple(areas),
            sh_k=k,
            eligibility=e,
        )

    def __len__(self) -> int:
        return len(self.item_ids)

    def index(self, item_id: str) -> int:
        """Return the position of ``item_id``; raise ``KeyError`` if unknown."""
        return self._index[item_id]

    def with_sh_k(self, sh_k: npt.ArrayLike | None) -> ItemBank:
        """Return a copy of the bank with other Sympson-Hetter parameters."""
        return ItemBank(
            item_ids=self.item_ids,
            a=self.a,
            b=self.b,
            c=self.c,
            areas=self.areas,
            sh_k=None if sh_k is None else np.asarray(sh_k, dtype=np.float64),
            eligibility=self.eligibility,
        )

    def with_eligibility(self, eligibility: npt.ArrayLike | None) -> ItemBank:
        """Return a copy of the bank with other item-eligibility probabilities."""
        return ItemBank(
            item_ids=self.item_ids,
            a=self.a,
            b=self.b,
            c=self.c,
            areas=self.areas,
            sh_k=self.sh_k,
            eligibility=None
            if eligibility is None
            else np.asarray(eligibility, dtype=np.float64),
        )

    @property
    def fingerprint(self) -> str:
        """Return a SHA-256 digest of ids, parameters and areas.

        Exposure parameters (``sh_k``, ``eligibility``) are not part of it.
        """
        cached = self._cache.get("fingerprint")
        if isinstance(cached, str):
            return cached
        h = hashlib.sha256()
        h.update("\x1f".join(self.item_ids).encode())
        for arr in (self.a, self.b, self.c):
            h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
        h.update("\x1f".join(self.areas or ()).encode())
        digest = h.hexdigest()
        self._cache["fingerprint"] = digest
        return digest

    def area_names(self) -> tuple[str, ...]:
        """Return the distinct content areas, sorted."""
        return tuple(sorted(set(self.areas or ("",))))

    def _area_index(self) -> tuple[tuple[str, ...], IntArray]:
        cached = self._cache.get("area_index")
        if cached is None:
            names = self.area_names()
            pos = {n: i for i, n in enumerate(names)}
            idx = np.array([pos[x] for x in (self.areas or ("",) * len(self))], np.intp)
            cached = (names, idx)
            self._cache["area_index"] = cached
        return cast("tuple[tuple[str, ...], IntArray]", cached)

    def _tables(
        self, n_quad: int, bounds: tuple[float, float]
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return quadrature nodes and log P, log(1 - P) tables of shape (J, Q)."""
        key = ("tables", n_quad, bounds)
        cached = self._cache.get(key)
        if cached is None:
            nodes = np.linspace(bounds[0], bounds[1], n_quad)
            log_p, log_q = _log_prob(nodes, self.a, self.b, self.c)
            cached = (
                nodes,
                np.ascontiguousarray(log_p.T),
                np.ascontiguousarray(log_q.T),
            )
            self._cache[key] = cached
        return cast("tuple[FloatArray, FloatArray, FloatArray]", cached)

    def _theta_peak(self) -> FloatArray:
        """Return where each item's information peaks (Lord, 1980, eq. 10-4)."""
        cached = self._cache.get("theta_peak")
        if cached is None:
            cached = self.b + np.log((1.0 + np.sqrt(1.0 + 8.0 * self.c)) / 2.0) / self.a
            self._cache["theta_peak"] = cached
        return cast(FloatArray, cached)

    def _strata(self, n_strata: int, bblock: bool = False) -> IntArray:
        key = ("strata", n_strata, bblock)
        cached = self._cache.get(key)
        if cached is None and bblock:
            # Chang, Qian & Ying (2001): blocks of n_strata items of adjacent
            # difficulty; within a block, the k-th lowest a goes to stratum k.
            by_b = np.argsort(self.b, kind="stable")
            cached = np.empty(len(self), dtype=np.intp)
            for start in range(0, len(self), n_strata):
                block = by_b[start : start + n_strata]
                order = block[np.argsort(self.a[block], kind="stable")]
                size = order.size
                cached[order] = (np.arange(size) * n_strata) // size
            self._cache[key] = cached
        elif cached is None:
            ranks = np.empty(len(self), dtype=np.intp)
            ranks[np.argsort(self.a, kind="stable")] = np.arange(len(self))
            cached = (ranks * n_strata) // len(self)
            self._cache[key] = cached
        return cast(IntArray, cached)
