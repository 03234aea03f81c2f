from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from api.models import DEFAULT_DAYS, MAX_DAYS
from config.forms import GovukForm


def _default_expiry():
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class TokenForm(GovukForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, for example “Open data dashboard”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        initial=_default_expiry,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=format_lazy(
            gettext_lazy("The token stops working at the end of this day: at most {days} days from today."),
            days=MAX_DAYS - 1,
        ),
        error_messages={"invalid": gettext_lazy("Enter the expiry date as a real date, for example 31/3/2027.")},
    )
