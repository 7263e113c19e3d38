"""URLs of the access app's pages: sharing and consent on a record, agreements, emergency access."""

from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("people/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("people/<int:pk>/sharing/consent/", views.record_consent, name="record_consent"),
    path("people/<int:pk>/sharing/consent/<int:consent_id>/withdraw/", views.withdraw_consent,
         name="withdraw_consent"),
    path("people/<int:pk>/sharing/objection/", views.record_objection, name="record_objection"),
    path("people/<int:pk>/sharing/objection/<int:objection_id>/end/", views.end_objection, name="end_objection"),
    path("people/<int:pk>/sharing/share/", views.share, name="share"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.new_agreement, name="new_agreement"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("emergency-access/", views.emergency_access, name="emergency_access"),
]
