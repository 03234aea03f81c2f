"""What: plans, the items inside them and the measures their targets use.

Plans form one tree (corporate > directorate > service business plan); each plan's
items form a tree of their own (vision > priority > action > target > milestone).
Sibling order lives in the tracked ``position`` field, never in mptt's columns, so
that history can rebuild any plan as it stood (see ``docs/decisions``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from config.history import track
from config.text import LONG_TEXT_LIMIT, NOTE_LIMIT, BoundedTextField, single_line
from partners.models import MPTT_COLUMNS, Organisation, Partnership, TreeOrderQuerySet, User
from planning.wording import name_fields, sentence, shown, with_article


class Unit(models.TextChoices):
    """What a measure counts in: an indicator's, and a target's (which takes its indicator's)."""

    PERCENTAGE = "percentage", gettext_lazy("Percentage (%)")
    COUNT = "count", gettext_lazy("Count")
    NUMBER = "number", gettext_lazy("Number")
    POUNDS = "pounds", gettext_lazy("Pounds (£)")
    DAYS = "days", gettext_lazy("Days")


class Direction(models.TextChoices):
    HIGHER = "higher", gettext_lazy("Higher is better")
    LOWER = "lower", gettext_lazy("Lower is better")


class Indicator(models.Model):
    """A shared measure definition ("% of schools good or outstanding") that targets
    in several plans can use, so the alignment report can compare them. Officers define
    them in the app (issue 17): one definition per measure, with its unit and direction,
    which a target choosing it takes unless it says otherwise, where the figure comes from
    and who supplies it (free text: suppliers are often bodies outside the app, such as
    the Welsh Government; decision 0025)."""

    code = models.SlugField(
        max_length=50,
        unique=True,
        help_text=gettext_lazy("A short code, in lower case with hyphens, for example ks4-5ac."),
    )
    name = models.CharField(max_length=300, validators=[single_line])
    definition = BoundedTextField(
        blank=True,
        help_text=gettext_lazy("What is counted and how, so that every plan measures alike."),
    )
    # explicit defaults: history rows sealed before these columns existed keep their seals
    # (config.history_seal leaves a column holding its default out of the seal)
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True, default="")
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True, default="")
    source = models.CharField(
        max_length=300,
        blank=True,
        default="",
        validators=[single_line],
        help_text=gettext_lazy("Where the figure comes from, for example the annual school census."),
    )
    supplier = models.CharField(
        gettext_lazy("who supplies the figure"),
        max_length=200,
        blank=True,
        default="",
        validators=[single_line],
        help_text=gettext_lazy("The team or body that sends the figure each period."),
    )
    version = models.PositiveIntegerField(default=1)

    EDITABLE_FIELDS = ["code", "name", "definition", "unit", "direction", "source", "supplier"]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:indicator-edit", args=[self.code])


name_fields(
    Indicator,
    {
        "code": gettext_lazy("code"),
        "name": gettext_lazy("name"),
        "definition": gettext_lazy("definition"),
        "unit": gettext_lazy("unit"),
        "direction": gettext_lazy("direction"),
        "source": gettext_lazy("source"),
    },
)

track(Indicator)


class PlanQuerySet(TreeOrderQuerySet):
    def approved(self):
        """Plans approved and in force (the ones monitored and reported to members)."""
        return self.filter(status=Plan.Status.APPROVED)

    def public(self):
        """Plans anyone may read without signing in: published by their owner, and still
        approved or superseded (archiving one takes it off the public pages without
        another write; issue 16)."""
        return self.filter(published_at__isnull=False, status__in=Plan.PUBLISHED_STATUSES)


class PlanItemQuerySet(TreeOrderQuerySet):
    def monitored(self):
        """The items that report progress every quarter (``PlanItem.is_monitored``)."""
        return self.filter(kind__in=PlanItem.MONITORED_KINDS, plan__status=Plan.Status.APPROVED)


