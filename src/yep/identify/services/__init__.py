"""The only writers of early identification data."""

from .attendance import record_attendance
from .models import IndicatorSetting, create_model_version, ensure_default_model
from .reviews import add_pupil, review_result
from .runs import create_run, publish_run, reproduce_run, withdraw_run

__all__ = ["IndicatorSetting", "add_pupil", "create_model_version", "create_run", "ensure_default_model",
           "publish_run", "record_attendance", "reproduce_run", "review_result", "withdraw_run"]
