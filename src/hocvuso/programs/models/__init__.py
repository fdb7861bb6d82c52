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
from hocvuso.programs.models.rollup import RollupLock
from hocvuso.programs.models.tasks import (
    EvidenceKind,
    Inspection,
    Notification,
    ProgramTask,
    TaskStatus,
    TaskUpdate,
)

__all__ = [
    "ALL_GROUPS",
    "Aggregation",
    "Approval",
    "ApprovalState",
    "EvidenceKind",
    "ExportFormat",
    "ExportJob",
    "ExportState",
    "Fact",
    "Indicator",
    "IndicatorSet",
    "Inspection",
    "ManualValue",
    "Notification",
    "Population",
    "ProgramTask",
    "RollupLock",
    "RollupRun",
    "Target",
    "TaskStatus",
    "TaskUpdate",
    "UnitLevel",
    "UnitScoped",
]