class Plan(MPTTModel):
    """A strategic plan. Its parent is the plan it delivers (a service business plan's
    parent is its directorate plan). Each plan stores the labels it uses for its levels."""

    class Kind(models.TextChoices):
        CORPORATE = "corporate", gettext_lazy("Corporate plan")
        STRATEGIC = "strategic", gettext_lazy("Strategic plan")
        SERVICE = "service", gettext_lazy("Service business plan")
        PARTNERSHIP = "partnership", gettext_lazy("Partnership plan")
        INSPECTION = "inspection", gettext_lazy("Inspection action plan")
        SINGLE_INTEGRATED = "single_integrated", gettext_lazy("Single integrated plan")

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        CONSULTATION = "consultation", gettext_lazy("In consultation")
        APPROVED = "approved", gettext_lazy("Approved")
        SUPERSEDED = "superseded", gettext_lazy("Superseded")
        ARCHIVED = "archived", gettext_lazy("Archived")

    class Cadence(models.TextChoices):
        """How often a plan's leads report progress (issue 17; decision 0028)."""

        QUARTERLY = "quarterly", gettext_lazy("Quarterly, on the financial year (April to March)")
        TERMLY = "termly", gettext_lazy("Termly, on the academic year (September to August)")
        MONTHLY = "monthly", gettext_lazy("Monthly, on the financial year (April to March)")

    PUBLISHED_STATUSES = {Status.APPROVED, Status.SUPERSEDED}
    # the Welsh versions an officer writes beside the English (docs/decisions/0033)
    WELSH_FIELDS = ["title_cy", "summary_cy"]
    # what an officer edits on the plan form (status changes through the lifecycle, not the form)
    EDITABLE_FIELDS = [
        "title",
        "slug",
        "kind",
        "organisation",
        "owner",
        "partnership",
        "parent",
        "start_year",
        "end_year",
        "cadence",
        "summary",
        "variance_threshold",
        "label_vision",
        "label_priority",
        "label_action",
        "label_target",
        "label_milestone",
    ]

    title = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text=gettext_lazy("Used in the plan's web address."),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plans", verbose_name=gettext_lazy("owning organisation")
    )
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="owned_plans", verbose_name=gettext_lazy("plan owner")
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=gettext_lazy("owning partnership"),
        help_text=gettext_lazy(
            "A plan the partnership's organisations own together: their plan leads change it and sign it off."
        ),
    )
    parent = TreeForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=gettext_lazy("parent plan"),
    )
    start_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=gettext_lazy("The financial year the plan starts, for example 2013 for 2013/14."),
    )
    end_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=gettext_lazy("The financial year the plan ends, for example 2015 for 2015/16."),
    )
    cadence = models.CharField(
        gettext_lazy("reporting cadence"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.QUARTERLY,
        help_text=gettext_lazy("How often its leads report progress. Schools and colleges usually report termly."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    summary = BoundedTextField(
        max_length=LONG_TEXT_LIMIT,
        blank=True,
        help_text=gettext_lazy("Markdown: use blank lines between paragraphs."),
    )
    shared_with = models.ManyToManyField(
        Organisation,
        through="PlanShare",
        blank=True,
        related_name="shared_plans",
        verbose_name=gettext_lazy("shared with"),
    )
    label_vision = models.CharField(max_length=40, default="Vision", validators=[single_line])
    label_priority = models.CharField(max_length=40, default="Priority", validators=[single_line])
    label_action = models.CharField(max_length=40, default="Action", validators=[single_line])
    label_target = models.CharField(max_length=40, default="Target", validators=[single_line])
    label_milestone = models.CharField(max_length=40, default="Milestone", validators=[single_line])
    approved_by = models.CharField(
        gettext_lazy("approving body"),
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=gettext_lazy("For example “Cabinet” or “Full Council”."),
    )
    approved_on = models.DateField(gettext_lazy("date approved"), null=True, blank=True)
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        verbose_name=gettext_lazy("revises"),
    )
    version = models.PositiveIntegerField(default=1)
    variance_threshold = models.DecimalField(
        gettext_lazy("budget variance threshold (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=gettext_lazy(
            "Scorecards flag an action whose spend to date is further than this from its budget profile "
            "to date, for example 10 for 10%. Leave empty for the council’s default."
        ),
    )
    published_at = models.DateTimeField(
        gettext_lazy("published to the public"),
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "When the owner published the plan for anyone to read; empty while it is not published."
        ),
    )
    # the plan's words in Welsh, where the council works bilingually (docs/decisions/0033):
    # shown to Welsh readers, the English shown (and marked) where there is none
    title_cy = models.CharField(gettext_lazy("title in Welsh"), max_length=200, blank=True, validators=[single_line])
    summary_cy = BoundedTextField(gettext_lazy("summary in Welsh"), max_length=LONG_TEXT_LIMIT, blank=True)
    # fewer, better plans (issue 18, decision 0031): a plan retired by merging it into another
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=gettext_lazy("merged into"),
        editable=False,
    )
    merged_reason = models.CharField(
        gettext_lazy("reason for the merger"), max_length=300, blank=True, default="", validators=[single_line]
    )

    objects = TreeManager.from_queryset(PlanQuerySet)()

    class MPTTMeta:
        order_insertion_by = ["title"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_period_in_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:plan-detail", args=[self.slug])

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return financial_year(self.start_year)
        return _("%(start)s to %(end)s") % {
            "start": financial_year(self.start_year),
            "end": financial_year(self.end_year),
        }

    @property
    def is_public(self) -> bool:
        """Readable by anyone without signing in (``PlanQuerySet.public`` says the same in SQL)."""
        return self.published_at is not None and self.status in self.PUBLISHED_STATUSES

    def label_for(self, kind: str) -> str:
        """The plan's name for a level, in the reader's language while it is the default."""
        return shown(getattr(self, f"label_{kind}"))

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The plan must end in or after the year it starts.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A plan cannot be its own parent.")})
        if self.parent_id and self.pk and self.parent.is_descendant_of(self):
            raise ValidationError({"parent": _("A plan cannot sit beneath one of its own child plans.")})


name_fields(
    Plan,
    {
        "title": gettext_lazy("title"),
        "slug": gettext_lazy("slug"),
        "kind": gettext_lazy("kind"),
        "start_year": gettext_lazy("start year"),
        "end_year": gettext_lazy("end year"),
        "status": gettext_lazy("status"),
        "summary": gettext_lazy("summary"),
        "label_vision": gettext_lazy("label vision"),
        "label_priority": gettext_lazy("label priority"),
        "label_action": gettext_lazy("label action"),
        "label_target": gettext_lazy("label target"),
        "label_milestone": gettext_lazy("label milestone"),
    },
)

track(Plan, excluded_fields=MPTT_COLUMNS)


def financial_year(start: int) -> str:
    """2013 -> "2013/14": UK financial years run April to March."""
    return f"{start}/{(start + 1) % 100:02d}"


class PlanShare(models.Model):
    """A partner organisation that may read a plan (kept as its own row so that
    sharing and unsharing have history)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plan_shares")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "organisation"], name="plan_share_once")]

    def __str__(self) -> str:
        return f"{self.plan} shared with {self.organisation}"


name_fields(
    PlanShare,
    {
        "plan": gettext_lazy("plan"),
        "organisation": gettext_lazy("organisation"),
    },
)

track(PlanShare)


class PlanItem(MPTTModel):
    """One line of a plan: its vision, a priority, an action, a target or a milestone.

    Invariants: one root (the vision) per plan; siblings are numbered 1..n by
    ``position``; each kind may only sit under the kinds in ``ALLOWED_PARENTS``.
    The reference ("2.3.1") is derived from positions when a plan is read, never stored.
    """

    class Kind(models.TextChoices):
        # a context of their own: other catalogues (Django's admin's) name an "Action" otherwise
        VISION = "vision", pgettext_lazy("level of a plan", "Vision")
        PRIORITY = "priority", pgettext_lazy("level of a plan", "Priority")
        ACTION = "action", pgettext_lazy("level of a plan", "Action")
        TARGET = "target", pgettext_lazy("level of a plan", "Target")
        MILESTONE = "milestone", pgettext_lazy("level of a plan", "Milestone")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", gettext_lazy("Not started")
        IN_PROGRESS = "in_progress", gettext_lazy("In progress")
        COMPLETE = "complete", gettext_lazy("Complete")
        DEFERRED = "deferred", gettext_lazy("Deferred")

    class CostType(models.TextChoices):
        REVENUE = "revenue", gettext_lazy("Revenue")
        CAPITAL = "capital", gettext_lazy("Capital")

    Unit = Unit
    Direction = Direction

    class TargetType(models.TextChoices):
        FLOOR = "floor", gettext_lazy("Floor (minimum)")
        ASPIRATIONAL = "aspirational", gettext_lazy("Aspirational")

    class Result(models.TextChoices):
        """What an action delivers (issue 18): a change for people, or a thing done or made."""

        OUTCOME = "outcome", gettext_lazy("Outcome")
        OUTPUT = "output", gettext_lazy("Output")

    # kind -> the kinds it may sit under (None: it is the root)
    ALLOWED_PARENTS: dict[str, set[str] | None] = {
        Kind.VISION: None,
        Kind.PRIORITY: {Kind.VISION, Kind.PRIORITY},
        Kind.ACTION: {Kind.PRIORITY, Kind.ACTION},
        Kind.TARGET: {Kind.ACTION},
        Kind.MILESTONE: {Kind.ACTION, Kind.TARGET},
    }
    COSTED_KINDS = {Kind.ACTION, Kind.MILESTONE}
    COMMON_FIELDS = ["title", "description", "status", "lead_officer", "lead_organisation", "start_date", "due_date"]
    COST_FIELDS = ["cost_amount", "cost_type", "funding_source"]
    WELSH_FIELDS = ["title_cy", "description_cy"]  # docs/decisions/0033
    # an action's evidence (issue 18): how success will be judged, and whether it is an outcome or an output
    EVIDENCE_FIELDS = ["success_criteria", "result_kind"]
    EVIDENCE_KINDS = {Kind.ACTION}
    # the kinds near-duplicates are looked for among, and that may be merged into another
    MERGEABLE_KINDS = {Kind.ACTION, Kind.TARGET}
    MEASURE_FIELDS = [
        "indicator",
        "unit",
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "direction",
        "target_type",
        "amber_tolerance",
    ]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    parent = TreeForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300, validators=[single_line])
    description = BoundedTextField(
        blank=True,
        help_text=gettext_lazy("Markdown: use blank lines between paragraphs."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    lead_officer = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_items",
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_items",
    )
    supporting_organisations = models.ManyToManyField(
        Organisation,
        through="ItemSupporter",
        blank=True,
        related_name="supported_items",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    cost_amount = models.DecimalField(
        gettext_lazy("cost (£)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cost_type = models.CharField(max_length=10, choices=CostType.choices, blank=True)
    funding_source = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=gettext_lazy("The funding stream, for example a grant."),
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    target_type = models.CharField(max_length=20, choices=TargetType.choices, blank=True)
    amber_tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=gettext_lazy("How far short of the trajectory still counts as amber, in the target's unit."),
    )
    # explicit defaults: history rows sealed before these columns existed keep their seals
    success_criteria = BoundedTextField(
        gettext_lazy("success criteria"),
        blank=True,
        default="",
        help_text=gettext_lazy(
            "How you will know it has worked: what will be different, for whom, by when. "
            "Markdown: use blank lines between paragraphs."
        ),
    )
    result_kind = models.CharField(
        gettext_lazy("outcome or output"),
        max_length=10,
        choices=Result.choices,
        blank=True,
        default="",
        help_text=gettext_lazy(
            "An outcome is a change for people (more pupils reading at their age); "
            "an output is something done or made (a reading scheme run in ten schools)."
        ),
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=gettext_lazy("merged into"),
        editable=False,
    )
    merged_reason = models.CharField(
        gettext_lazy("reason for the merger"), max_length=300, blank=True, default="", validators=[single_line]
    )
    version = models.PositiveIntegerField(default=1)
    # the item's words in Welsh (docs/decisions/0033)
    title_cy = models.CharField(gettext_lazy("title in Welsh"), max_length=300, blank=True, validators=[single_line])
    description_cy = BoundedTextField(gettext_lazy("description in Welsh"), blank=True)

    objects = TreeManager.from_queryset(PlanItemQuerySet)()

    # actions and targets of approved plans report progress every quarter (monitoring)
    MONITORED_KINDS = frozenset({Kind.ACTION, Kind.TARGET})

    class MPTTMeta:
        order_insertion_by = ["position"]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=Q(parent__isnull=True), name="one_root_per_plan"),
            models.UniqueConstraint(fields=["tree_id"], condition=Q(parent__isnull=True), name="one_root_per_tree"),
            models.CheckConstraint(condition=Q(parent__isnull=False) | Q(position=1), name="root_position_is_1"),
        ]
        # a subtree is a range of left numbers in one tree: what the roll-ups along the thread
        # read (monitoring.thread_rollup, a range per contributing subtree) and mptt's own
        # descendants; the tree alone left each range scanning its whole plan
        indexes = [models.Index(fields=["tree_id", "lft"], name="planitem_tree_lft")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:item-detail", args=[self.plan.slug, self.pk])

    @property
    def is_costed(self) -> bool:
        return self.kind in self.COSTED_KINDS

    @property
    def is_target(self) -> bool:
        return self.kind == self.Kind.TARGET

    @property
    def is_monitored(self) -> bool:
        """Does it report progress every quarter? Actions and targets of approved plans."""
        return self.kind in self.MONITORED_KINDS and self.plan.status == Plan.Status.APPROVED

    @classmethod
    def child_kinds(cls, kind: str) -> list[str]:
        """The kinds that may be added under an item of ``kind``, in reading order."""
        return [k for k in cls.Kind.values if cls.ALLOWED_PARENTS[k] and kind in cls.ALLOWED_PARENTS[k]]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_nesting(errors)
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = _("The due date must be on or after the start date.")
        if not self.is_costed:
            for name in self.COST_FIELDS:
                if getattr(self, name):
                    errors[name] = _("Only actions and milestones carry a cost, not %(a_kind)s.") % {
                        "a_kind": with_article(self.get_kind_display().lower())
                    }
        elif self.cost_amount is not None and not self.cost_type:
            errors["cost_type"] = _("Say whether the cost is revenue or capital.")
        if self.is_target:
            self._check_measure(errors)
        else:
            for name in self.MEASURE_FIELDS:
                if getattr(self, name + "_id" if name == "indicator" else name):
                    errors[name] = _("Only targets carry a measure.")
        if self.kind not in self.EVIDENCE_KINDS:
            for name in self.EVIDENCE_FIELDS:
                if getattr(self, name):
                    errors[name] = gettext("Only actions carry success criteria and an outcome or output mark.")
        if errors:
            raise ValidationError(errors)

    def _check_nesting(self, errors: dict[str, str]) -> None:
        allowed = self.ALLOWED_PARENTS.get(self.kind)
        if self.parent_id is None:
            if allowed is not None:
                errors["parent"] = sentence(
                    _("%(a_kind)s must sit under another item.")
                    % {"a_kind": with_article(self.get_kind_display().lower())}
                )
            return
        parent = self.parent
        if allowed is None:
            errors["kind"] = _("Only a plan's vision sits at the top; it cannot go under another item.")
        elif parent.kind not in allowed:
            names = get_text_list(sorted(str(self.Kind(k).label).lower() for k in allowed), _("or"))
            errors["parent"] = sentence(
                _("%(a_kind)s cannot go under %(a_parent)s; it goes under %(a_allowed)s.")
                % {
                    "a_kind": with_article(self.get_kind_display().lower()),
                    "a_parent": with_article(parent.get_kind_display().lower()),
                    "a_allowed": with_article(names),
                }
            )
        if parent.plan_id != self.plan_id:
            errors["parent"] = _("The parent item belongs to another plan.")

    def _check_measure(self, errors: dict[str, str]) -> None:
        for name in ("unit", "direction"):
            if not getattr(self, name):
                errors[name] = _("A target needs a unit.") if name == "unit" else _("A target needs a direction.")
        if self.target_value is None:
            errors["target_value"] = _("A target needs a target value.")
        if self.unit == self.Unit.PERCENTAGE:
            for name in ("baseline_value", "target_value"):
                value = getattr(self, name)
                if value is not None and not (0 <= value <= 100):
                    errors[name] = _("A percentage must be between 0 and 100.")
        if self.unit == self.Unit.COUNT:
            for name in ("baseline_value", "target_value"):
                value = getattr(self, name)
                if value is not None and (value < 0 or value != value.to_integral_value()):
                    errors[name] = _("A count must be a whole number, 0 or more.")
        if self.baseline_date and self.target_date and self.target_date < self.baseline_date:
            errors["target_date"] = _("The target date must be after the baseline date.")


name_fields(
    PlanItem,
    {
        "plan": gettext_lazy("plan"),
        "parent": gettext_lazy("parent"),
        "kind": gettext_lazy("kind"),
        "title": gettext_lazy("title"),
        "description": gettext_lazy("description"),
        "status": gettext_lazy("status"),
        "lead_officer": gettext_lazy("lead officer"),
        "lead_organisation": gettext_lazy("lead organisation"),
        "supporting_organisations": gettext_lazy("supporting organisations"),
        "start_date": gettext_lazy("start date"),
        "due_date": gettext_lazy("due date"),
        "cost_type": gettext_lazy("cost type"),
        "funding_source": gettext_lazy("funding source"),
        "indicator": gettext_lazy("indicator"),
        "unit": gettext_lazy("unit"),
        "baseline_value": gettext_lazy("baseline value"),
        "baseline_date": gettext_lazy("baseline date"),
        "target_value": gettext_lazy("target value"),
        "target_date": gettext_lazy("target date"),
        "direction": gettext_lazy("direction"),
        "target_type": gettext_lazy("target type"),
        "amber_tolerance": gettext_lazy("amber tolerance"),
    },
)

track(PlanItem, excluded_fields=MPTT_COLUMNS)


class BudgetLine(models.Model):
    """One line of an action's budget profile: what it is budgeted in one financial year,
    revenue or capital, from one funding source (one line per year, type and source).
    Where an action has lines they are its cost in every costs table, in place of its
    single cost (``planning.budgets.cost_lines``, decision 0023)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(
        gettext_lazy("financial year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=gettext_lazy("The year it starts, for example 2014 for 2014/15."),
    )
    cost_type = models.CharField(gettext_lazy("revenue or capital"), max_length=10, choices=PlanItem.CostType.choices)
    funding_source = models.CharField(
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=gettext_lazy("The funding stream, for example a grant."),
    )
    amount = models.DecimalField(
        gettext_lazy("amount (£)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "year", "cost_type", "funding_source"], name="budget_line_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.year} {self.cost_type} {self.funding_source} {self.amount}"

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()

    @property
    def year_label(self) -> str:
        return financial_year(self.year)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        item = self.item
        if item.kind != PlanItem.Kind.ACTION:
            errors["item"] = _("Only actions carry a budget profile, not %(a_kind)s.") % {
                "a_kind": with_article(item.get_kind_display().lower())
            }
        plan = item.plan
        if self.year is not None and not (plan.start_year <= self.year <= plan.end_year):
            errors["year"] = _("The plan runs %(period)s: choose a year within it.") % {"period": plan.period}
        if errors:
            raise ValidationError(errors)


name_fields(
    BudgetLine,
    {
        "item": gettext_lazy("item"),
        "funding_source": gettext_lazy("funding source"),
    },
)

track(BudgetLine)


class ItemSupporter(models.Model):
    """An organisation supporting an item (its own row, so that changes have history)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="supporters")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="item_supports")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "organisation"], name="item_supporter_once")]

    def __str__(self) -> str:
        return f"{self.organisation} supports {self.item}"


name_fields(
    ItemSupporter,
    {
        "item": gettext_lazy("item"),
        "organisation": gettext_lazy("organisation"),
    },
)

track(ItemSupporter)


class Link(models.Model):
    """A line of the golden thread: one item contributes to, depends on, measures the same
    indicator as, or supersedes another, in the same plan or any other."""

    class Relation(models.TextChoices):
        CONTRIBUTES_TO = "contributes_to", gettext_lazy("contributes to")
        DEPENDS_ON = "depends_on", gettext_lazy("depends on")
        SAME_INDICATOR = "same_indicator", gettext_lazy("measures the same indicator as")
        SUPERSEDES = "supersedes", gettext_lazy("supersedes")

    # how the relation reads from the other end, on the target's page
    INVERSE_LABELS = {
        Relation.CONTRIBUTES_TO: gettext_lazy("is contributed to by"),
        Relation.DEPENDS_ON: gettext_lazy("is depended on by"),
        Relation.SAME_INDICATOR: gettext_lazy("measures the same indicator as"),
        Relation.SUPERSEDES: gettext_lazy("is superseded by"),
    }

    source = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices, default=Relation.CONTRIBUTES_TO)
    note = models.CharField(max_length=300, blank=True, validators=[single_line])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relation"], name="link_once"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_relation_display()} {self.target}"

    def clean(self) -> None:
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": _("An item cannot link to itself.")})


name_fields(
    Link,
    {
        "source": gettext_lazy("source"),
        "target": gettext_lazy("target"),
        "relation": gettext_lazy("relation"),
        "note": gettext_lazy("note"),
    },
)

track(Link)


# --- the needs assessment: a plan's evidence base (issue 18, decision 0031) ------------------


class EvidenceSource(models.Model):
    """A document or a set of data in a plan's needs assessment: what its findings rest on."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", gettext_lazy("Document")
        DATA = "data", gettext_lazy("Data")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evidence_sources")
    kind = models.CharField(gettext_lazy("kind"), max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(gettext_lazy("title"), max_length=300, validators=[single_line])
    url = models.URLField(
        gettext_lazy("web address"),
        max_length=500,
        blank=True,
        default="",
        help_text=gettext_lazy("Optional. Where the document or data can be read, starting https://."),
    )
    note = BoundedTextField(
        gettext_lazy("note"),
        max_length=NOTE_LIMIT,
        blank=True,
        default="",
        help_text=gettext_lazy("Optional. Who produced it, when, and what it covers."),
    )

    class Meta:
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title


track(EvidenceSource)


class Finding(models.Model):
    """A numbered finding of a plan's needs assessment, with the source it comes from."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField(gettext_lazy("number"), validators=[MinValueValidator(1)])
    text = BoundedTextField(
        gettext_lazy("finding"), help_text=gettext_lazy("Markdown: what the evidence shows, in a sentence or two.")
    )
    source = models.ForeignKey(
        EvidenceSource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        verbose_name=gettext_lazy("source"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="finding_number_once_per_plan")]

    def __str__(self) -> str:
        return gettext("Finding %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("planning:needs-assessment", args=[self.plan.slug]) + f"#finding-{self.number}"

    def clean(self) -> None:
        if self.source_id and self.source.plan_id != self.plan_id:
            raise ValidationError({"source": gettext("Choose a source from this plan's needs assessment.")})


track(Finding)


class PriorityFinding(models.Model):
    """A priority linked to a finding that justifies it (its own row: linking and unlinking
    have history)."""

    priority = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="finding_links")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="priority_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "finding"], name="priority_finding_once")]

    def __str__(self) -> str:
        return f"{self.priority} ← {self.finding}"


track(PriorityFinding)


class Theme(models.Model):
    """A cross-cutting theme, national or local ("Narrowing the gap", "Welsh language"),
    defined by an administrator; items in any plan are tagged with it (``ItemTheme``), and
    its page rolls up what is tagged like a priority (issue 17, decision 0025). The slug
    is made once, from the first name, so that links to the page survive a rename."""

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    slug = models.SlugField(max_length=80, unique=True)
    description = BoundedTextField(
        blank=True,
        help_text=gettext_lazy("Markdown: what the theme is and why it matters here."),
    )
    version = models.PositiveIntegerField(default=1)

    EDITABLE_FIELDS = ["name", "description"]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("monitoring:theme-detail", args=[self.slug])


name_fields(
    Theme,
    {
        "name": gettext_lazy("name"),
        "slug": gettext_lazy("slug"),
        "description": gettext_lazy("description"),
    },
)

track(Theme)


class ItemTheme(models.Model):
    """An item tagged with a theme (its own row, so that tagging and untagging have history)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="theme_tags")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="tags")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "theme"], name="item_theme_once")]

    def __str__(self) -> str:
        return f"{self.item} tagged {self.theme}"


