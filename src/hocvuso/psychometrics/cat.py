"""Computerised adaptive testing: the session (bank and blueprint in :mod:`.catbank`).

A :class:`CatSession` administers one test.  The web layer calls
:meth:`CatSession.next_item`, shows the item, calls :meth:`CatSession.record`
with the answer and stores :meth:`CatSession.to_json` after every answer;
:meth:`CatSession.from_json` restores the session, random generator included, so
a restored session continues with exactly the items the original would have
chosen.  ``next_item`` is idempotent: until the answer is recorded it returns the
same item (a lost connection does not change the test).

Item selection (``CatConfig.selection``)
    ``"mfi"``
        Maximum Fisher information at the current estimate (Lord, 1980).
    ``"kl"``
        Kullback-Leibler information integrated over ``theta_hat ± z / sqrt(n)``
        (Chang & Ying, 1996), more robust early in the test when the estimate is
        poor.
    ``"shadow"``
        the shadow-test approach (van der Linden & Reese, 1998): before each
        item a full-length test holding the items given and meeting every
        content constraint is assembled for maximum information at the
        estimate (:mod:`.shadow`); its most informative unused item is given.
    ``"sequential"``
        the first eligible item in bank order: a fixed form, the same items in
        the same order for everyone (exposure control does not apply).
    ``"astrat"``
        a-stratified selection (Chang & Ying, 1999): the bank is split into
        ``astrat_strata`` strata of increasing ``a``; the stage advances with the
        test length and, within the stratum, the item whose information peaks
        closest to the estimate is chosen.  Spreads exposure by design.
        ``astrat_bblock`` forms the strata within blocks of similar ``b``
        (Chang, Qian & Ying, 2001).

Content constraints (``CatConfig.content``: area -> (min, max))
    Method: **maximum priority index** (Cheng & Chang, 2009) for the upper
    bounds — the selection criterion of an item is multiplied by
    ``(max - count) / max`` of its area — combined with hard feasibility rules:
    areas at their maximum are ineligible; when the remaining test length equals
    the outstanding minimums, or when a stopping rule is met but a minimum is not,
    only items of areas below their minimum are eligible; the test never stops
    while a minimum is unmet (unless the bank has no eligible item left, reported
    as ``"bank_exhausted"``).

Exposure control (``CatConfig.exposure``)
    ``"sympson_hetter"``
        Sympson & Hetter (1985): the best remaining item is administered with
        probability ``k_i`` (the bank's ``sh_k``); otherwise it is set aside for
        this examinee and the next best is tried.  ``k`` comes from
        :func:`hocvuso.psychometrics.simulation.sympson_hetter_calibrate`.
    ``"randomesque"``
        Kingsbury & Zara (1989): a uniform pick among the ``randomesque_n`` best.
    ``"progressive"``
        Revuelta & Ponsoda (1998): a random component whose weight falls
        linearly with the test length.
    ``"eligibility"``
        item-eligibility constraints (van der Linden & Veldkamp, 2004): when
        the sitting starts, item ``i`` is made eligible with probability
        ``e_i`` (the bank's ``eligibility``, from
        :func:`hocvuso.psychometrics.simulation.eligibility_calibrate`); the
        ineligible items are kept out of the test (out of the shadow tests
        with ``selection="shadow"``), unless that makes the content
        constraints infeasible, when the constraint is relaxed.

Stopping, checked in this order
    ``max_items`` reached; no eligible item left (``"bank_exhausted"``); then,
    once ``min_items`` and every content minimum are met, the standard error at or
    below ``se_target`` (``"se_target"``) or the ``confidence`` interval
    ``theta_hat ± z * se`` excluding ``cut`` (``"classification"``).

Ability is estimated after each answer with ``CatConfig.estimator``: EAP (default,
posterior SD as standard error), MAP, or ML — ML falls back to EAP until the
pattern holds both a correct and an incorrect answer.

References
----------
.. [1] Chang, H.-H., & Ying, Z. (1996). A global information approach to
   computerized adaptive testing. *Applied Psychological Measurement, 20*,
   213-229.
.. [2] Chang, H.-H., & Ying, Z. (1999). a-Stratified multistage computerized
   adaptive testing. *Applied Psychological Measurement, 23*, 211-222.
.. [3] Cheng, Y., & Chang, H.-H. (2009). The maximum priority index method for
   severely constrained item selection in computerized adaptive testing.
   *British Journal of Mathematical and Statistical Psychology, 62*, 369-383.
.. [4] Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in
   computerized adaptive testing. *Proceedings of the 27th annual meeting of the
   Military Testing Association*, 973-977.
.. [5] Kingsbury, G. G., & Zara, A. R. (1989). Procedures for selecting items for
   computerized adaptive tests. *Applied Measurement in Education, 2*, 359-375.
.. [6] Revuelta, J., & Ponsoda, V. (1998). A comparison of item exposure control
   methods in computerized adaptive testing. *Journal of Educational
   Measurement, 35*, 311-327.
"""

