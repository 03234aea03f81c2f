"""Forms on the public consultation pages and the in-app moderation of their responses."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.forms import GovukForm
from public.consultation import REJECTION_LIMIT
from public.models import RESPONSE_LIMIT

# the honeypot's name: a field people never see (hidden from sight and from screen readers)
# that form-filling robots fill in
HONEYPOT = "website"


class PublicResponseForm(GovukForm):
    name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=200, error_messages={"required": gettext_lazy("Enter your name.")}
    )
    email = forms.CharField(
        label=gettext_lazy("Email address"),
        max_length=254,
        error_messages={"required": gettext_lazy("Enter your email address.")},
        help_text=gettext_lazy(
            "We email you a link to confirm your response. We do not publish your email address "
            "or use it for anything else."
        ),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Organisation (optional)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("If you are responding for an organisation, say which."),
    )
    body = forms.CharField(
        label=gettext_lazy("Your response"),
        max_length=RESPONSE_LIMIT,
        error_messages={"required": gettext_lazy("Enter your response.")},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=lazy(lambda: _("Up to %(count)s characters.") % {"count": f"{RESPONSE_LIMIT:,}"}, str)(),
    )
    name_public = forms.BooleanField(
        label=gettext_lazy("You may publish my name with this response"),
        required=False,
        help_text=gettext_lazy("Without this, we show it as from “a member of the public”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "type": "email", "spellcheck": "false"})
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"


class ModerateForm(GovukForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve: show it on the public pages")),
            ("reject", gettext_lazy("Reject: never show it")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting"),
        required=False,
        max_length=REJECTION_LIMIT,
        help_text=gettext_lazy("Kept in the app; the person who responded is not told."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
