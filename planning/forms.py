"""Forms for plans and items. They validate for the person typing; the services
validate again under the plan lock before anything is written."""

import functools
from collections.abc import Callable
from datetime import datetime, time
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import bilingual
from config.forms import GovukForm, GovukModelForm, LongCheckboxes, LongSelect, ModelMultipleChoiceField
from config.text import TEXT_LIMIT
from partners.models import Organisation, User
from planning.access import can
from planning.models import (
    Comment,
    Edition,
    EvidenceSource,
    Finding,
    Indicator,
    Link,
    Plan,
    PlanItem,
    Theme,
    financial_year,
)
from planning.services import RIGHTS_FIELDS, RIGHTS_REFUSED, THRESHOLD_REFUSED

if TYPE_CHECKING:
    from planning.evaluation import Screening

REASON_HELP = gettext_lazy("Optional. Recorded in the history beside your change.")


APPROVED_REASON_HELP = gettext_lazy("Required: this plan is approved, so every change is recorded with its reason.")


def require_reason_if_approved(form: forms.Form, plan: Plan | None) -> None:
    """An approved plan can still change, but each change needs a reason (issue 4)."""
    if plan is not None and plan.status == Plan.Status.APPROVED and "reason" in form.fields:
        form.fields["reason"].required = True
        form.fields["reason"].help_text = APPROVED_REASON_HELP


def _council_staff():
    return User.objects.filter(is_active=True, role__in=[User.Role.OFFICER, User.Role.ADMIN]).order_by(
        "last_name", "first_name"
    )


def with_welsh(fields: list[str], *, after: str, welsh: list[str]) -> list[str]:
    """``fields`` with the Welsh versions just after ``after`` (docs/decisions/0033)."""
    at = fields.index(after) + 1
    return [*fields[:at], *welsh, *fields[at:]]


def offer_welsh(form, names: list[str]) -> None:
    """The Welsh fields say they are Welsh (``lang``: browsers' spelling checks and screen
    readers follow it). A council that does not write in Welsh (WELSH_CONTENT off) is not
    offered them; what was written before stays (a form without a field leaves it alone)."""
    for name in names:
        if not bilingual.welsh_content():
            form.fields.pop(name, None)
        elif name in form.fields:
            form.fields[name].widget.attrs["lang"] = bilingual.WELSH


class PlanForm(GovukModelForm):
    class Meta:
        model = Plan
        fields = with_welsh(Plan.EDITABLE_FIELDS, after="summary", welsh=Plan.WELSH_FIELDS)
        labels = {
            "label_vision": gettext_lazy("Name for the vision"),
            "label_priority": gettext_lazy("Name for priorities"),
            "label_action": gettext_lazy("Name for actions"),
            "label_target": gettext_lazy("Name for targets"),
            "label_milestone": gettext_lazy("Name for milestones"),
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "summary_cy": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, organisations=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.all()
        )
        self.fields["owner"].queryset = _council_staff()
        self.fields["parent"].queryset = parents if parents is not None else Plan.objects.all()
        self.fields["parent"].required = False
        self.fields["parent"].empty_label = _("None: this is a top-level plan")
        self.fields["partnership"].empty_label = _("None: the council’s own plan")
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                pk__in=self.instance.get_descendants(include_self=True).values("pk")
            )
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update({"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"})
        # a form sent without it (a script, an older page) keeps the plan's cadence
        self.fields["cadence"].required = False
        offer_welsh(self, Plan.WELSH_FIELDS)

    def clean_cadence(self):
        return self.cleaned_data.get("cadence") or self.instance.cadence or Plan.Cadence.QUARTERLY


CADENCE_FIXED = {
    Plan.Cadence.QUARTERLY: gettext_lazy(
        "This plan already has progress returns for its quarterly periods, so its reporting cadence cannot change."
    ),
    Plan.Cadence.TERMLY: gettext_lazy(
        "This plan already has progress returns for its termly periods, so its reporting cadence cannot change."
    ),
    Plan.Cadence.MONTHLY: gettext_lazy(
        "This plan already has progress returns for its monthly periods, so its reporting cadence cannot change."
    ),
}


