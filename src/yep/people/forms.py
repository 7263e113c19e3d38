"""The add-a-young-person form. It only collects text; ``people.validation`` checks it, once, for every channel."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Sex


class PersonForm(forms.Form):
    legal_forenames = forms.CharField(label=_("Legal forenames"), required=False)
    legal_surname = forms.CharField(label=_("Legal surname"), required=False)
    preferred_forename = forms.CharField(label=_("Preferred forename (optional)"), required=False)
    dob = forms.CharField(label=_("Date of birth"), required=False, help_text=_("For example, 2009-03-27"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    address_line1 = forms.CharField(label=_("Address line 1"), required=False)
    town = forms.CharField(label=_("Town"), required=False)
    postcode = forms.CharField(label=_("Postcode"), required=False)
    la_code = forms.CharField(
        label=_("Local authority code"), required=False, help_text=_("For example, 681 for Cardiff")
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=[("en", "English"), ("cy", "Cymraeg")], required=False
    )
    phone = forms.CharField(label=_("Phone (optional)"), required=False)
    email = forms.CharField(label=_("Email (optional)"), required=False)
    upn = forms.CharField(label=_("UPN (optional)"), required=False)
    uln = forms.CharField(label=_("ULN (optional)"), required=False)
    ni_number = forms.CharField(label=_("National Insurance number (optional)"), required=False)
