from datetime import timedelta

from django import forms
from django.utils import timezone

from api.models import DEFAULT_DAYS, MAX_DAYS
from config.forms import GovukForm


def _default_expiry():
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class TokenForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, for example “Open data dashboard”.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        initial=_default_expiry,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=f"The token stops working at the end of this day: at most {MAX_DAYS - 1} days from today.",
        error_messages={"invalid": "Enter the expiry date as a real date, for example 31/3/2027."},
    )
