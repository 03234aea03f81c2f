"""Template context shared by every page."""

from django.conf import settings
from django.utils import translation


def council_name() -> str:
    """The council's name in the language being shown (COUNCIL_NAME_CY in Welsh, when set)."""
    if translation.get_language() == "cy" and settings.COUNCIL_NAME_CY:
        return settings.COUNCIL_NAME_CY
    return settings.COUNCIL_NAME


def council(request):
    return {"council_name": council_name(), "site_url": settings.SITE_URL}
