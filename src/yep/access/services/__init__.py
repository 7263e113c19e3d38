"""The only writers of access data. Each function takes the acting user and an audit context, runs in one
transaction, and writes its audit row in that transaction."""

from .tokens import create_token, revoke_token, user_for_token

__all__ = ["create_token", "revoke_token", "user_for_token"]
