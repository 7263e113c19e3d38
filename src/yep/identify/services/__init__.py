"""The only writers of early identification data."""

from .attendance import record_attendance
from .indicators import (
    define_local_indicator,
    record_attainment,
    record_behaviour,
    record_census,
    record_exclusions,
    record_local_indicators,
)
from .models import IndicatorSetting, create_model_version, ensure_default_model
from .reviews import add_pupil, review_result
from .runs import create_run, publish_run, reproduce_run, withdraw_run

__all__ = ["IndicatorSetting", "add_pupil", "create_model_version", "create_run", "define_local_indicator",
           "ensure_default_model", "publish_run", "record_attainment", "record_attendance", "record_behaviour",
           "record_census", "record_exclusions", "record_local_indicators", "reproduce_run", "review_result",
           "withdraw_run"]
