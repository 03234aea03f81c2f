"""Who: organisations (the council's own structure and its partner bodies), people, the
invitations that bring people in and the email domains single sign-on recognises."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from config.history import track
from config.history_seal import SealedHistory
from config.text import NOTE_LIMIT, BoundedTextField, single_line

MPTT_COLUMNS = ["lft", "rght", "tree_id", "level"]


class TreeOrderQuerySet(TreeQuerySet):
    """Reads of a tree model (organisations, plans, plan items) in the tree's order."""

    def in_tree_order(self):
        """Tree by tree, each depth-first: a plan's items in reading order, organisations and
        plans each under their parent. django-mptt orders so only through its manager's
        default, which a later ``order_by`` or ``annotate`` loses; this says it."""
        return self.order_by("tree_id", "lft")


class Organisation(MPTTModel):
    """A council, one of its directorates or services, or a partner body.

    The council's own structure is a tree (council > directorate > service), so an
    officer of a directorate may change the plans of every service beneath it.
    """

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        DIRECTORATE = "directorate", "Directorate"
        SERVICE = "service", "Service"
        SCHOOL = "school", "School"
        COLLEGE = "college", "College"
        HEALTH = "health", "Health body"
        POLICE = "police", "Police"
        LSC = "lsc", "Learning and Skills Council"
        CONNEXIONS = "connexions", "Connexions"
        VOLUNTARY = "voluntary", "Voluntary body"
        OTHER = "other", "Other partner"

    COUNCIL_KINDS = {Kind.COUNCIL, Kind.DIRECTORATE, Kind.SERVICE}

    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(default=True)
    # off: its people sign in only through single sign-on (partners/sign_on.py); the password
    # form refuses them (config/auth_backend.py)
    password_sign_in = models.BooleanField(default=True)

    objects = TreeManager.from_queryset(TreeOrderQuerySet)()

    class MPTTMeta:
        order_insertion_by = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_council(self) -> bool:
        return self.kind in self.COUNCIL_KINDS


track(Organisation, excluded_fields=MPTT_COLUMNS)


class User(AbstractUser):
    """A person who signs in. Their role decides what they may read; their
    organisation decides which plans they may change."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Council officer"
        PARTNER = "partner", "Partner"
        MEMBER = "member", "Elected member"
        ADMIN = "admin", "Administrator"

    # Django's, with the rule every single-line field has (config.text): names are shown to everyone
    first_name = models.CharField("first name", max_length=150, blank=True, validators=[single_line])
    last_name = models.CharField("last name", max_length=150, blank=True, validators=[single_line])
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True, validators=[single_line])
    # the interface's language this person chose (docs/decisions/0029); blank: their browser's
    language = models.CharField(
        max_length=10, blank=True, choices=settings.LANGUAGES, help_text="Blank: the browser's language."
    )
    # sealed like every other history (config.history.track)
    history = HistoricalRecords(excluded_fields=["password", "last_login"], bases=[SealedHistory])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_council_staff(self) -> bool:
        return self.role in {self.Role.OFFICER, self.Role.ADMIN}


class Partnership(models.Model):
    """A named body of several organisations that owns plans together: a Local Service
    Board, a Children and Young People's Partnership. Each member organisation names the
    people who lead its part in the partnership's plans (``PartnershipLead``): they read and
    change those plans and sign them off for their organisation (issue 15)."""

    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=100, unique=True)
    description = BoundedTextField(max_length=NOTE_LIMIT, blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="PartnershipMember", blank=True, related_name="partnerships"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


track(Partnership)


class PartnershipMember(models.Model):
    """An organisation in a partnership (its own row, so joining and leaving have history)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnership_memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "organisation"], name="partnership_member_once")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.partnership}"


track(PartnershipMember)


class PartnershipLead(models.Model):
    """A named plan lead: a person who speaks for their organisation in the partnership's
    plans. The organisation is stored with the lead, so a lead who later moves to another
    organisation no longer signs for the one they left (``is_current``)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="leads")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="partnership_leads")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "person"], name="partnership_lead_once")]

    def __str__(self) -> str:
        return f"{self.person} leads for {self.organisation} in {self.partnership}"


track(PartnershipLead)


class Notification(models.Model):
    """An outbox row: written in the same transaction as the change it reports, shown in
    the app at once and emailed after commit. A failed send stays pending (``sent_at`` is
    empty) for ``send_notifications`` to retry, so nothing is lost or sent twice.

    Not history-tracked: it is a delivery record, not plan content."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notification_pending")]

    def __str__(self) -> str:
        return self.subject


def token_hash(token: str) -> str:
    """What is stored of a link's secret: its SHA-256, so a copy of the database opens no
    invitation. The token is 32 random bytes, so a plain hash is enough (no salt, no
    stretching: nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation for one email address to join with an organisation and a role.

    Only a hash of the link's token is kept (``token_hash``). A link is good once, until
    ``expires_at``; sending a fresh link replaces the token (the old link stops working).
    Accepting it creates the person (``user``) and stamps ``used_at``, in one transaction."""

    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True, validators=[single_line])
    last_name = models.CharField(max_length=150, blank=True, validators=[single_line])
    job_title = models.CharField(max_length=200, blank=True, validators=[single_line])
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=User.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    times_sent = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # one invitation waiting per address: inviting again replaces it
            models.UniqueConstraint(
                fields=["email"], condition=models.Q(used_at__isnull=True), name="one_waiting_invitation_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email


track(Invitation, excluded_fields=["token_hash"])


class OrganisationDomain(models.Model):
    """An email domain an administrator has mapped to an organisation: someone signing in
    through single sign-on with a verified address at this domain and no account yet is
    added to that organisation with ``role``. Without a mapping (or an invitation) nobody
    is created."""

    domain = models.CharField(
        max_length=253,
        unique=True,
        error_messages={"unique": "This domain is mapped already: each domain belongs to one organisation."},
        validators=[
            single_line,
            RegexValidator(
                r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                "Enter a domain such as northmoor.gov.uk: lower-case letters, numbers, hyphens and dots.",
            ),
        ],
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="domains")
    role = models.CharField(max_length=20, choices=User.Role.choices)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


track(OrganisationDomain)
