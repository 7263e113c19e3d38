"""Signing in: Django's username-and-password check, granting nothing by itself.

YEP's permissions are the ``rules`` predicates of ``access/permissions.py``. Django's model permissions are not
used, and leaving ModelBackend to answer them cost every page two queries whenever a predicate said no."""

from typing import Any

from django.contrib.auth.backends import ModelBackend


class SignInBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
