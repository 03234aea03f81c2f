"""Numbers, money and dates as every page, the PDFs and the scorecards write them (exports
keep raw numbers, so that spreadsheets can calculate with them). Plain functions, used by
the HTML written in Python and the selectors; ``planning_tags`` makes them template filters.

In the reader's language (decision 0029): months and days by Django's catalogue for it
("7 Rhagfyr 2026"), days counted in its words. Money and numbers are written alike in
English and Welsh ("£1,234.50"): Django's formats for both use the comma for thousands
and the point for decimals, so these write them so whatever the server's locale."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from planning.models import PlanItem


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def pounds(value) -> str:
    """Money as people write it: without pence unless the amount has them (design rule):
    12500 -> "£12,500", 12500.5 -> "£12,500.50"."""
    if value is None or value == "":
        return ""
    amount = _decimal(value)
    sign, amount = ("-" if amount < 0 else ""), abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def number(value) -> str:
    """With thousands separators and without trailing zeros: 2250.00 -> "2,250",
    12.50 -> "12.5", 2224.91 -> "2,224.91"."""
    if value is None or value == "":
        return ""
    text = f"{_decimal(value):,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_WHOLE = Decimal(1)


def measure(value, unit: str = "") -> str:
    """A target's value (baseline, target, trajectory, actual) in its unit: a count is
    whole (the trajectory between two counts is rounded: 2,224.91 apprenticeships is
    2,225), a percentage has "%", pounds are money, days say so."""
    if value is None or value == "":
        return ""
    if unit == PlanItem.Unit.COUNT:
        return number(_decimal(value).quantize(_WHOLE, rounding=ROUND_HALF_UP))
    if unit == PlanItem.Unit.PERCENTAGE:
        return f"{number(value)}%"
    if unit == PlanItem.Unit.POUNDS:
        return pounds(value)
    if unit == PlanItem.Unit.DAYS:
        count = _decimal(value)
        whole = int(count) if count == count.to_integral_value() else 0  # a part day reads as "days"
        return ngettext("%(number)s day", "%(number)s days", whole) % {"number": number(value)}
    return number(value)


def expected_measure(value, unit: str = "") -> str:
    """A trajectory's value, read off the line between baseline and target: in money to
    the pound (its pence are the arithmetic's, not an amount anyone set), otherwise as
    ``measure``."""
    if unit == PlanItem.Unit.POUNDS and value is not None and value != "":
        value = _decimal(value).quantize(_WHOLE, rounding=ROUND_HALF_UP)
    return measure(value, unit)


def short_date(value: date) -> str:
    """As tables and the outline write a day: "1 Apr 2013" ("1 Ebr 2013" in Welsh)."""
    return date_format(value, "j M Y")


def month_year(value: date) -> str:
    """A month: "Apr 2013" (a baseline's date)."""
    return date_format(value, "M Y")


def long_date(value) -> str:
    """As dates read across the app's prose: "5 December 2026" ("5 Rhagfyr 2026" in Welsh)."""
    return date_format(value, "j F Y") if value else ""


def date_and_time(value: datetime) -> str:
    """A moment, in the council's time: "5 December 2026, 14:30"."""
    return date_format(timezone.localtime(value), "j F Y, H:i")


MONEY_FIELDS = {"cost_amount"}


def field_text(model, name: str, value) -> str:
    """A stored field's value as the pages write it, for history, comparisons and the
    conflict page: choices by their labels, dates as "30 September 2013", money and
    numbers through ``pounds`` and ``number``, related rows by name."""
    if value is None or value == "":
        return ""
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "all"):  # a many-to-many manager
        value = value.all()
    if isinstance(value, QuerySet | list | tuple):
        return ", ".join(str(each) for each in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return date_and_time(value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, Decimal):
        return pounds(value) if name in MONEY_FIELDS else number(value)
    return str(value)


def choice_label(item: PlanItem, name: str) -> str:
    """The label of an item's choice field (``unit``, ``cost_type``…), blank when unset."""
    value = getattr(item, name)
    return getattr(item, f"get_{name}_display")() if value else ""
