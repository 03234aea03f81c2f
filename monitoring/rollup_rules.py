"""How the ratings of what contributes to an item are combined into one (issue 17).

The council chooses the rule in one place, the ``ROLLUP_RULE`` setting (environment
variable of the same name; decision 0021). Every rule gives red when any contributor is
red: a combined rating never hides a red. Each rule says itself in words, and the page
that shows a combined rating prints those words beside it.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Rule:
    name: str
    text: str  # the rule in English words (marked for translation)
    amber_share: float  # the share of amber ratings at or above which the result is amber

    @property
    def wording(self) -> str:
        """The rule in the reader's words."""
        return gettext(self.text)

    def combine(self, counts: Mapping[str, int]) -> str:
        """One rating from the number of each rating received ("" when none was)."""
        rated = sum(counts.get(rag, 0) for rag in ("red", "amber", "green", "complete"))
        if not rated:
            return ""
        if counts.get("red", 0):
            return "red"
        if counts.get("amber", 0) and counts["amber"] / rated >= self.amber_share:
            return "amber"
        if counts.get("green", 0) or counts.get("amber", 0):
            return "green"
        return "complete"


RULES = {
    "worst": Rule(
        "worst",
        gettext_noop(
            "The combined rating is the worst received: red if any contributor is red, amber if any is "
            "amber, green otherwise (complete when every one rated is complete). Not started and no "
            "return do not count."
        ),
        amber_share=0.0,
    ),
    "share": Rule(
        "share",
        gettext_noop(
            "Red if any contributor is red; amber if a quarter or more of those rated are amber; green "
            "otherwise (complete when every one rated is complete). Not started and no return do not count."
        ),
        amber_share=0.25,
    ),
}


def council_rule() -> Rule:
    """The rule this council has chosen (``settings.ROLLUP_RULE``, checked when the settings
    are read: config.env.env_choice over ``settings.ROLLUP_RULES``, these rules' names)."""
    return RULES[settings.ROLLUP_RULE]
