"""Home page, login and logout, and the health check."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yep.access import views_auth
from yep.access.guards import public, requires
from yep.access.models import TwoFactorDevice
from yep.access.policy import people_visible_to
from yep.people.models import Role
from yep.people.services import set_preferred_language


@requires("web.view_home")
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(request.user.active_memberships())
    roles = {m.role for m in memberships}
    casework = bool(roles & {Role.EPC, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF,
                             Role.LEAD_WORKER})
    context = {
        "memberships": memberships,
        "can_search": casework,
        "can_add_person": request.user.has_perm("people.add_person"),
        "visible_count": people_visible_to(request.user).count() if casework else None,
        "aggregates_only": bool(roles) and not casework,
        "has_two_factor": TwoFactorDevice.objects.filter(user=request.user, confirmed_at__isnull=False).exists(),
    }
    return render(request, "web/home.html", context)


@method_decorator(public, name="dispatch")
class LoginView(auth_views.LoginView):
    """The password step. Lockouts, the second factor and the sign-in record are in access/views_auth.py."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
    form_class = views_auth.SignInForm

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        context = super().get_context_data(**kwargs)
        context["notice"] = views_auth.take_notice(self.request)  # why a session ended, if it did
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        return views_auth.sign_in(self.request, form.get_user(), self.get_success_url())


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("web:login")


@public
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch between English and Welsh (a link on every page); remembered for a signed-in user."""
    language = request.GET.get("lang", "")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:home")
    response = redirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
        if request.user.is_authenticated:
            set_preferred_language(request.user, language)
    return response


@public
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
