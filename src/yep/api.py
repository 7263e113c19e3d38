"""The partner API at /api/v1 (django-ninja), with its OpenAPI document at /api/v1/openapi.json.

Partners authenticate with a personal access token (``yep token create USERNAME``) sent as
``Authorization: Bearer <token>``; a signed-in browser session also works. Errors have one shape:
``{"detail": message, "errors": {field: [messages]}}``.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from yep.access.services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            request.is_api = True  # type: ignore[attr-defined]  # read by access.guards
        return user


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.is_api = True  # type: ignore[attr-defined]  # read by access.guards
        return user


api = NinjaAPI(
    title="YEP API",
    version="1",
    description="Youth Engagement and Progression: the register of young people, for partner systems.",
    auth=[BearerToken(), Session()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return api.create_response(request, {"detail": _("Some details are not valid."), "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        field = ".".join(str(p) for p in problem.get("loc", [])[1:]) or "__all__"
        errors.setdefault(field, []).append(problem.get("msg", ""))
    return api.create_response(request, {"detail": _("The request is not valid."), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja raises a 400 HttpError from the parser's exception when the body is not JSON: say so in the
    # user's language, in the one error shape.
    message = _("The request body is not valid JSON.") if error.status_code == 400 and error.__cause__ else str(
        error)
    return api.create_response(request, {"detail": message, "errors": {"__all__": [message]}},
                               status=error.status_code)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


api.add_router("/people", "yep.people.api.router")
api.add_router("/organisations", "yep.people.api.organisations_router")
api.add_router("/identify", "yep.identify.api.router")
api.add_router("/broker", "yep.broker.api.router")
api.add_router("/tasks", "yep.tasks.api.router")
api.add_router("/track", "yep.track.api.router")
api.add_router("/link", "yep.link.api.router")
