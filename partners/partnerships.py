"""Writes for partnerships (issue 15): an administrator names the body, the organisations
in it and each organisation's plan leads. Joining, leaving and every lead named or dropped
is a row of its own, so each has its history; a lead is named for the organisation they
are at, and must be at one of the partnership's organisations."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.history import change_context
from partners.models import Organisation, Partnership, PartnershipLead, PartnershipMember, User


def lead_people(emails: Iterable[str], organisations: Iterable[Organisation]) -> list[User]:
    """The people named one email address per line, each active and at one of
    ``organisations``; every problem is named with its line, and nothing is written."""
    allowed = {org.pk for org in organisations}
    people, problems = [], []
    for number, line in enumerate(emails, start=1):
        address = line.strip()
        if not address:
            continue
        found = list(User.objects.filter(email__iexact=address, is_active=True).select_related("organisation")[:2])
        if len(found) != 1:
            problems.append(
                _("Line %(number)s: nobody active has the address %(address)s.")
                % {"number": number, "address": address}
                if not found
                else _("Line %(number)s: more than one person has the address %(address)s.")
                % {"number": number, "address": address}
            )
        elif found[0].organisation_id not in allowed:
            if found[0].organisation is None:
                problem = _("Line %(number)s: %(person)s is at no organisation, which is not in the partnership.")
            else:
                problem = _("Line %(number)s: %(person)s is at %(organisation)s, which is not in the partnership.")
            problems.append(problem % {"number": number, "person": found[0], "organisation": found[0].organisation})
        elif found[0] not in people:
            people.append(found[0])
    if problems:
        raise ValidationError({"leads": problems})
    return people


@transaction.atomic
def partnership_save(
    *, partnership: Partnership, user: User, organisations: Iterable[Organisation], leads: Iterable[User]
) -> Partnership:
    """Save the partnership with exactly these organisations and plan leads."""
    organisations, leads = list(organisations), list(leads)
    if len(organisations) < 2:
        raise ValidationError({"organisations": _("A partnership is made of at least two organisations.")})
    with change_context(reason="Partnership saved", user=user):
        partnership.full_clean()
        partnership.save()
        wanted = {org.pk for org in organisations}
        for row in PartnershipLead.objects.filter(partnership=partnership):
            if row.person_id not in {person.pk for person in leads} or row.organisation_id not in wanted:
                row.delete()
        for row in PartnershipMember.objects.filter(partnership=partnership):
            if row.organisation_id not in wanted:
                row.delete()
        present = set(
            PartnershipMember.objects.filter(partnership=partnership).values_list("organisation_id", flat=True)
        )
        for org_id in sorted(wanted - present):
            PartnershipMember.objects.create(partnership=partnership, organisation_id=org_id)
        named = set(PartnershipLead.objects.filter(partnership=partnership).values_list("person_id", flat=True))
        for person in leads:
            if person.pk not in named:
                PartnershipLead.objects.create(
                    partnership=partnership, person=person, organisation_id=person.organisation_id
                )
    return partnership