class PlanEditForm(PlanForm):
    """The plan's details. Naming the owner confers approval and review, so the owner
    field is offered only to those who may hand the plan over (``change_owner``); for
    everyone else it is shown disabled, and a posted owner other than the current one is
    refused beside the field, changing nothing (issue 12, item 5)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=250, help_text=REASON_HELP
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        require_reason_if_approved(self, self.instance)
        self.fields["variance_threshold"].widget.attrs.update({"class": "govuk-input govuk-input--width-4"})
        if not can(user, "change_owner", self.instance):
            for name in RIGHTS_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = RIGHTS_REFUSED[name]
            # which overspends members see flagged is the owner's to say (decision 0023)
            self.fields["variance_threshold"].disabled = True
            self.fields["variance_threshold"].help_text = THRESHOLD_REFUSED

    def _kept(self, name: str):
        """A disabled field keeps its value; a different one posted is refused beside it."""
        value = self.cleaned_data[name]
        if self.fields[name].disabled:
            posted = self.data.get(self.add_prefix(name))
            if posted not in (None, "", str(getattr(self.instance, f"{name}_id") or "")):
                raise forms.ValidationError(RIGHTS_REFUSED[name])
        return value

    def clean_owner(self):
        return self._kept("owner")

    def clean_cadence(self):
        """A plan's cadence is fixed once it has returns: they belong to its periods, and a
        scorecard of quarters cannot read terms (decision 0028)."""
        cadence = super().clean_cadence()
        if cadence != self.instance.cadence and self.instance.items.filter(returns__isnull=False).exists():
            raise forms.ValidationError(CADENCE_FIXED[self.instance.cadence])
        return cadence

    def clean_partnership(self):
        return self._kept("partnership")

    def clean_variance_threshold(self):
        value = self.cleaned_data["variance_threshold"]
        posted = self.data.get(self.add_prefix("variance_threshold"))
        if self.fields["variance_threshold"].disabled and posted not in (None, ""):
            try:
                differs = forms.DecimalField().clean(posted) != self.instance.variance_threshold
            except ValidationError:
                differs = True
            if differs:
                raise forms.ValidationError(THRESHOLD_REFUSED)
        return value


class BudgetLineForm(GovukForm):
    """One line of an action's budget profile; the plan's years are the choices."""

    year = forms.TypedChoiceField(label=gettext_lazy("Financial year"), coerce=int)
    cost_type = forms.ChoiceField(
        label=gettext_lazy("Revenue or capital"), choices=PlanItem.CostType.choices, widget=forms.RadioSelect
    )
    funding_source = forms.CharField(
        label=gettext_lazy("Funding source"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The funding stream, for example a grant. Leave empty if it is not known."),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (£)"), min_value=0, max_digits=12, decimal_places=2, localize=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=250, help_text=REASON_HELP
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, financial_year(year)) for year in range(plan.start_year, plan.end_year + 1)
        ]
        self.fields["amount"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})
        require_reason_if_approved(self, plan)


class ItemForm(GovukModelForm):
    """One form for every kind; fields that do not apply to the kind are removed."""

    supporting_organisations = ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=LongCheckboxes,
        help_text=gettext_lazy("Organisations that help deliver this."),
    )

    class Meta:
        model = PlanItem
        fields = [
            *with_welsh(PlanItem.COMMON_FIELDS, after="description", welsh=PlanItem.WELSH_FIELDS),
            *PlanItem.EVIDENCE_FIELDS,
            *PlanItem.COST_FIELDS,
            *PlanItem.MEASURE_FIELDS,
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_cy": forms.Textarea(attrs={"rows": 5}),
            "success_criteria": forms.Textarea(attrs={"rows": 4}),
            "result_kind": forms.RadioSelect,
            **dict.fromkeys(("lead_officer", "lead_organisation", "indicator"), LongSelect),
            **{
                name: forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # ISO, or browsers show blank
                for name in ("start_date", "due_date", "baseline_date", "target_date")
            },
        }

    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=250, help_text=REASON_HELP
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        require_reason_if_approved(self, self.instance.plan if self.instance.plan_id else None)
        self.fields["lead_officer"].queryset = User.objects.filter(is_active=True).exclude(role=User.Role.MEMBER)
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        offer_welsh(self, PlanItem.WELSH_FIELDS)
        if kind not in PlanItem.COSTED_KINDS:
            for name in PlanItem.COST_FIELDS:
                del self.fields[name]
        if kind not in PlanItem.EVIDENCE_KINDS:
            for name in PlanItem.EVIDENCE_FIELDS:
                del self.fields[name]
        else:  # blank allowed (items written before issue 18), but not offered as a choice
            self.fields["result_kind"].choices = PlanItem.Result.choices
        if kind != PlanItem.Kind.TARGET:
            for name in PlanItem.MEASURE_FIELDS:
                del self.fields[name]
        else:
            self.fields["target_value"].required = True
            self.fields["indicator"].queryset = Indicator.objects.order_by("name")
            for name in ("unit", "direction"):  # a target takes its indicator's unless it says otherwise
                self.fields[name].help_text = _("Leave blank to use the indicator’s.")
        if self.instance.pk:
            self.fields["supporting_organisations"].initial = [
                s.organisation_id for s in self.instance.supporters.all()
            ]
        self.fieldsets = [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in (
                ("", ["title", "description"]),
                (_("In Welsh"), PlanItem.WELSH_FIELDS),
                ("", ["status"]),
                (_("Who leads it"), ["lead_officer", "lead_organisation", "supporting_organisations"]),
                (_("When"), ["start_date", "due_date"]),
                (gettext_lazy("Success criteria"), PlanItem.EVIDENCE_FIELDS),
                (_("Cost"), PlanItem.COST_FIELDS),
                (_("Measure"), PlanItem.MEASURE_FIELDS),
            )
        ]
        self.fieldsets = [(title, fields) for title, fields in self.fieldsets if fields]

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        for name in ("unit", "direction"):
            if name in self.fields and not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(indicator, name, "") if indicator else ""
                if not cleaned[name]:
                    self.add_error(name, TARGET_NEEDS[name])
        return cleaned

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


TARGET_NEEDS = {
    "unit": gettext_lazy("A target needs a unit: choose one, or an indicator that has one."),
    "direction": gettext_lazy("A target needs a direction: choose one, or an indicator that has one."),
}


class ItemEditForm(ItemForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ParentField(forms.TypedChoiceField):
    """ "Move under": the choices are listed only when the form is shown; a posted parent
    is checked on its own by ``is_allowed`` (one query), not by listing every allowed parent
    of a 2,000-item plan to look it up (issue 14). The form sets ``is_allowed``."""

    is_allowed: Callable[[int], bool]

    def valid_value(self, value) -> bool:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return False
        return 0 < pk < 2**63 and self.is_allowed(pk)  # a key too large for any database is no choice


class MoveForm(GovukForm):
    parent = ParentField(label=gettext_lazy("Move under"), coerce=int, widget=LongSelect)
    position = forms.IntegerField(
        label=gettext_lazy("Position among its new siblings"), min_value=1, help_text=gettext_lazy("1 is the first.")
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the move"), required=False, max_length=250, help_text=REASON_HELP
    )

    def __init__(
        self,
        *args,
        choices: Callable[[], list[tuple[int, str]]],
        is_allowed: Callable[[int], bool],
        plan: Plan | None = None,
        **kwargs,
    ):
        """``choices`` is called only if the form is shown; ``is_allowed`` validates a
        posted parent without it."""
        super().__init__(*args, **kwargs)
        require_reason_if_approved(self, plan)
        self.fields["parent"].choices = functools.cache(choices)
        self.fields["parent"].is_allowed = is_allowed
        self.fields["position"].widget.attrs["class"] = "govuk-input govuk-input--width-3"


class ReasonForm(GovukForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=250, help_text=REASON_HELP)

    def __init__(self, *args, plan: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        require_reason_if_approved(self, plan)


class EditionForm(GovukForm):
    name = forms.CharField(
        label=gettext_lazy("Name of the edition"),
        max_length=200,
        help_text=gettext_lazy("For example “Approved by Cabinet, 18 March 2013”."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def parse_when(raw: str) -> datetime:
    """A moment typed or sent by a reader: a date means the end of that day, a date and
    time (2013-03-18T17:30) that minute."""
    try:
        day = parse_date(raw)
        parsed = datetime.combine(day, time.max) if day else parse_datetime(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(
            _("“%(raw)s” is not a date. Enter it as 2013-03-18, or pick it from the calendar.") % {"raw": raw}
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class CompareForm(GovukForm):
    """The two moments of a plan to compare. Each is now, one of the plan's editions
    (offered by name) or a date. Addresses written before the form offered names
    (``?from=edition-7``, ``?from=2013-03-18``) still work: an edition's code is the
    value of its choice, and a date in place of a choice is read as that date.

    ``moment(side)`` is what ``planning.views.timetravel.Moment`` reads: "now",
    "edition-<id>", or the date as typed."""

    SIDES = (("from", gettext_lazy("From")), ("to", gettext_lazy("To")))
    DATE_LABELS = {"from": gettext_lazy("From: date"), "to": gettext_lazy("To: date")}
    DATE_MISSING = {
        "from": gettext_lazy("Enter the date to compare from, for example 2013-03-18."),
        "to": gettext_lazy("Enter the date to compare to, for example 2013-03-18."),
    }
    DATE = "date"

    def __init__(self, data, *, editions: list[Edition], default_from: str):
        data = data.copy()
        data.setdefault("from", default_from)
        data.setdefault("to", "now")
        choices = [("now", _("Now")), *((f"edition-{e.pk}", e.name) for e in editions), (self.DATE, _("On a date"))]
        for side, _label in self.SIDES:
            raw = (data.get(side) or "").strip()
            if raw not in dict(choices) and _is_moment(raw):  # an address from before the form offered names
                data[side], data[f"{side}_date"] = self.DATE, raw
        super().__init__(data, auto_id="compare-%s")
        self.editions = {f"edition-{e.pk}": e for e in editions}
        for side, label in self.SIDES:
            self.fields[side] = forms.ChoiceField(
                label=label,
                choices=choices,
                widget=_NamedRadios,
                error_messages={
                    "invalid_choice": _("Choose now, one of this plan’s editions or a date."),
                    "required": _("Choose now, one of this plan’s editions or a date."),
                },
            )
            self.fields[f"{side}_date"] = forms.CharField(
                label=self.DATE_LABELS[side],
                required=False,
                help_text=_("The plan as it stood at the end of that day."),
            )

    def clean(self):
        cleaned = super().clean()
        for side, _label in self.SIDES:
            if cleaned.get(side) != self.DATE:
                continue
            raw = (cleaned.get(f"{side}_date") or "").strip()
            if not raw:
                self.add_error(f"{side}_date", self.DATE_MISSING[side])
                continue
            try:
                parse_when(raw)
            except ValidationError as error:
                self.add_error(f"{side}_date", error)
        return cleaned

    def moment(self, side: str) -> str:
        chosen = self.cleaned_data[side]
        return self.cleaned_data[f"{side}_date"].strip() if chosen == self.DATE else chosen

    def sides(self) -> list[dict]:
        """Each side's radios and date field, with each edition's moment for its hint."""
        return [
            {
                "field": self[side],
                "date": self[f"{side}_date"],
                "options": [
                    {
                        "value": value,
                        "label": label,
                        "edition": self.editions.get(value),
                        "id": f"compare-{side}-{value}",
                    }
                    for value, label in self.fields[side].choices
                ],
            }
            for side, _ in self.SIDES
        ]


class _NamedRadios(forms.RadioSelect):
    """Radios whose ids name their values ("compare-from-now"), as
    ``planning/includes/moment_radios.html`` writes them; a label or the error summary
    points at the first."""

    def id_for_label(self, id_, index=None):
        return f"{id_}-{self.choices[0][0]}" if id_ and self.choices else id_


def _is_moment(raw: str) -> bool:
    try:
        parse_when(raw)
    except ValidationError:
        return False
    return True


class LinkForm(GovukForm):
    target = forms.IntegerField(widget=forms.HiddenInput)
    relation = forms.ChoiceField(label=gettext_lazy("Relation"), choices=Link.Relation.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


# --- plan lifecycle: consultation, approval, status, revision (issue 4) -------------------
# The services in ``planning.lifecycle`` check each move again under the plan lock.


class _OneOfSeveral:
    """For forms that share a page with others: ids start with ``id_prefix`` so that none
    collide, while field names (what the endpoint reads) stay plain."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