name_fields(
    ItemTheme,
    {
        "item": gettext_lazy("item"),
        "theme": gettext_lazy("theme"),
    },
)

track(ItemTheme)


class Edition(models.Model):
    """A named moment in a plan's life ("Approved by Cabinet, 18 March 2013"). The plan as
    it stood then is rebuilt from history, so an edition stores only the moment."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="editions")
    name = models.CharField(max_length=200, validators=[single_line])
    moment = models.DateTimeField()
    note = BoundedTextField(max_length=NOTE_LIMIT, blank=True)
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-moment"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="edition_name_once_per_plan")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:plan-as-of", args=[self.plan.slug]) + f"?edition={self.pk}"


name_fields(
    Edition,
    {
        "plan": gettext_lazy("plan"),
        "name": gettext_lazy("name"),
        "moment": gettext_lazy("moment"),
        "note": gettext_lazy("note"),
        "created_by": gettext_lazy("created by"),
    },
)

track(Edition)


class Consultation(models.Model):
    """A window in which invited partner organisations and elected members read a draft
    and comment on it. Only one consultation per plan is open at a time."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="consultations")
    opens_on = models.DateField()
    closes_on = models.DateField()
    note = BoundedTextField(
        gettext_lazy("covering note"), blank=True, help_text=gettext_lazy("Markdown: what you would like comments on.")
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    organisations = models.ManyToManyField(
        Organisation,
        through="ConsultationInvite",
        blank=True,
        related_name="consultations",
    )
    members = models.ManyToManyField(
        User,
        through="ConsultationMember",
        blank=True,
        related_name="consultations",
    )
    is_public = models.BooleanField(
        gettext_lazy("open to the public"),
        default=False,
        help_text=gettext_lazy(
            "Anyone can read the draft and respond, without signing in; responses are moderated "
            "before they are shown (issue 16)."
        ),
    )

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="consultation_dates_in_order")
        ]

    def __str__(self) -> str:
        return f"Consultation on {self.plan}"

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The consultation must close on or after the day it opens.")})

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on


