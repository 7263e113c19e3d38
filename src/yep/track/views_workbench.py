"""The careers adviser's workbench: one page with what is waiting (issue 6, item 8): provider notifications to
match and young people to contact after one, the unknowns, the intake from other LAs, youth workers' contact
reports, and the jobs-without-training priority list. Each list is the same scoped read its own page uses, so
the workbench shows nobody its own page would not."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK
from yep.tasks.models import TaskKind
from yep.tasks.queries import open_tasks_for

from . import jwt, notifications, unknowns

SHOWN = 5


@requires("track.work_unknowns")
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    queue = unknowns.unknowns_for(user)
    jobs = jwt.jwt_list_for(user)
    contacts = open_tasks_for(user).filter(kind=TaskKind.CONTACT).select_related("person").order_by("due", "pk")
    unmatched = notifications.unmatched_for(user)
    intake = unknowns.intake_for(user)
    reports = unknowns.contact_reports_for(user)
    shown: dict[str, list[Any]] = {"unknowns": queue[:SHOWN], "jwt": jobs[:SHOWN], "contacts": list(contacts[:SHOWN]),
             "intake": list(intake[:SHOWN]), "reports": list(reports[:SHOWN])}
    people = sorted({u.person.pk for u in shown["unknowns"]} | {r.person.pk for r in shown["jwt"]}
                    | {t.person_id for t in shown["contacts"] if t.person_id}
                    | {m.person_id for m in shown["intake"]} | {r.person_id for r in shown["reports"] if r.person_id})
    audit.record(user, "view", audit.AuditContext.from_request(request, CASEWORK), object_type="workbench",
                 detail={"people": people})
    return render(request, "track/workbench.html", {
        **shown, "counts": {"unknowns": len(queue), "jwt": len(jobs), "contacts": contacts.count(),
                            "unmatched": unmatched.count(), "intake": intake.count(), "reports": reports.count()},
        "may_resolve": user.has_perm("track.resolve_notifications"),
        "may_follow_up_jwt": user.has_perm("track.follow_up_jwt")})


urlpatterns: list[URLPattern] = [path("track/workbench/", workbench, name="workbench")]
