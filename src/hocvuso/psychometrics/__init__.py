"""Psychometrics engine of hocvuso: IRT models, calibration and adaptive testing.

A plain NumPy/SciPy package.  It must never import Django or any other hocvuso
module (``tests/psychometrics/test_boundaries.py`` enforces this), so the
``assessment`` app wraps it rather than the other way round.

Model conventions: dichotomous 1PL/2PL/3PL in the logistic metric (``D = 1``),
``P = c + (1 - c) / (1 + exp(-a (theta - b)))``; see
:mod:`hocvuso.psychometrics.models` and ``docs/psychometrics.md``.
"""

from hocvuso.psychometrics.ability import (
    AbilityEstimate,
    AbilityEstimates,
    estimate_eap,
    estimate_eap_many,
    estimate_map,
    estimate_map_many,
    estimate_ml,
    estimate_ml_many,
)
from hocvuso.psychometrics.calibration import (
    CalibrationResult,
    LongResponses,
    calibrate,
)
from hocvuso.psychometrics.cat import CatSession
from hocvuso.psychometrics.catbank import CatConfig, ItemBank
from hocvuso.psychometrics.classical import (
    ItemAnalysis,
    ItemStatistics,
    OptionStatistics,
    item_analysis,
)
from hocvuso.psychometrics.errors import (
    CatSessionError,
    InputFormatError,
    PsychometricsError,
)
from hocvuso.psychometrics.models import (
    irt_prob,
    item_information,
    standard_error,
    test_information,
)
from hocvuso.psychometrics.scoring import PassDecision, estimate_wle, pass_decision
from hocvuso.psychometrics.simulation import (
    SimulationReport,
    eligibility_calibrate,
    overlap_rate,
    simulate_cat,
    sympson_hetter_calibrate,
)

__all__ = [
    "AbilityEstimate",
    "AbilityEstimates",
    "CalibrationResult",
    "CatConfig",
    "CatSession",
    "CatSessionError",
    "InputFormatError",
    "ItemAnalysis",
    "ItemBank",
    "ItemStatistics",
    "LongResponses",
    "OptionStatistics",
    "PassDecision",
    "PsychometricsError",
    "SimulationReport",
    "calibrate",
    "eligibility_calibrate",
    "estimate_eap",
    "estimate_eap_many",
    "estimate_map",
    "estimate_map_many",
    "estimate_ml",
    "estimate_ml_many",
    "estimate_wle",
    "irt_prob",
    "item_analysis",
    "item_information",
    "overlap_rate",
    "pass_decision",
    "simulate_cat",
    "standard_error",
    "sympson_hetter_calibrate",
    "test_information",
]