name_fields(
    Consultation,
    {
        "plan": gettext_lazy("plan"),
        "opens_on": gettext_lazy("opens on"),
        "closes_on": gettext_lazy("closes on"),
        "created_by": gettext_lazy("created by"),
        "organisations": gettext_lazy("organisations"),
        "members": gettext_lazy("members"),
    },
)

track(Consultation)


class ConsultationInvite(models.Model):
    """A partner organisation invited to a consultation (its own row, so it has history)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invites")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "organisation"], name="invite_org_once")]

    def __str__(self) -> str:
        return f"{self.organisation} invited to {self.consultation}"


name_fields(
    ConsultationInvite,
    {
        "consultation": gettext_lazy("consultation"),
        "organisation": gettext_lazy("organisation"),
    },
)

track(ConsultationInvite)


class ConsultationMember(models.Model):
    """An elected member invited to a consultation (pre-scrutiny)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="member_invites")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "member"], name="invite_member_once")]

    def __str__(self) -> str:
        return f"{self.member} invited to {self.consultation}"


name_fields(
    ConsultationMember,
    {
        "consultation": gettext_lazy("consultation"),
        "member": gettext_lazy("member"),
    },
)

track(ConsultationMember)


class Comment(models.Model):
    """A comment on a plan as a whole or on one item, in a thread, with the officer's
    response and what became of it. The item's title is kept so that a comment on an
    item later deleted still reads sensibly."""

    class State(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        ANSWERED = "answered", gettext_lazy("Answered")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        DECLINED = "declined", gettext_lazy("Declined")

    class Kind(models.TextChoices):
        COMMENT = "comment", gettext_lazy("Comment")
        SUGGESTION = "suggestion", gettext_lazy("Suggested change")

    UNANSWERED = {State.OPEN}
    # the kinds of item a suggestion may propose: a target needs a measure, which is an
    # officer's to set, so a new target is suggested in words (decision 0015)
    SUGGESTED_KINDS = {PlanItem.Kind.PRIORITY, PlanItem.Kind.ACTION, PlanItem.Kind.MILESTONE}

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    consultation = models.ForeignKey(
        Consultation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    item = models.ForeignKey(
        PlanItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    item_title = models.CharField(max_length=300, blank=True, validators=[single_line])
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    # empty only for a response from a member of the public, approved by a moderator
    # (public.models.PublicResponse, decision 0020): ``public_name`` says who then
    author = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    public_name = models.CharField(gettext_lazy("name"), max_length=200, blank=True, validators=[single_line])
    public_organisation = models.CharField(
        gettext_lazy("organisation"), max_length=200, blank=True, validators=[single_line]
    )
    name_public = models.BooleanField(
        gettext_lazy("may publish my name"),
        default=False,
        help_text=gettext_lazy(
            "The commenter agreed that their name may be shown with the comment on the public pages."
        ),
    )
    body = BoundedTextField(
        gettext_lazy("comment"), help_text=gettext_lazy("Markdown: use blank lines between paragraphs.")
    )
    created_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    response = BoundedTextField(blank=True)
    responded_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    change_history_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The history row of the item change made in reply to this comment."),
    )
    version = models.PositiveIntegerField(default=1)
    # A suggested change (issue 15) is a thread's opening comment that proposes wording: new
    # wording for ``item`` or, with ``proposed_kind``, a new item under ``item``. Accepting
    # it makes the change; ``change_history_id`` points at the history row written.
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    proposed_kind = models.CharField(
        gettext_lazy("kind of new item"), max_length=20, choices=PlanItem.Kind.choices, blank=True
    )
    proposed_title = models.CharField(
        gettext_lazy("proposed title"), max_length=300, blank=True, validators=[single_line]
    )
    proposed_description = BoundedTextField(gettext_lazy("proposed description"), blank=True)
    item_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The item's version when the suggestion was made (new wording only)."),
    )
    accepted_with_changes = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(author__isnull=False) | ~Q(public_name=""), name="comment_has_an_author")
        ]

    def __str__(self) -> str:
        what = "Suggestion" if self.is_suggestion else "Comment"
        return f"{what} by {self.author_name} on {self.item_title or self.plan}"

    @property
    def is_from_public(self) -> bool:
        return self.author_id is None

    @property
    def author_name(self) -> str:
        """Who wrote it, as people in the app see it (the public pages follow ``name_public``)."""
        if self.author_id is not None:
            return str(self.author)
        return _("%(name)s (member of the public)") % {"name": self.public_name}

    @property
    def is_suggestion(self) -> bool:
        return self.kind == self.Kind.SUGGESTION

    @property
    def suggests_new_item(self) -> bool:
        return self.is_suggestion and bool(self.proposed_kind)

    @property
    def changes_title(self) -> bool:
        """Does the suggested wording change the item's title as it is now?"""
        return self.item is None or self.proposed_title.strip() != self.item.title.strip()

    @property
    def changes_description(self) -> bool:
        """...its description? Line endings aside: a browser sends a text box's as CRLF."""
        return self.item is None or _lines(self.proposed_description) != _lines(self.item.description)


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


