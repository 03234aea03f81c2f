"""What an action's page says of the inspection recommendations it addresses (decision 0030):
the planning app's item page loads this, so planning itself knows nothing of inspections."""

from django import template

from monitoring.inspections import addressed_by

register = template.Library()


@register.inclusion_tag("monitoring/inspections/addressed.html", takes_context=True)
def recommendations_addressed(context, item):
    found = addressed_by(context["request"].user, item)
    return {"shown": [row for row in found if row.url], "hidden": sum(1 for row in found if not row.url)}
