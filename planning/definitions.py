"""Writes to the council's shared definitions (issue 17, decision 0025): cross-cutting
themes, which administrators define, the tags that put plan items under them, and the
indicators officers define for targets in every plan to share.

Each write records who made it and why (``config.history.change_context``); an edit names
the version its editor loaded and is refused (``EditConflict``) if the row moved on since.
Tagging is a write to the item's plan, so it takes the plan's lock (``plan_write``) and is
allowed to whoever may change that plan, checked here under the lock as well as in the view.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from config.history import change_context
from partners.models import User
from planning.access import can
from planning.conflicts import check_version
from planning.models import Indicator, ItemTheme, PlanItem, Theme
from planning.services import plan_write

TAG_REFUSED = gettext_lazy("Only those who may change this item’s plan can tag it with themes.")


def _save(row: models.Model, *, fields: dict, names: list[str], expected_version: int | None, user, reason: str):
    """Create ``row`` (no pk) or store ``fields`` over the stored row, read under its lock."""
    model = type(row)
    if row.pk:
        stored = model.objects.select_for_update().get(pk=row.pk)
        check_version(stored, expected_version if expected_version is not None else stored.version)
        stored.version += 1
    else:
        stored = row
    for name in names:
        if name in fields:
            setattr(stored, name, fields[name])
    stored.full_clean()
    with change_context(reason=reason, user=user):
        stored.save()
    return stored


@transaction.atomic
def theme_save(
    *, theme: Theme, user: User | None, fields: dict, expected_version: int | None = None, reason: str = ""
) -> Theme:
    """Define a theme (``theme`` unsaved) or change its name and description. The slug is
    made from the first name and kept, so links to the theme's page survive a rename."""
    if not theme.pk:
        theme.slug = _free_slug(fields.get("name", ""))
    return _save(
        theme,
        fields=fields,
        names=Theme.EDITABLE_FIELDS,
        expected_version=expected_version,
        user=user,
        reason=reason or ("Theme changed" if theme.pk else "Theme defined"),
    )


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "theme"
    taken = {"new"} | set(
        Theme.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )  # themes/new/ is the form
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def indicator_save(
    *, indicator: Indicator, user: User | None, fields: dict, expected_version: int | None = None, reason: str = ""
) -> Indicator:
    """Define an indicator (``indicator`` unsaved) or change its definition."""
    return _save(
        indicator,
        fields=fields,
        names=Indicator.EDITABLE_FIELDS,
        expected_version=expected_version,
        user=user,
        reason=reason or ("Indicator changed" if indicator.pk else "Indicator defined"),
    )


def item_themes_set(*, item_id: int, themes: Iterable[Theme], user: User | None, reason: str = "") -> list[Theme]:
    """Make ``item``'s themes exactly ``themes``; the history of each tag added or removed
    says who and why (by default, which themes were added and removed)."""
    wanted = {theme.pk: theme for theme in themes}
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason="") as locked:
        if user is not None and not can(user, "change", locked):
            raise PermissionDenied(TAG_REFUSED)
        current = {tag.theme_id: tag for tag in ItemTheme.objects.filter(item_id=item_id).select_related("theme")}
        added = [wanted[pk] for pk in sorted(wanted.keys() - current.keys())]
        removed = [current[pk] for pk in sorted(current.keys() - wanted.keys())]
        if not added and not removed:
            return list(wanted.values())
        if not reason.strip():
            parts = [f"tagged “{theme.name}”" for theme in added]
            parts += [f"untagged “{tag.theme.name}”" for tag in removed]
            reason = "Themes: " + ", ".join(parts)
        with change_context(reason=reason, user=user):
            for tag in removed:
                tag.delete()
            for theme in added:
                tag = ItemTheme(item_id=item_id, theme=theme)
                try:
                    tag.full_clean()
                except ValidationError as error:  # a theme removed meanwhile
                    raise ValidationError({"themes": error.messages}) from None
                tag.save()
    return list(wanted.values())