name_fields(
    Comment,
    {
        "plan": gettext_lazy("plan"),
        "consultation": gettext_lazy("consultation"),
        "item": gettext_lazy("item"),
        "item_title": gettext_lazy("item title"),
        "parent": gettext_lazy("parent"),
        "author": gettext_lazy("author"),
        "organisation": gettext_lazy("organisation"),
        "created_at": gettext_lazy("created at"),
        "state": gettext_lazy("state"),
        "response": gettext_lazy("response"),
        "responded_by": gettext_lazy("responded by"),
        "responded_at": gettext_lazy("responded at"),
        "kind": gettext_lazy("kind"),
        "item_version": gettext_lazy("item version"),
        "accepted_with_changes": gettext_lazy("accepted with changes"),
    },
)

track(Comment)


class DraftingGroup(models.Model):
    """People from any organisations who write one part of a draft plan: a priority and
    everything under it. While the plan is a draft, members add, edit, move and delete the
    items in their part, and only there (``planning.rules.can_draft_item``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="drafting_groups")
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.CASCADE,
        related_name="drafting_groups",
        verbose_name=gettext_lazy("part of the plan"),
    )
    name = models.CharField(max_length=200, validators=[single_line])
    members = models.ManyToManyField(
        User,
        through="DraftingGroupMember",
        blank=True,
        related_name="drafting_groups",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["item"], name="one_drafting_group_per_part")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.item_id and self.plan_id and self.item.plan_id != self.plan_id:
            raise ValidationError({"item": _("Choose a part of this plan.")})
        if self.item_id and self.item.kind != PlanItem.Kind.PRIORITY:
            raise ValidationError({"item": _("A drafting group writes a priority and everything under it.")})


name_fields(
    DraftingGroup,
    {
        "plan": gettext_lazy("plan"),
        "name": gettext_lazy("name"),
        "members": gettext_lazy("members"),
    },
)

track(DraftingGroup)


class DraftingGroupMember(models.Model):
    """A person in a drafting group (its own row: joining and removal have history)."""

    group = models.ForeignKey(DraftingGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="drafting_memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="drafting_member_once")]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}"


name_fields(
    DraftingGroupMember,
    {
        "group": gettext_lazy("group"),
        "person": gettext_lazy("person"),
    },
)

track(DraftingGroupMember)


class SignOff(models.Model):
    """One owning organisation's agreement to a partnership plan, given by its plan lead
    before the approving body decides: who, when, and any condition. A sign-off withdrawn
    while the plan is a draft keeps its row, with who withdrew it, when and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sign_offs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    condition = BoundedTextField(
        max_length=NOTE_LIMIT,
        blank=True,
        help_text=gettext_lazy("Any condition your organisation attaches to its agreement."),
    )
    withdrawn_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = BoundedTextField(max_length=NOTE_LIMIT, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"], condition=Q(withdrawn_at__isnull=True), name="one_sign_off_standing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed off {self.plan}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None


name_fields(
    SignOff,
    {
        "plan": gettext_lazy("plan"),
        "organisation": gettext_lazy("organisation"),
        "signed_by": gettext_lazy("signed by"),
        "signed_at": gettext_lazy("signed at"),
        "condition": gettext_lazy("condition"),
        "withdrawn_by": gettext_lazy("withdrawn by"),
        "withdrawn_at": gettext_lazy("withdrawn at"),
        "withdrawal_reason": gettext_lazy("withdrawal reason"),
    },
)

track(SignOff)


class PlanImport(models.Model):
    """A plan file an admin uploaded in the browser (the loader's JSON or the plan export's
    spreadsheet), kept with its preview until they apply it or leave it. The file's bytes
    are kept so that applying checks exactly what was previewed again; ``preview`` holds
    what it would create, change and remove, every problem, and the stamp of each plan it
    read, which applying compares to refuse a preview the plan has since outdated
    (planning.importing, docs/decisions/0019-import-in-the-browser.md)."""

    class Kind(models.TextChoices):
        JSON = "json", gettext_lazy("Plan file (JSON)")
        SHEET = "xlsx", gettext_lazy("Plan spreadsheet (Excel)")

    uploaded_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    plan_slug = models.SlugField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy("The plan a spreadsheet updates."),
    )
    content = models.BinaryField()
    preview = models.JSONField(default=dict)
    applied_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.filename


