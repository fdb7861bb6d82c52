"""The programs app's models, one module per area (each imported here)."""

from hocvuso.programs.models.core import (
    ALL_GROUPS,
    Aggregation,
    Approval,
    ApprovalState,
    Fact,
    Indicator,
    IndicatorSet,
    ManualValue,
    Population,
    RollupRun,
    Target,
    UnitLevel,
    UnitScoped,
)
from hocvuso.programs.models.exports import ExportFormat, ExportJob, ExportState

__all__ = [
    "ALL_GROUPS",
    "Aggregation",
    "Approval",
    "ApprovalState",
    "ExportFormat",
    "ExportJob",
    "ExportState",
    "Fact",
    "Indicator",
    "IndicatorSet",
    "ManualValue",
    "Population",
    "RollupRun",
    "Target",
    "UnitLevel",
    "UnitScoped",
]