# ISO format: a browser's date picker shows nothing for a value such as "18/03/2013"
_DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _today():
    from django.utils import timezone  # imported here to keep this section's edits in one place

    return timezone.localdate()


class ConsultationForm(GovukForm):
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=_DATE_INPUT)
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"),
        widget=_DATE_INPUT,
        help_text=gettext_lazy("Invitees can comment until the end of this day."),
    )
    note = forms.CharField(
        label=gettext_lazy("Covering note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Markdown: what you would like comments on. It goes in the invitation."),
    )
    organisations = ModelMultipleChoiceField(
        label=gettext_lazy("Invite organisations and council services"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Partners’ people can read the draft from now on; they and the officers of a council "
            "service or directorate invited (and of the services beneath it) can comment and suggest changes. "
            "All are told by email."
        ),
    )
    members = ModelMultipleChoiceField(
        label=gettext_lazy("Invite elected members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("For pre-scrutiny: they can read and comment on the draft."),
    )
    is_public = forms.BooleanField(
        label=gettext_lazy("Open it to the public"),
        required=False,
        help_text=gettext_lazy(
            "Anyone can read the draft on the public pages and respond, without signing in, until the "
            "closing date. Each response is checked by an officer before it is shown."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # officers of other council services can be invited (issue 15); not the whole council
        self.fields["organisations"].queryset = (
            Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.COUNCIL).order_by("name")
        )
        self.fields["organisations"].label_from_instance = lambda org: (
            _("%(organisation)s (%(kind)s)") % {"organisation": org, "kind": org.get_kind_display().lower()}
            if org.is_council
            else str(org)
        )
        self.fields["members"].queryset = User.objects.filter(is_active=True, role=User.Role.MEMBER).order_by(
            "last_name", "first_name"
        )

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The consultation must close on or after the day it opens."))
        elif closes_on and closes_on < _today():
            self.add_error("closes_on", _("The consultation must close today or later."))
        invited = data.get("organisations") or data.get("members") or data.get("is_public")
        if "organisations" in data and "members" in data and not invited:
            self.add_error("organisations", _("Invite at least one organisation or member, or open it to the public."))
        return data


class ApproveForm(_OneOfSeveral, GovukForm):
    id_prefix = "approve"
    approved_by = forms.CharField(
        label=gettext_lazy("Approving body"),
        max_length=160,  # it names the edition: "Approved by <body>, 30 September 2013" fits its 200 characters
        help_text=gettext_lazy("For example “Cabinet” or “Full Council”."),
    )
    approved_on = forms.DateField(label=gettext_lazy("Date approved"), widget=_DATE_INPUT)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=250,
        help_text=gettext_lazy("Kept in the plan's history beside the approval."),
    )

    def __init__(self, *args, equality: "Screening | None" = None, **kwargs):
        """``equality``: the plan's equality impact screening, where its council requires one
        before approval (decision 0032): the approver confirms the approving body had it."""
        super().__init__(*args, **kwargs)
        if equality is not None:
            self.fields["equality_impact"] = forms.BooleanField(
                label=gettext_lazy("The approving body had the equality impact assessment before it"),
                required=False,
                help_text=gettext_lazy("The assessment is complete.")
                if equality.complete
                else gettext_lazy("The assessment is not complete yet: complete it before approval."),
            )
            self.fields["equality_impact"].template_name = "partners/checkbox_field.html"
            self.fields["equality_impact"].widget.attrs.update(
                {"class": "govuk-checkboxes__input", "aria-describedby": f"{self._field_id('equality_impact')}-hint"}
            )

    def clean_approved_on(self):
        value = self.cleaned_data["approved_on"]
        if value > _today():
            raise forms.ValidationError(_("The date approved must be today or in the past."))
        return value

    def clean_equality_impact(self):
        if not self.cleaned_data["equality_impact"]:
            raise forms.ValidationError(
                gettext_lazy("Confirm that the approving body had the equality impact assessment before it.")
            )
        return True


class StatusForm(_OneOfSeveral, GovukForm):
    """Back to draft, superseded or archived: the button pressed gives the status."""

    id_prefix = "status"
    CHOICES = [
        (Plan.Status.DRAFT, gettext_lazy("Move back to draft")),
        (Plan.Status.SUPERSEDED, gettext_lazy("Mark as superseded")),
        (Plan.Status.ARCHIVED, gettext_lazy("Archive")),
    ]

    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=CHOICES)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=250,
        help_text=gettext_lazy("Required. Kept in the plan's history beside the change."),
    )


