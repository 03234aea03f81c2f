"""Forms on the public consultation pages and the in-app moderation of their responses."""

from django import forms

from config.forms import GovukForm
from public.consultation import REJECTION_LIMIT
from public.models import RESPONSE_LIMIT

# the honeypot's name: a field people never see (hidden from sight and from screen readers)
# that form-filling robots fill in
HONEYPOT = "website"


class PublicResponseForm(GovukForm):
    name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Enter your name."})
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter your email address."},
        help_text="We email you a link to confirm your response. We do not publish your email address "
        "or use it for anything else.",
    )
    organisation = forms.CharField(
        label="Organisation (optional)",
        max_length=200,
        required=False,
        help_text="If you are responding for an organisation, say which.",
    )
    body = forms.CharField(
        label="Your response",
        max_length=RESPONSE_LIMIT,
        error_messages={"required": "Enter your response."},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Up to {RESPONSE_LIMIT:,} characters.",
    )
    name_public = forms.BooleanField(
        label="You may publish my name with this response",
        required=False,
        help_text="Without this, we show it as from “a member of the public”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "type": "email", "spellcheck": "false"})
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"


class ModerateForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: show it on the public pages"), ("reject", "Reject: never show it")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        max_length=REJECTION_LIMIT,
        help_text="Kept in the app; the person who responded is not told.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
