"""The demo council's corporate plan in Welsh as well as English (issue 18, decision 0033),
told through the services after the other stories: the plan's owner adds the Welsh
version (from the council's translation unit) of the plan's title and summary and of every item, each change with its history,
as a Welsh council's translation unit would once the English was agreed. The other plans
stay in English only, so a Welsh reader also meets the fallback: the English shown, marked.
"""

from dataclasses import dataclass

from planning import services
from planning.models import Plan, PlanItem

PLAN_SLUG = "council-plan-2013-17"
PLAN_WELSH = {
    "title_cy": "Cynllun y Cyngor Northmoor 2013–2017",
    "summary_cy": (
        "Pedwar uchelgais y cyngor ar gyfer y sir hyd at fis Mawrth 2017, a gytunwyd gan y Cyngor Llawn ym mis "
        "Chwefror 2013.\n\n"
        "Mae pob cynllun cyfarwyddiaeth a phob cynllun busnes gwasanaeth yn dangos pa uchelgais y mae’n ei "
        "gyflawni, fel y gall aelodau ddilyn yr edau o’r cynllun hwn i lawr at un garreg filltir."
    ),
}
# English title -> (Welsh title, Welsh description or "")
ITEMS = {
    "A county where people of every age can learn, work, stay safe and live well": (
        "Sir lle gall pobl o bob oed ddysgu, gweithio, bod yn ddiogel a byw’n dda",
        "Sir fawr, wledig yn bennaf yw Northmoor, gydag ardaloedd o amddifadedd dwfn yn ei threfi arfordirol. "
        "Mae’r cynllun hwn yn nodi **pedwar uchelgais** y bydd y cyngor yn eu dilyn gyda’i bartneriaid:\n\n"
        "1. helpu economi Northmoor i dyfu;\n"
        "2. rhoi’r dechrau gorau i bob plentyn, gydag ysgol dda i bawb;\n"
        "3. cadw plant ac oedolion agored i niwed yn ddiogel a mynd i’r afael ag anfantais;\n"
        "4. rhedeg cyngor modern sy’n gwario pob punt yn dda.\n\n"
        "Adroddir ar y cynnydd i’r Cabinet bob chwarter drwy’r cerdyn sgorio corfforaethol.",
    ),
    "Help the Northmoor economy grow": (
        "Helpu economi Northmoor i dyfu",
        "Mwy o swyddi, mwy o fusnesau a gweithlu â’r sgiliau y mae cyflogwyr yn gofyn amdanynt.",
    ),
    "Guarantee an apprenticeship or training place for every young person who wants one": (
        "Gwarantu prentisiaeth neu le hyfforddi i bob person ifanc sydd eisiau un",
        "Fe’i cyflawnir drwy gynllun busnes Sgiliau a Chyflogadwyedd.",
    ),
    "More young people start an apprenticeship": ("Mwy o bobl ifanc yn dechrau prentisiaeth", ""),
    "Attract new employers to the Moorgate enterprise zone": ("Denu cyflogwyr newydd i ardal fenter Moorgate", ""),
    "Enterprise zone prospectus published": ("Prosbectws yr ardal fenter wedi’i gyhoeddi", ""),
    "Broadband upgrade to the enterprise zone completed": (
        "Uwchraddio band eang i’r ardal fenter wedi’i gwblhau",
        "",
    ),
    "Give every child the best start, with a good school for all": (
        "Rhoi’r dechrau gorau i bob plentyn, gydag ysgol dda i bawb",
        "Mae’r uchelgais addysg wedi’i gosod yn fanwl yn *Camau Beiddgar ar gyfer Addysg 2013–16*.",
    ),
    "Deliver Bold Steps for Education 2013–16": ("Cyflawni Camau Beiddgar ar gyfer Addysg 2013–16", ""),
    "Primary schools judged good or outstanding": ("Ysgolion cynradd a farnwyd yn dda neu’n rhagorol", ""),
    "Secondary schools judged good or outstanding": ("Ysgolion uwchradd a farnwyd yn dda neu’n rhagorol", ""),
    "Fewer 16–18 year olds not in education, employment or training": (
        "Llai o bobl ifanc 16–18 oed nad ydynt mewn addysg, cyflogaeth na hyfforddiant",
        "",
    ),
    "Keep children and vulnerable adults safe and tackle disadvantage": (
        "Cadw plant ac oedolion agored i niwed yn ddiogel a mynd i’r afael ag anfantais",
        "",
    ),
    "Turn around the lives of 1,200 troubled families": (
        "Gweddnewid bywydau 1,200 o deuluoedd cythryblus",
        "Ein cyfran ni o’r rhaglen genedlaethol Teuluoedd Cythryblus. Mae teuluoedd yn gymwys drwy gyfuniad o "
        "*absenoldeb neu waharddiad o’r ysgol*, *troseddu ieuenctid neu ymddygiad gwrthgymdeithasol* a "
        "*diweithdra*.",
    ),
    "Families turned around under the payment-by-results rules": (
        "Teuluoedd a weddnewidiwyd o dan y rheolau talu yn ôl canlyniadau",
        "",
    ),
    "All 1,200 families identified and given a lead key worker": (
        "Pob un o’r 1,200 o deuluoedd wedi’u nodi a chael gweithiwr allweddol arweiniol",
        "",
    ),
    "Help more children stay safely with their families": ("Helpu mwy o blant i aros yn ddiogel gyda’u teuluoedd", ""),
    "Children in care per 10,000 children": ("Plant mewn gofal fesul 10,000 o blant", ""),
    "Run a modern council that spends every pound well": ("Rhedeg cyngor modern sy’n gwario pob punt yn dda", ""),
    "Deliver the savings in the medium-term financial plan": (
        "Cyflawni’r arbedion yn y cynllun ariannol tymor canolig",
        "",
    ),
    "Savings delivered against the medium-term financial plan": (
        "Arbedion a gyflawnwyd yn erbyn y cynllun ariannol tymor canolig",
        "",
    ),
    "Move the most used council services online": ("Symud y gwasanaethau cyngor a ddefnyddir fwyaf ar-lein", ""),
    "School admissions and transport applications online": ("Ceisiadau derbyn i ysgolion a chludiant ar-lein", ""),
    "Single sign-in for residents launched": ("Un mewngofnodi i breswylwyr wedi’i lansio", ""),
    "Publish every council plan and its progress in one place": (
        "Cyhoeddi pob cynllun y cyngor a’i gynnydd mewn un lle",
        "Mae Golden Thread yn disodli’r taenlenni a’r dogfennau Word ar wahân yr arferai gwasanaethau eu cadw, "
        "fel y gall aelodau a phartneriaid weld sut mae pob cynllun gwasanaeth yn bwydo’r un hwn.",
    ),
    "All directorate and service plans for 2013–14 published": (
        "Pob cynllun cyfarwyddiaeth a gwasanaeth ar gyfer 2013–14 wedi’i gyhoeddi",
        "",
    ),
    "Quarterly monitoring returns collected through the system": (
        "Ffurflenni monitro chwarterol wedi’u casglu drwy’r system",
        "",
    ),
}
REASON = "Welsh version added (Welsh Language Standards)"


@dataclass
class WelshStory:
    plan: Plan
    items: int

    def summary(self) -> str:
        return f"{self.plan} is in Welsh as well as English ({self.items} items); the other plans are in English only"


def tell() -> WelshStory:
    plan = Plan.objects.select_related("owner").get(slug=PLAN_SLUG)
    translator = plan.owner
    services.plan_update(
        plan_id=plan.pk, user=translator, fields=PLAN_WELSH, expected_version=plan.version, reason=REASON
    )
    items = PlanItem.objects.filter(plan=plan, title__in=ITEMS).order_by("tree_id", "lft")
    for item in items:
        title_cy, description_cy = ITEMS[item.title]
        services.item_update(
            item_id=item.pk,
            user=translator,
            change=services.ItemChange({"title_cy": title_cy, "description_cy": description_cy}),
            expected_version=item.version,
            reason=REASON,
        )
    plan.refresh_from_db()
    return WelshStory(plan=plan, items=len(items))
