"""Forms for sharing agreements, consent, objections, sharing with an organisation and emergency access.

They only collect input; the services validate it and say what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yep.people.models import Organisation

from . import categories as C
from .models import Consent, ConsentPurpose, SharingAgreement

CATEGORY_CHOICES = [(c, C.LABELS[c]) for c in sorted(C.ALL)]


class AgreementForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    parties = forms.ModelMultipleChoiceField(label=_("Organisations that are party to it"), required=False,
                                             queryset=Organisation.objects.order_by("kind", "name"))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea, required=False)
    lawful_basis = forms.CharField(label=_("Lawful basis (UK GDPR Article 6)"), required=False,
                                   help_text=_("For example, 6(1)(e) public task"))
    special_category_condition = forms.CharField(label=_("Condition for special category data (Article 9)"),
                                                 required=False)
    statute = forms.CharField(label=_("Statutory gateway"), required=False,
                              help_text=_("For example, ESA 2008 s13 and s72; Children Act 2004 s25"))
    categories = forms.MultipleChoiceField(label=_("Data categories that may flow"), choices=CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple, required=False)
    start = forms.DateField(label=_("Start date"), help_text=_("For example, 2026-09-01"))
    end = forms.DateField(label=_("End date (optional)"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=SharingAgreement.Status.choices)
    document_reference = forms.CharField(label=_("Document reference (optional)"), required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=Consent.GivenBy.choices)
    given_by_name = forms.CharField(label=_("Name of the person giving consent"), required=False)
    method = forms.ChoiceField(label=_("How"), choices=Consent.Method.choices)
    expires_on = forms.DateField(label=_("Expires on (optional)"), required=False)


class ObjectionForm(forms.Form):
    made_by = forms.ChoiceField(label=_("Objection made by"), choices=Consent.GivenBy.choices)


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    categories = forms.MultipleChoiceField(label=_("What to share"), choices=CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple, required=False)
    purpose = forms.CharField(label=_("Why"), required=False)


class EmergencyAccessForm(forms.Form):
    identifier = forms.CharField(label=_("UPN or ULN"), required=False)
    surname = forms.CharField(label=_("Or surname"), required=False)
    dob = forms.DateField(label=_("and date of birth"), required=False, help_text=_("For example, 2009-03-27"))
    reason = forms.CharField(label=_("Why you need emergency access"), widget=forms.Textarea, required=False)
