"""Exposure-control parameters per item, calibrated by simulating a blueprint.

``hocvuso assessment calibrate-exposure`` runs the blueprint's own adaptive
test on its current bank for simulees drawn from the prior and stores, per
item, the item-eligibility probability (``exposure: eligibility``, van der
Linden & Veldkamp, 2004) or the Sympson-Hetter ``k`` (``exposure:
sympson_hetter``) that keeps every item's exposure rate at or below the
blueprint's ``max_exposure`` (0.25) minus a margin for sampling noise. Sittings
started afterwards use them (``bank.exposure_parameters``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.assessment.bank import bank_for, items_for_group
from hocvuso.assessment.models import Blueprint, ItemExposure
from hocvuso.core.services import audit_record
from hocvuso.psychometrics import (
    CatConfig,
    eligibility_calibrate,
    simulate_cat,
    sympson_hetter_calibrate,
)

EXPOSURE_MARGIN = 0.015


@dataclass(frozen=True)
class ExposureCalibration:
    blueprint: str
    method: str
    items: int
    restricted: int
    max_exposure: float
    mean_items: float


@transaction.atomic
def exposure_calibrate(
    *,
    blueprint: Blueprint,
    actor: User | None,
    n_simulees: int = 2000,
    iterations: int = 10,
    margin: float = EXPOSURE_MARGIN,
    seed: int = 0,
    now: datetime | None = None,
) -> ExposureCalibration:
    """Simulate the blueprint's test and store its items' exposure parameters.

    Replaces the blueprint's earlier values for the same method (audited).
    Raises ``ValueError`` when the blueprint uses no per-item exposure method
    or its bank cannot give the test.
    """
    config = CatConfig.from_dict(blueprint.config)
    method = config.exposure
    if blueprint.mode != Blueprint.Mode.ADAPTIVE or method not in (
        "eligibility",
        "sympson_hetter",
    ):
        raise ValueError(
            f"{blueprint.target_group.slug}: exposure '{method}' has no per-item "
            "parameters (use eligibility or sympson_hetter)"
        )
    items = list(items_for_group(blueprint.target_group))
    bank = bank_for(items)
    target = config.max_exposure - margin
    if not 0 < target <= 1:
        raise ValueError("max_exposure minus the margin must lie in (0, 1]")
    rng = np.random.default_rng([seed, 1414])
    calibrate = (
        eligibility_calibrate if method == "eligibility" else sympson_hetter_calibrate
    )
    values = calibrate(bank, config, target, n_simulees, iterations, rng)
    check_bank = (
        bank.with_eligibility(values)
        if method == "eligibility"
        else bank.with_sh_k(values)
    )
    check = simulate_cat(
        check_bank,
        replace(config),
        rng.normal(config.prior_mean, config.prior_sd, n_simulees),
        rng,
    )
    now = now or timezone.now()
    ItemExposure.objects.filter(blueprint=blueprint, method=method).delete()
    ItemExposure.objects.bulk_create(
        ItemExposure(
            blueprint=blueprint,
            item=item,
            method=method,
            value=float(v),
            calibrated_at=now,
        )
        for item, v in zip(items, values, strict=True)
    )
    result = ExposureCalibration(
        blueprint=blueprint.target_group.slug,
        method=method,
        items=len(items),
        restricted=int(np.sum(values < 1.0)),
        max_exposure=check.max_exposure,
        mean_items=check.mean_items,
    )
    audit_record(
        actor=actor,
        action="blueprint.exposure",
        obj=blueprint,
        after={
            "method": method,
            "target": round(target, 4),
            "items": result.items,
            "restricted": result.restricted,
            "simulated_max_exposure": round(result.max_exposure, 4),
            "simulees": n_simulees,
            "iterations": iterations,
        },
    )
    return result