name_fields(
    PlanImport,
    {
        "uploaded_by": gettext_lazy("uploaded by"),
        "filename": gettext_lazy("filename"),
        "kind": gettext_lazy("kind"),
        "plan_slug": gettext_lazy("plan slug"),
    },
)


# --- self-evaluation and equality impact (issue 18, decision 0032) ------------------------------


class EvaluationFramework(models.Model):
    """A scale that priorities are judged against in self-evaluation, defined by an
    administrator (Django admin) with its levels in order, best first. One framework is in
    use at a time: the one judgements are recorded against; a framework no longer in use keeps
    its levels, so past judgements still read as they were made. Estyn's four-point scale is
    shipped by a data migration."""

    name = models.CharField(gettext_lazy("name"), max_length=200, unique=True, validators=[single_line])
    description = BoundedTextField(gettext_lazy("description"), blank=True)
    in_use = models.BooleanField(
        gettext_lazy("in use"),
        default=False,
        help_text=gettext_lazy("Judgements are recorded against the framework in use (only one)."),
    )

    class Meta:
        verbose_name = gettext_lazy("self-evaluation framework")
        verbose_name_plural = gettext_lazy("self-evaluation frameworks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["in_use"], condition=Q(in_use=True), name="one_framework_in_use")
        ]

    def __str__(self) -> str:
        return self.name


