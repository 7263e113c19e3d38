"""Guards every view and API route declares: ``@requires("perm")`` or ``@public``.

A consistency test walks the URLconf and the API and fails on any route without one.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .permissions import PERMISSIONS


def requires(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow the view only to users holding ``permission``; send anonymous web users to log in."""
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}; name it in access/permissions.py")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated and not getattr(request, "is_api", False):
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.yep_guard = permission  # type: ignore[attr-defined]  # read by the URLconf test
        return guarded

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as deliberately open to anyone (login page, language switch, health check)."""
    view.yep_guard = "public"  # type: ignore[attr-defined]  # read by the URLconf test
    return view
