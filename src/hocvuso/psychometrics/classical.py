"""Classical item analysis for content editors.

For each item: the number of answers, the p-value (proportion correct), the
corrected point-biserial correlation (item score against the rest score) and,
when the chosen options are given, a distractor table.  Flags point editors at
items worth a second look.

The rest score of a person for item ``j`` is the proportion correct on the *other*
items that person answered, so booklets of different lengths (incomplete designs)
are comparable; for complete data it is a linear function of the usual rest sum
and gives the same correlation.

References
----------
.. [1] Crocker, L., & Algina, J. (1986). *Introduction to classical and modern
   test theory*, ch. 14. New York: Holt, Rinehart and Winston.
.. [2] Haladyna, T. M., & Rodriguez, M. C. (2013). *Developing and validating test
   items*, ch. 18 (distractor analysis; non-functioning distractors < 5 %).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from hocvuso.psychometrics._util import FloatArray, as_float_array

__all__ = [
    "ItemAnalysis",
    "ItemStatistics",
    "OptionStatistics",
    "item_analysis",
]

#: Flag thresholds, documented in ``docs/psychometrics.md``.
MIN_RESPONSES = 30
TOO_HARD_P = 0.20
TOO_EASY_P = 0.90
LOW_DISCRIMINATION = 0.20
NONFUNCTIONAL_SHARE = 0.05


@dataclass(frozen=True)
class OptionStatistics:
    """How often one option of a multiple-choice item was chosen.

    Attributes
    ----------
    option : str
        Option label as given.
    is_key : bool
        Whether this is the correct option.
    count : int
        Number of persons who chose it.
    proportion : float
        ``count`` divided by the number of persons who answered the item.
    mean_rest_score : float or None
        Mean rest score (proportion correct on the other items) of the choosers.
    point_biserial : float or None
        Correlation between choosing this option and the rest score; a key should
        be positive and a distractor negative.
    """

    option: str
    is_key: bool
    count: int
    proportion: float
    mean_rest_score: float | None
    point_biserial: float | None


@dataclass(frozen=True)
class ItemStatistics:
    """Classical statistics and flags of one item.

    ``flags`` can contain ``"few_responses"`` (< 30 answers), ``"too_hard"``
    (p < 0.20), ``"too_easy"`` (p > 0.90), ``"low_discrimination"`` (corrected
    point-biserial < 0.20), ``"negative_discrimination"`` (< 0),
    ``"distractor_attracts_high_scorers"`` (a distractor with a positive
    point-biserial), ``"nonfunctional_distractor"`` (a distractor chosen by fewer
    than 5 % of the persons) and ``"key_never_chosen"``.
    """

    index: int
    n: int
    p_value: float | None
    point_biserial: float | None
    options: tuple[OptionStatistics, ...]
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ItemAnalysis:
    """Result of :func:`item_analysis`.

    Attributes
    ----------
    items : tuple of ItemStatistics
        One entry per item (column).
    alpha : float or None
        Cronbach's alpha (KR-20) when every person answered every item, else
        ``None``.
    """

    items: tuple[ItemStatistics, ...]
    alpha: float | None

    def to_dict(self) -> dict[str, object]:
        """Return a plain JSON-compatible dictionary (lists, dicts, numbers)."""
        plain: dict[str, object] = json.loads(json.dumps(asdict(self)))
        return plain


def _corr(x: FloatArray, y: FloatArray) -> float | None:
    if x.size < 3:
        return None
    sx, sy = float(np.std(x)), float(np.std(y))
    if sx == 0 or sy == 0:
        return None
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def _iv(
    responses: npt.ArrayLike | None,
    choices: Sequence[Sequence[str | None]] | None,
    keys: Sequence[str] | None,
    options: Sequence[Sequence[str]] | None,
) -> tuple[FloatArray, list[list[str | None]] | None]:
    if choices is None:
        if keys is not None or options is not None:
            raise ValueError("keys and options are only used together with choices")
        if responses is None:
            raise ValueError("give either scored responses or choices and keys")
        scores = as_float_array(responses, "responses")
        if scores.ndim != 2:
            raise ValueError("responses must be a persons x items matrix")
        observed = scores[~np.isnan(scores)]
        if np.any((observed != 0) & (observed != 1)):
            raise ValueError("responses must be 0, 1 or NaN (not administered)")
        return scores, None
    if responses is not None:
        raise ValueError("give either scored responses or choices, not both")
    if keys is None:
        raise ValueError("keys are required with choices")
    rows = [list(r) for r in choices]
    n_items = len(keys)
    if any(len(r) != n_items for r in rows):
        raise ValueError("every row of choices must have one entry per key")
    if options is not None and len(options) != n_items:
        raise ValueError("options must list the options of every item")
    scores = np.full((len(rows), n_items), np.nan)
    for i, row in enumerate(rows):
        for j, choice in enumerate(row):
            if choice is not None and choice != "":
                if options is not None and choice not in options[j]:
                    raise ValueError(
                        f"person {i}, item {j}: {choice!r} is not one of the options"
                    )
                scores[i, j] = 1.0 if choice == keys[j] else 0.0
    return scores, rows


def item_analysis(
    responses: npt.ArrayLike | None = None,
    *,
    choices: Sequence[Sequence[str | None]] | None = None,
    keys: Sequence[str] | None = None,
    options: Sequence[Sequence[str]] | None = None,
) -> ItemAnalysis:
    """Return classical item statistics, distractor counts and flags.

    Parameters
    ----------
    responses : array_like, optional
        Scored persons x items matrix (``1``, ``0``, ``NaN`` = not administered).
    choices : sequence of sequences of str, optional
        Instead of ``responses``: the option each person chose for each item
        (``None`` or ``""`` = not administered).  Requires ``keys``.
    keys : sequence of str, optional
        Correct option of each item.
    options : sequence of sequences of str, optional
        All options of each item, so options nobody chose are reported too;
        by default the options seen in ``choices`` plus the key.

    Returns
    -------
    ItemAnalysis

    Examples
    --------
    >>> from hocvuso.psychometrics import item_analysis
    >>> res = item_analysis(
    ...     choices=[["A", "B"], ["A", "C"], ["B", "B"], ["A", "B"]], keys=["A", "B"]
    ... )
    >>> res.items[0].p_value, [o.count for o in res.items[0].options]
    (0.75, [3, 1])
    """
    scores, rows = _iv(responses, choices, keys, options)
    observed = ~np.isnan(scores)
    filled = np.where(observed, scores, 0.0)
    n_answered = observed.sum(axis=1)
    n_right = filled.sum(axis=1)
    items: list[ItemStatistics] = []
    for j in range(scores.shape[1]):
        who = observed[:, j] & (n_answered > 1)
        rest = (n_right[who] - filled[who, j]) / (n_answered[who] - 1)
        n_j = int(observed[:, j].sum())
        p = float(filled[observed[:, j], j].mean()) if n_j else None
        rpb = _corr(filled[who, j], rest)
        opts: list[OptionStatistics] = []
        flags: list[str] = []
        if rows is not None and keys is not None:
            idx_who = np.flatnonzero(who)
            chosen = [rows[i][j] for i in range(len(rows))]
            labels = list(options[j]) if options is not None else []
            for lab in [keys[j], *sorted({x for x in chosen if x})]:
                if lab not in labels:
                    labels.append(lab)
            picked_who = np.array([chosen[i] for i in idx_who], dtype=object)
            for lab in labels:
                count = sum(1 for x in chosen if x == lab)
                mask = picked_who == lab
                opts.append(
                    OptionStatistics(
                        option=lab,
                        is_key=lab == keys[j],
                        count=count,
                        proportion=count / n_j if n_j else 0.0,
                        mean_rest_score=float(rest[mask].mean())
                        if mask.any()
                        else None,
                        point_biserial=_corr(mask.astype(np.float64), rest),
                    )
                )
        if n_j < MIN_RESPONSES:
            flags.append("few_responses")
        if p is not None and p < TOO_HARD_P:
            flags.append("too_hard")
        if p is not None and p > TOO_EASY_P:
            flags.append("too_easy")
        if rpb is not None and rpb < 0:
            flags.append("negative_discrimination")
        elif rpb is not None and rpb < LOW_DISCRIMINATION:
            flags.append("low_discrimination")
        for o in opts:
            if o.is_key and o.count == 0 and n_j:
                flags.append("key_never_chosen")
        distractors = [o for o in opts if not o.is_key]
        if any(
            o.point_biserial is not None and o.point_biserial > 0 for o in distractors
        ):
            flags.append("distractor_attracts_high_scorers")
        if n_j and any(o.proportion < NONFUNCTIONAL_SHARE for o in distractors):
            flags.append("nonfunctional_distractor")
        items.append(
            ItemStatistics(
                index=j,
                n=n_j,
                p_value=p,
                point_biserial=rpb,
                options=tuple(opts),
                flags=tuple(flags),
            )
        )
    alpha: float | None = None
    k = scores.shape[1]
    if k > 1 and scores.shape[0] > 1 and observed.all():
        item_var = scores.var(axis=0, ddof=1).sum()
        total_var = scores.sum(axis=1).var(ddof=1)
        if total_var > 0:
            alpha = float(k / (k - 1) * (1 - item_var / total_var))
            alpha = alpha if math.isfinite(alpha) else None
    return ItemAnalysis(items=tuple(items), alpha=alpha)
