"""Early identification's data: indicators, risk models, runs, results and reviews."""

from .indicators import (
    TERM_ORDER,
    Attainment,
    Attendance,
    BehaviourIncident,
    Exclusion,
    ExclusionKind,
    KeyStage,
    LocalIndicator,
    LocalIndicatorValue,
    Term,
)
from .risk import (
    BAND_RANK,
    SUPPORT_LABELS,
    Backtest,
    Band,
    Result,
    Review,
    ReviewAction,
    RiskModel,
    RiskModelIndicator,
    Run,
    RunStatus,
    SupportNeed,
)

__all__ = [
    "BAND_RANK", "SUPPORT_LABELS", "TERM_ORDER", "Attainment", "Attendance", "Backtest", "Band", "BehaviourIncident",
    "Exclusion", "ExclusionKind", "KeyStage", "LocalIndicator", "LocalIndicatorValue", "Result", "Review",
    "ReviewAction",
    "RiskModel", "RiskModelIndicator", "Run", "RunStatus", "SupportNeed", "Term",
]