class PublishForm(_OneOfSeveral, GovukForm):
    """Publish a plan to the public, or withdraw it (a reason is required to withdraw)."""

    id_prefix = "publish"
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=250,
        help_text=gettext_lazy("Kept in the plan's history beside the change."),
    )


class ReviseForm(_OneOfSeveral, GovukModelForm):
    """Next year's draft: a new title, address and period; everything else is copied."""

    id_prefix = "revise"

    class Meta:
        model = Plan
        fields = ["title", "slug", "start_year", "end_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update({"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"})


# --- comments -----------------------------------------------------------------------------


class CommentForm(GovukForm):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Markdown: use blank lines between paragraphs."),
    )
    name_public = forms.BooleanField(
        label=gettext_lazy("You may publish my name with this comment"),
        required=False,
        help_text=gettext_lazy(
            "If the plan is published, its “you said, we did” page shows what was said. Without this, "
            "it shows only the kind of organisation you are from."
        ),
    )


# --- suggested changes (issue 15) -----------------------------------------------------------


def _text_box(label: str, *, rows: int, help_text: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


MARKDOWN_HELP = gettext_lazy("Markdown: use blank lines between paragraphs.")


class SuggestWordingForm(GovukForm):
    """New wording for an item, prefilled with its current wording."""

    proposed_title = forms.CharField(label=gettext_lazy("Title you suggest"), max_length=300)
    proposed_description = _text_box(
        gettext_lazy("Description you suggest"), rows=6, help_text=MARKDOWN_HELP, required=False
    )
    body = _text_box(
        gettext_lazy("Why do you suggest this?"),
        rows=4,
        help_text=gettext_lazy("Whoever decides reads this beside your wording."),
    )


class SuggestItemForm(SuggestWordingForm):
    """A new item under an item: the kinds that may go there, by the plan's own labels."""

    proposed_kind = forms.ChoiceField(label=gettext_lazy("What to add"), widget=forms.RadioSelect)
    field_order = ["proposed_kind", "proposed_title", "proposed_description", "body"]

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["proposed_kind"].initial = kinds[0][0]


class AcceptSuggestionForm(GovukForm):
    """The wording to make, prefilled with the proposal: the accepter may adjust it."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = _text_box(gettext_lazy("Description"), rows=6, help_text=MARKDOWN_HELP, required=False)
    response = _text_box(
        gettext_lazy("Note to the person who suggested it"),
        rows=3,
        help_text=gettext_lazy("Optional. They are told the suggestion was accepted, with this note."),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class DeclineSuggestionForm(GovukForm):
    reason = _text_box(
        gettext_lazy("Reason for declining"),
        rows=4,
        help_text=gettext_lazy(
            "Required. The person who suggested it is told, and it appears in the consultation summary."
        ),
    )


class RespondForm(GovukForm):
    response = forms.CharField(
        label=gettext_lazy("Response"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "What you did with the comment, and why. The person who commented is told, "
            "and it appears in the consultation summary."
        ),
    )
    state = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[(state.value, state.label) for state in Comment.State if state != Comment.State.OPEN],
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- writing together (issue 15) --------------------------------------------------------------


class DraftingGroupForm(GovukForm):
    name = forms.CharField(
        label=gettext_lazy("Name of the group"),
        max_length=200,
        help_text=gettext_lazy("For example “Healthy communities sub-group”."),
    )
    item = forms.TypedChoiceField(
        label=gettext_lazy("The part it writes"),
        coerce=int,
        help_text=gettext_lazy("A priority and everything under it. Its members write it while the plan is a draft."),
    )

    def __init__(self, *args, parts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("Choose a priority")), *parts]


class DraftingMemberForm(GovukForm):
    email = forms.EmailField(
        label=gettext_lazy("Email address of the person to add"),
        max_length=254,
        help_text=gettext_lazy("Anyone with an account, from any organisation. Invite people who have none first."),
    )


class SignOffForm(GovukForm):
    condition = forms.CharField(
        label=gettext_lazy("Condition (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Anything your organisation’s agreement depends on. It is named in the approved edition."
        ),
    )


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label=gettext_lazy("Why is the sign-off withdrawn?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with the plan and told to its owner."),
    )


class PartnerInviteForm(GovukForm):
    """The owner of a partnership plan invites someone from one of its partner organisations."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=150,
        help_text=gettext_lazy("The invitation is sent here. It is also their username."),
    )
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), coerce=int)
    job_title = forms.CharField(label=gettext_lazy("Job title (optional)"), max_length=200, required=False)

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {org.pk: org for org in organisations}
        self.fields["organisation"].choices = [("", _("Choose an organisation"))] + [
            (org.pk, org.name) for org in organisations
        ]