track(EvaluationFramework)


class EvaluationLevel(models.Model):
    """One point of a framework's scale ("Good"); ``position`` 1 is the best."""

    framework = models.ForeignKey(EvaluationFramework, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(gettext_lazy("position"), validators=[MinValueValidator(1)])
    name = models.CharField(gettext_lazy("name"), max_length=200, validators=[single_line])
    description = BoundedTextField(gettext_lazy("description"), max_length=NOTE_LIMIT, blank=True)

    class Meta:
        verbose_name = gettext_lazy("level")
        verbose_name_plural = gettext_lazy("levels")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "position"], name="level_position_once"),
            models.UniqueConstraint(fields=["framework", "name"], name="level_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


track(EvaluationLevel)


class SelfEvaluation(models.Model):
    """A priority's self-evaluation for one financial year: a level of the framework in use,
    strengths, areas for improvement and evidence. Judgements are added, never edited: the
    priority's history of judgements is its rows, newest first (a second judgement for the
    same year revises the first, which stays in the history)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="self_evaluations")
    year = models.PositiveSmallIntegerField(
        gettext_lazy("financial year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=gettext_lazy("The financial year judged, by the year it starts: 2025 for 2025/26."),
    )
    level = models.ForeignKey(
        EvaluationLevel, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("judgement")
    )
    strengths = BoundedTextField(gettext_lazy("strengths"), blank=True)
    areas_for_improvement = BoundedTextField(gettext_lazy("areas for improvement"), blank=True)
    evidence = BoundedTextField(
        gettext_lazy("evidence"),
        blank=True,
        help_text=gettext_lazy("Markdown: what the judgement rests on, with links to documents."),
    )
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item} {financial_year(self.year)}: {self.level}"

    @property
    def year_label(self) -> str:
        return financial_year(self.year)


track(SelfEvaluation)


class CarriedEvaluation(models.Model):
    """A priority of a revised draft and the self-evaluation it carries from the plan it was
    revised from (the source priority's latest when the plan was revised), so that last year's
    judgement and its areas for improvement are in front of those writing next year's plan."""

    item = models.OneToOneField(PlanItem, on_delete=models.CASCADE, related_name="carried_evaluation")
    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.PROTECT, related_name="carried_to")

    def __str__(self) -> str:
        return f"{self.item} carries {self.evaluation}"


track(CarriedEvaluation)


class EqualityImpactAssessment(models.Model):
    """A plan's equality impact screening: for each protected characteristic of the Equality
    Act 2010, the Welsh language and the socio-economic duty (``EqualityImpact`` rows), the
    impact and its mitigation; an overall conclusion; who screened it and when. Kept in
    history, so an edition shows it as it stood then."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="equality_assessment")
    conclusion = BoundedTextField(gettext_lazy("overall conclusion"), blank=True)
    screened_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("screened by"),
    )
    screened_on = models.DateField(gettext_lazy("date screened"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Equality impact assessment of {self.plan}"


track(EqualityImpactAssessment)


class EqualityImpact(models.Model):
    """One line of a screening: the impact on one characteristic and its mitigation."""

    class Characteristic(models.TextChoices):
        AGE = "age", gettext_lazy("Age")
        DISABILITY = "disability", gettext_lazy("Disability")
        GENDER_REASSIGNMENT = "gender_reassignment", gettext_lazy("Gender reassignment")
        MARRIAGE = "marriage", gettext_lazy("Marriage and civil partnership")
        PREGNANCY = "pregnancy", gettext_lazy("Pregnancy and maternity")
        RACE = "race", gettext_lazy("Race")
        RELIGION = "religion", gettext_lazy("Religion or belief")
        SEX = "sex", gettext_lazy("Sex")
        SEXUAL_ORIENTATION = "sexual_orientation", gettext_lazy("Sexual orientation")
        WELSH_LANGUAGE = "welsh_language", gettext_lazy("Welsh language")
        SOCIO_ECONOMIC = "socio_economic", gettext_lazy("Socio-economic disadvantage")

    class Impact(models.TextChoices):
        POSITIVE = "positive", gettext_lazy("Positive")
        NEUTRAL = "neutral", gettext_lazy("Neutral")
        NEGATIVE = "negative", gettext_lazy("Negative")
        NOT_KNOWN = "not_known", gettext_lazy("Not known")

    assessment = models.ForeignKey(EqualityImpactAssessment, on_delete=models.CASCADE, related_name="impacts")
    characteristic = models.CharField(max_length=30, choices=Characteristic.choices)
    impact = models.CharField(gettext_lazy("impact"), max_length=20, choices=Impact.choices, blank=True, default="")
    mitigation = BoundedTextField(gettext_lazy("mitigation"), max_length=NOTE_LIMIT, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "characteristic"], name="impact_once_per_characteristic")
        ]

    def __str__(self) -> str:
        return f"{self.get_characteristic_display()}: {self.get_impact_display() or '-'}"


track(EqualityImpact)