from __future__ import annotations

import json
import math
import statistics
from typing import Literal

import numpy as np
from scipy.special import expit

from hocvuso.psychometrics._kl import _kl_index
from hocvuso.psychometrics._rngstate import _decode_generator, _encode_state
from hocvuso.psychometrics._util import (
    BoolArray,
    FloatArray,
)
from hocvuso.psychometrics.ability import AbilityEstimate, quadrature_grid
from hocvuso.psychometrics.catbank import (
    SCHEMA_VERSION,
    CatConfig,
    ItemBank,
    StopReason,
)
from hocvuso.psychometrics.errors import CatSessionError
from hocvuso.psychometrics.shadow import shadow_assemble

__all__ = [
    "CatConfig",
    "CatSession",
    "ItemBank",
    "StopReason",
]

_UNBOUNDED = np.iinfo(np.int64).max


class CatSession:
    """State of one adaptive test (see the module docstring).

    Parameters
    ----------
    bank : ItemBank
        Items to choose from.
    config : CatConfig
        Test blueprint.
    rng : numpy.random.Generator or int or None
        Random generator (or seed) used by exposure control; it becomes part of
        the serialised state.

    Raises
    ------
    ValueError
        If the bank cannot satisfy the content minimums of ``config``.
    """

    def __init__(
        self,
        bank: ItemBank,
        config: CatConfig,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        self._bank = bank
        self._config = config
        self._rng = np.random.default_rng(rng)
        names, area_idx = bank._area_index()
        self._area_idx = area_idx
        self._area_names = names
        lo = np.zeros(len(names), dtype=np.int64)
        hi = np.full(len(names), _UNBOUNDED, dtype=np.int64)
        per_area = np.bincount(area_idx, minlength=len(names))
        for area, (a_lo, a_hi) in config.content.items():
            if area not in names:
                if a_lo > 0:
                    raise ValueError(f"content area {area!r} has no items in the bank")
                continue
            k = names.index(area)
            if per_area[k] < a_lo:
                raise ValueError(
                    f"content area {area!r} needs {a_lo} items but the bank has "
                    f"{per_area[k]}"
                )
            lo[k] = a_lo
            hi[k] = _UNBOUNDED if a_hi is None else a_hi
        self._lo = lo
        self._hi = hi
        self._hi_finite = hi < _UNBOUNDED
        self._hi_float = np.where(self._hi_finite, hi, 1).astype(np.float64)
        self._constrained = bool(np.any(lo > 0) or np.any(hi < _UNBOUNDED))
        self._bounded = bool(np.any(hi < _UNBOUNDED))
        self._a2 = bank.a * bank.a
        self._has_c = bool(np.any(bank.c > 0))
        self._strata = bank._strata(config.astrat_strata, config.astrat_bblock)
        self._sh_k = bank.sh_k if bank.sh_k is not None else np.ones(len(bank))
        self._ineligible = np.zeros(len(bank), dtype=bool)
        if config.exposure == "eligibility" and bank.eligibility is not None:
            # Drawn once per sitting (van der Linden & Veldkamp, 2004).
            draw = self._rng.random(len(bank))
            self._ineligible = draw >= bank.eligibility
        self._nodes, self._log_p, self._log_q = bank._tables(
            config.n_quad, config.theta_bounds
        )
        self._nodes2 = self._nodes**2
        _, self._log_prior = quadrature_grid(
            config.n_quad, config.theta_bounds, config.prior_mean, config.prior_sd
        )
        self._z = statistics.NormalDist().inv_cdf(0.5 + config.confidence / 2.0)
        self._administered: list[int] = []
        self._responses: list[int] = []
        self._rejected: list[int] = []
        self._used = np.zeros(len(bank), dtype=bool)
        self._rejected_mask = np.zeros(len(bank), dtype=bool)
        self._area_count = np.zeros(len(names), dtype=np.int64)
        self._log_lik = np.zeros(config.n_quad)
        self._pending: int | None = None
        self._estimate = AbilityEstimate(
            theta=config.prior_mean,
            se=config.prior_sd,
            method=config.estimator,
            n_items=0,
        )

    # -- public read-only state ------------------------------------------------

    @property
    def bank(self) -> ItemBank:
        """Item bank of the session."""
        return self._bank

    @property
    def config(self) -> CatConfig:
        """Configuration of the session."""
        return self._config

    @property
    def estimate(self) -> AbilityEstimate:
        """Current ability estimate (the prior before the first answer)."""
        return self._estimate

    @property
    def administered(self) -> tuple[str, ...]:
        """Item ids answered so far, in order."""
        return tuple(self._bank.item_ids[i] for i in self._administered)

    @property
    def responses(self) -> tuple[int, ...]:
        """Recorded answers (1 correct, 0 incorrect), in order."""
        return tuple(self._responses)

    @property
    def rejected(self) -> tuple[str, ...]:
        """Items set aside by Sympson-Hetter exposure control for this examinee."""
        return tuple(self._bank.item_ids[i] for i in self._rejected)

    @property
    def ineligible(self) -> tuple[str, ...]:
        """Items this examinee is not eligible for (item-eligibility control)."""
        ids = self._bank.item_ids
        return tuple(ids[i] for i in np.flatnonzero(self._ineligible))

    @property
    def pending(self) -> str | None:
        """Item returned by :meth:`next_item` and not yet answered."""
        return None if self._pending is None else self._bank.item_ids[self._pending]

    @property
    def area_counts(self) -> dict[str, int]:
        """Number of answered items per content area."""
        return {
            n: int(k) for n, k in zip(self._area_names, self._area_count, strict=True)
        }

    @property
    def stop_reason(self) -> StopReason | None:
        """Why the test stops now, or ``None`` while it continues."""
        return self._stop_reason()

    @property
    def decision(self) -> Literal["pass", "fail"] | None:
        """Pass/fail against ``config.cut`` (``theta >= cut`` passes), if any."""
        if self._config.cut is None:
            return None
        return "pass" if self._estimate.theta >= self._config.cut else "fail"

    # -- the test loop ----------------------------------------------------------

    def should_stop(self) -> bool:
        """Return whether the test is over (see the stopping rules)."""
        return self._stop_reason() is not None

    def next_item(self) -> str | None:
        """Return the item to administer, or ``None`` when the test is over.

        Calling it again before :meth:`record` returns the same item and draws
        no random numbers.
        """
        if self._pending is not None:
            return self._bank.item_ids[self._pending]
        reason, eligible = self._status()
        if reason is not None:
            return None
        if self._config.exposure == "sympson_hetter":
            fresh = eligible & ~self._rejected_mask
            if fresh.any():
                eligible = fresh
        elif self._config.exposure == "eligibility" and self._config.selection not in (
            "shadow",
            "sequential",
        ):
            allowed = eligible & ~self._ineligible
            if allowed.any():
                eligible = allowed
        self._pending = self._select(eligible)
        return self._bank.item_ids[self._pending]

    def record(self, item_id: str, response: int | bool) -> AbilityEstimate:
        """Record the answer to the pending item and return the new estimate.

        Raises
        ------
        CatSessionError
            If ``item_id`` is not the item returned by :meth:`next_item`.
        ValueError
            If ``response`` is not 0 or 1.
        """
        if isinstance(response, bool):
            response = int(response)
        if not isinstance(response, int | np.integer) or response not in (0, 1):
            raise ValueError(f"response must be 0 or 1, got {response!r}")
        if self._pending is None:
            raise CatSessionError("no item is pending; call next_item() first")
        if self._bank.item_ids[self._pending] != item_id:
            raise CatSessionError(
                f"answer for item {item_id!r} but the pending item is "
                f"{self._bank.item_ids[self._pending]!r}"
            )
        self._apply(self._pending, int(response))
        self._pending = None
        return self._estimate

    # -- serialisation ----------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """Return the full state as JSON-ready data (see ``SCHEMA_VERSION``)."""
        ids = self._bank.item_ids
        return {
            "schema_version": SCHEMA_VERSION,
            "bank": {"fingerprint": self._bank.fingerprint, "n_items": len(self._bank)},
            "config": self._config.to_dict(),
            "administered": [ids[i] for i in self._administered],
            "responses": list(self._responses),
            "rejected": [ids[i] for i in self._rejected],
            "pending": None if self._pending is None else ids[self._pending],
            "rng": _encode_state(self._rng.bit_generator.state),
            "ineligible": list(self.ineligible),
        }

    def to_json(self) -> str:
        """Return the full state as JSON (see ``SCHEMA_VERSION`` for the shape)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str, bank: ItemBank) -> CatSession:
        """Restore a session written by :meth:`to_json` against the same bank.

        Raises
        ------
        CatSessionError
            If the JSON is malformed, of another schema version, or was written
            for a different bank (ids, parameters or areas differ).
        """
        try:
            state = json.loads(text)
        except ValueError as exc:
            raise CatSessionError(f"cannot restore CAT session: {exc}") from exc
        return cls.from_dict(state, bank)

    @classmethod
    def from_dict(cls, state: object, bank: ItemBank) -> CatSession:
        """Restore a session from :meth:`to_dict` data against the same bank.

        Raises
        ------
        CatSessionError
            As :meth:`from_json`.
        """
        try:
            if not isinstance(state, dict):
                raise TypeError("not an object")
            if state.get("schema_version") != SCHEMA_VERSION:
                version = state.get("schema_version")
                raise CatSessionError(f"unsupported session schema_version {version!r}")
            if state["bank"]["fingerprint"] != bank.fingerprint:
                raise CatSessionError(
                    "the session was created with a different item bank"
                )
            config = CatConfig.from_dict(state["config"])
            session = cls(bank, config, rng=0)
            # The eligibility draw of the sitting is restored, not drawn again.
            session._rng = _decode_generator(state["rng"])
            session._ineligible = np.zeros(len(bank), dtype=bool)
            for item in state.get("ineligible") or ():
                session._ineligible[bank.index(item)] = True
            administered = [bank.index(x) for x in state["administered"]]
            responses = [int(x) for x in state["responses"]]
            if len(administered) != len(responses):
                raise ValueError("administered and responses differ in length")
            for idx in (bank.index(x) for x in state["rejected"]):
                session._reject(idx)
            for idx, resp in zip(administered, responses, strict=True):
                if resp not in (0, 1) or session._used[idx]:
                    raise ValueError("invalid response history")
                session._apply(idx, resp, estimate=False)
            if administered:
                session._estimate = session._compute_estimate()
            pending = state["pending"]
            session._pending = None if pending is None else bank.index(pending)
        except CatSessionError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise CatSessionError(f"cannot restore CAT session: {exc}") from exc
        return session

    # -- internals --------------------------------------------------------------

    def _apply(self, idx: int, response: int, *, estimate: bool = True) -> None:
        self._administered.append(idx)
        self._responses.append(response)
        self._used[idx] = True
        self._area_count[self._area_idx[idx]] += 1
        self._log_lik += self._log_p[idx] if response else self._log_q[idx]
        if estimate:
            self._estimate = self._compute_estimate()

    def _reject(self, idx: int) -> None:
        self._rejected.append(idx)
        self._rejected_mask[idx] = True

    def _compute_estimate(self) -> AbilityEstimate:
        cfg = self._config
        n = len(self._administered)
        # EAP on the session's quadrature grid (Bock & Mislevy, 1982).
        log_post = self._log_lik + self._log_prior
        w = np.exp(log_post - log_post.max())
        total = w.sum()
        mean = float(w @ self._nodes) / total
        var = float(w @ self._nodes2) / total - mean * mean
        eap = AbilityEstimate(mean, math.sqrt(max(var, 0.0)), "eap", n)
        if cfg.estimator == "eap":
            return eap
        n_right = sum(self._responses)
        if cfg.estimator == "ml" and not 0 < n_right < n:
            return eap
        prior = (cfg.prior_mean, cfg.prior_sd) if cfg.estimator == "map" else None
        theta, info = self._mode(eap.theta, prior)
        lo, hi = cfg.theta_bounds
        return AbilityEstimate(
            theta=theta,
            se=1.0 / math.sqrt(info),
            method=cfg.estimator,
            n_items=n,
            boundary=cfg.estimator == "ml"
            and (theta <= lo + 1e-6 or theta >= hi - 1e-6),
        )

    def _mode(
        self, start: float, prior: tuple[float, float] | None
    ) -> tuple[float, float]:
        """Return the MAP (with ``prior``) or ML estimate and its information."""
        idx = np.asarray(self._administered)
        y = np.asarray(self._responses, dtype=np.float64)
        a, b, c = self._bank.a[idx], self._bank.b[idx], self._bank.c[idx]
        lo, hi = self._config.theta_bounds

        def terms(t: float) -> tuple[float, float, float]:
            p_star = expit(a * (t - b))
            p = np.clip(c + (1.0 - c) * p_star, 1e-300, 1.0 - 1e-16)
            ll = float(np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p)))
            ratio = p_star / p
            grad = float(np.sum(a * (y - p) * ratio))
            info = float(np.sum(a * a * (1.0 - c) * p_star * (1.0 - p_star) * ratio))
            if prior is not None:
                mu, sd = prior
                ll -= 0.5 * ((t - mu) / sd) ** 2
                grad -= (t - mu) / sd**2
                info += 1.0 / sd**2
            return ll, grad, info

        t = min(max(start, lo), hi)
        f, g, info = terms(t)
        for _ in range(50):
            step = max(-1.0, min(1.0, g / info)) if info > 0 else math.copysign(1.0, g)
            new = min(max(t + step, lo), hi)
            f_new, g_new, info_new = terms(new)
            halvings = 0
            while f_new < f - 1e-12 and halvings < 30:
                step *= 0.5
                new = min(max(t + step, lo), hi)
                f_new, g_new, info_new = terms(new)
                halvings += 1
            done = abs(new - t) < 1e-7
            t, f, g, info = new, f_new, g_new, info_new
            if done:
                break
        return t, max(info, 1e-300)

    def _criterion(self) -> StopReason | None:
        """Return the precision or classification rule met now, if any."""
        cfg = self._config
        est = self._estimate
        if cfg.se_target is not None and est.se <= cfg.se_target:
            return "se_target"
        if cfg.cut is not None:
            half = self._z * est.se
            if cfg.cut < est.theta - half or cfg.cut > est.theta + half:
                return "classification"
        return None

    def _status(self) -> tuple[StopReason | None, BoolArray]:
        """Return the stop reason (``None``: go on) and the eligible items."""
        n = len(self._administered)
        cfg = self._config
        mask = ~self._used
        if n >= cfg.max_items:
            return "max_items", mask
        criterion = self._criterion()
        deficit = 0
        if self._constrained:
            mask &= (self._area_count < self._hi)[self._area_idx]
            short = self._area_count < self._lo
            deficit = int(np.sum((self._lo - self._area_count)[short]))
            if deficit and (deficit >= cfg.max_items - n or criterion is not None):
                mask &= short[self._area_idx]
        if not mask.any():
            return "bank_exhausted", mask
        if n >= cfg.min_items and deficit == 0 and criterion is not None:
            return criterion, mask
        return None, mask

    def _stop_reason(self) -> StopReason | None:
        if self._pending is not None:
            return None
        return self._status()[0]

    def _scores(self) -> FloatArray:
        """Return the selection criterion of every bank item (larger is better)."""
        cfg = self._config
        bank = self._bank
        theta = self._estimate.theta if self._administered else cfg.start_theta
        if cfg.selection == "astrat":
            stage = min(
                cfg.astrat_strata - 1,
                len(self._administered) * cfg.astrat_strata // cfg.max_items,
            )
            dist = np.abs(bank._theta_peak() - theta)
            # The current stratum first, then the nearest other strata.
            astrat: FloatArray = -(dist + 1000.0 * np.abs(self._strata - stage))
            return astrat
        if cfg.selection in ("mfi", "shadow"):
            p_star = expit(bank.a * (theta - bank.b))
            score: FloatArray = self._a2 * p_star * (1.0 - p_star)
            if self._has_c:
                # Lord (1980, eq. 5-6) with P = c + (1 - c) P*.
                p = bank.c + (1.0 - bank.c) * p_star
                ratio = np.divide(p_star, p, out=np.ones_like(p), where=p > 0)
                score = score * (1.0 - bank.c) * ratio
        else:
            score = _kl_index(
                theta, bank.a, bank.b, bank.c, cfg.kl_z, len(self._administered)
            )
        if self._bounded and cfg.selection != "shadow":
            # Maximum priority index (Cheng & Chang, 2009) for the content maxima.
            hi = self._hi_float
            factor = np.where(self._hi_finite, (hi - self._area_count) / hi, 1.0)
            score = score * factor[self._area_idx]
        return score

    def _select(self, eligible: BoolArray) -> int:
        cfg = self._config
        if cfg.selection == "sequential":
            return int(np.flatnonzero(eligible)[0])
        if cfg.selection == "shadow":
            return self._select_shadow(eligible)
        score = self._scores()
        masked = np.where(eligible, score, -np.inf)
        n_eligible = int(np.count_nonzero(eligible))
        if cfg.exposure == "randomesque" and n_eligible > 1:
            n = min(cfg.randomesque_n, n_eligible)
            top = np.argpartition(-masked, n - 1)[:n]
            top = top[np.lexsort((top, -masked[top]))]
            return int(top[int(self._rng.integers(n))])
        if cfg.exposure == "progressive" and n_eligible > 1:
            weight = len(self._administered) / cfg.max_items
            cand = np.flatnonzero(eligible)
            s = score[cand]
            span = float(s.max() - s.min())
            scaled = (s - s.min()) / span if span > 0 else np.ones_like(s)
            mixed = (1.0 - weight) * self._rng.random(cand.size) + weight * scaled
            return int(cand[int(np.argmax(mixed))])
        if cfg.exposure == "sympson_hetter":
            order = np.argsort(-masked, kind="stable")[:n_eligible]
            for idx in order.tolist():
                k = float(self._sh_k[idx])
                if k >= 1.0 or self._rng.random() < k:
                    return int(idx)
                self._reject(int(idx))
            # Every candidate was set aside: administer the best one anyway.
            return int(order[0])
        return int(np.argmax(masked))

    def _select_shadow(self, eligible: BoolArray) -> int:
        """Return the best unused item of the current shadow test."""
        value = self._scores()
        free = ~self._used
        shadow = None
        if self._config.exposure == "eligibility":
            shadow = self._assemble(value, free & ~self._ineligible)
        if shadow is None:
            # No feasible test within the eligible items: relax the
            # eligibility constraints for this examinee (van der Linden &
            # Veldkamp, 2004).
            shadow = self._assemble(value, free)
        candidates = eligible if shadow is None else eligible & shadow
        if not candidates.any():
            candidates = eligible
        masked = np.where(candidates, value, -np.inf)
        n_cand = int(np.count_nonzero(candidates))
        if self._config.exposure == "randomesque" and n_cand > 1:
            n = min(self._config.randomesque_n, n_cand)
            top = np.argpartition(-masked, n - 1)[:n]
            top = top[np.lexsort((top, -masked[top]))]
            return int(top[int(self._rng.integers(n))])
        return int(np.argmax(masked))

    def _assemble(self, value: FloatArray, available: BoolArray) -> BoolArray | None:
        n_left = int(np.count_nonzero(available))
        length = min(self._config.max_items, len(self._administered) + n_left)
        return shadow_assemble(
            value,
            self._area_idx,
            self._lo,
            self._hi,
            length,
            self._used,
            available,
            solver=self._config.shadow_solver,
        )
