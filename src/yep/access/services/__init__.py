"""The only writers of access data. Each function takes the acting user and an audit context, runs in one
transaction, and writes its audit row in that transaction."""

from .agreements import register_agreement, set_agreement_status
from .breakglass import open_break_glass, review_break_glass
from .consent import end_objection, has_consent, record_consent, record_objection, withdraw_consent
from .relationships import FlowBlocked, end_relationship, open_relationship, share_with_organisation
from .rights import (
    accept_rectification,
    create_default_retention_rules,
    reject_rectification,
    request_rectification,
    run_retention,
)
from .tokens import create_token, revoke_token, user_for_token

__all__ = [
    "FlowBlocked",
    "accept_rectification",
    "create_default_retention_rules",
    "create_token",
    "end_objection",
    "end_relationship",
    "has_consent",
    "open_break_glass",
    "open_relationship",
    "record_consent",
    "record_objection",
    "register_agreement",
    "reject_rectification",
    "request_rectification",
    "review_break_glass",
    "revoke_token",
    "run_retention",
    "set_agreement_status",
    "share_with_organisation",
    "user_for_token",
    "withdraw_consent",
]
