"""The demo council's cross-cutting themes and its indicators defined in full (issue 17,
decision 0025), told through the services after the other stories, like
``demo.publishing_story``.

The administrator defines two themes, "Narrowing the gap" and "Welsh language"; the owners
of the plans tag items in several plans with them (each tag with its history, who and why);
and the performance officer completes every indicator's definition: its unit, which
direction is better, where the figure comes from and who supplies it."""

from dataclasses import dataclass

from partners.models import User
from planning import definitions
from planning.models import Indicator, PlanItem, Theme

THEMES = {
    "Narrowing the gap": (
        "Closing the gap in attainment and life chances between disadvantaged children (those on free school "
        "meals, in care or with special educational needs) and their peers: a national priority the council "
        "has made its own."
    ),
    "Welsh language": (
        "Services offered in Welsh as well as English, and information for families published in both, under "
        "the Welsh language standards."
    ),
}
# theme -> the titles of the items it tags, in plans across the council
TAGGED = {
    "Narrowing the gap": [
        "Narrow the achievement gaps",  # Bold Steps for Education
        "Narrow the gap for disadvantaged pupils",  # Standards and School Improvement
        "Free school meals and free early education reach every eligible child",  # Fair Access
        "Better outcomes for children in care",  # Inclusion
    ],
    "Welsh language": [
        "Publish admissions information in plain English",  # Fair Access
        "Impartial information, advice and guidance",  # the 14-19 inspection action plan
        "Families as partners",  # SEN placement
        "Adult learning that leads to work",  # Skills and Employability
    ],
}
PERCENT, COUNT, NUMBER = "percentage", "count", "number"
DFE = "Department for Education"
# code -> (unit, direction, source, who supplies the figure)
INDICATORS = {
    "schools-good-outstanding-primary": (PERCENT, "higher", "Ofsted inspection outcomes, published monthly", "Ofsted"),
    "schools-good-outstanding-secondary": (
        PERCENT,
        "higher",
        "Ofsted inspection outcomes, published monthly",
        "Ofsted",
    ),
    "schools-good-outstanding-special": (PERCENT, "higher", "Ofsted inspection outcomes, published monthly", "Ofsted"),
    "ks2-level4-english-maths": (PERCENT, "higher", "Key Stage 2 national curriculum assessments", DFE),
    "gcse-5ac-english-maths": (PERCENT, "higher", "Key Stage 4 performance tables", DFE),
    "fsm-gap-ks2": (NUMBER, "lower", "Key Stage 2 assessments matched to the school census", DFE),
    "neet-16-18": (PERCENT, "lower", "Client caseload information system, monthly", "Connexions Northmoor"),
    "participation-17": (PERCENT, "higher", "Client caseload information system, monthly", "Connexions Northmoor"),
    "level-2-at-19": (PERCENT, "higher", "Level 2 and 3 attainment by age 19 statistics", DFE),
    "apprenticeships-started": (COUNT, "higher", "Individualised learner record", "Skills Funding Agency"),
    "persistent-absence": (PERCENT, "lower", "School census, termly", "Policy and Performance"),
    "permanent-exclusions": (COUNT, "lower", "Exclusions returns from schools", "Fair Access"),
    "sen-assessments-26-weeks": (PERCENT, "higher", "SEN casework system", "Special Educational Needs and Placement"),
    "sen-independent-placements": (COUNT, "lower", "SEN casework system", "Special Educational Needs and Placement"),
}


@dataclass
class ThemesStory:
    themes: list[Theme]
    tags: int
    indicators: int

    def summary(self) -> str:
        names = " and ".join(f"“{theme.name}”" for theme in self.themes)
        return (
            f"themes {names} tag {self.tags} items across plans; {self.indicators} indicators defined in full "
            "(unit, direction, source, who supplies the figure)"
        )


def tell() -> ThemesStory:
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="officer")
    themes = []
    tags = 0
    for name, description in THEMES.items():
        theme = definitions.theme_save(
            theme=Theme(), user=admin, fields={"name": name, "description": description}, reason="Agreed by Cabinet"
        )
        themes.append(theme)
        for item in PlanItem.objects.filter(title__in=TAGGED[name]).select_related("plan__owner").order_by("pk"):
            current = list(Theme.objects.filter(tags__item=item))
            definitions.item_themes_set(
                item_id=item.pk,
                themes=[*current, theme],
                user=item.plan.owner,
                reason=f"Tagged for the {name.lower()} report to Cabinet",
            )
            tags += 1
    defined = 0
    for indicator in Indicator.objects.filter(code__in=INDICATORS).order_by("code"):
        unit, direction, source, supplier = INDICATORS[indicator.code]
        definitions.indicator_save(
            indicator=indicator,
            user=officer,
            fields={"unit": unit, "direction": direction, "source": source, "supplier": supplier},
            expected_version=indicator.version,
            reason="Definition completed for every plan",
        )
        defined += 1
    return ThemesStory(themes=themes, tags=tags, indicators=defined)