# --- shared definitions: themes and indicators (issue 17, decision 0025) --------------------


class ThemeForm(GovukModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Theme
        fields = Theme.EDITABLE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class IndicatorForm(GovukModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Indicator
        fields = Indicator.EDITABLE_FIELDS
        widgets = {"definition": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("unit", "direction"):  # shared by every target that uses it: required here
            self.fields[name].required = True
        self.fields["code"].widget.attrs["class"] += " govuk-input--width-20"


class ItemThemesForm(GovukForm):
    themes = ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Select every theme this item serves. An administrator defines the themes."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=250, help_text=REASON_HELP
    )


# --- evidence in the plan (issue 18, decision 0031) ------------------------------------------


class EvidenceSourceForm(GovukModelForm):
    url = forms.URLField(
        label=gettext_lazy("Web address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=EvidenceSource._meta.get_field("url").help_text,
    )

    class Meta:
        model = EvidenceSource
        fields = ["kind", "title", "url", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}


class FindingForm(GovukModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = Finding
        fields = ["text", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "source": LongSelect}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = plan.evidence_sources.all()
        self.fields["source"].empty_label = gettext_lazy("Not stated")


class PriorityFindingsForm(GovukForm):
    findings = forms.ModelMultipleChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Findings this priority rests on"),
        help_text=gettext_lazy("The findings of the plan’s needs assessment that show why this priority matters."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), required=False, max_length=250, help_text=REASON_HELP
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = plan.findings.order_by("number")
        self.fields["findings"].label_from_instance = lambda finding: f"{finding.number}. {finding.text[:200]}"


class MergeForm(GovukForm):
    """Into which item or plan, and why (required: a merger retires something)."""

    into = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label=gettext_lazy("Merged into"))
    reason = forms.CharField(
        label=gettext_lazy("Reason for the merger"),
        max_length=250,
        help_text=gettext_lazy("Recorded with the merger and shown beside it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = choices
