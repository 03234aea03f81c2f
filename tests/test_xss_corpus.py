"""An XSS corpus through every free-text field: plan title and summary, item title and
description, comments, progress returns (narrative, soft outcomes, next steps, revision
reason, reviewer's notes), risks (title, cause, consequence, mitigations). Each payload
goes in through the services, then every page, export and PDF document that shows the
text is read back: nothing executable may come out.

HTML is parsed with the standard library's parser. A page fails if it holds a script
that is not one of the app's own (``src`` under ``/static/``), an iframe, object or
embed, an ``on…`` attribute, a URL attribute that runs (``javascript:``, ``vbscript:``,
``data:``), a CSS expression, any other active element (svg, img, style, form, …) whose
tag and attributes the same page never has with harmless text, a payload with markup
in it appearing verbatim (unescaped), or a template tag that was evaluated. A CSV fails
if any text cell starts like a formula (it has no types: the quote in front is the only
defence); an XLSX if any cell is a formula, or holds text that starts like one in a cell
that is not a string cell."""

import csv
import io
import re
import zipfile
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from config.spreadsheets import set_xlsx_cell
from config.text import multi_line, one_line
from monitoring import scorecard_pack
from monitoring import services as monitoring
from monitoring.risks import risk_create
from partners.models import Organisation, User
from planning import lifecycle, plan_document, services, suggestions
from planning.models import Comment, Plan, PlanItem
from tests.factories import OrganisationFactory, UserFactory, add_item, make_plan, make_return
from tests.monitoring import conftest as monitoring_fixtures

# the monitored plan's fixtures, for this module outside tests/monitoring/
monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
q1 = monitoring_fixtures.q1

# --- the corpus ------------------------------------------------------------------------------

PAYLOADS = [
    # script tags
    "<script>alert('XSS1')</script>",
    "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>",
    "<script src=data:text/javascript,alert(2)></script>",
    "<<SCRIPT>alert('XSS3');//<</SCRIPT>",
    "<scr<script>ipt>alert(4)</scr</script>ipt>",
    "</textarea><script>alert(5)</script>",
    "</title><script>alert(6)</script>",
    "</script><script>alert(7)</script>",
    # event handlers
    "<img src=x onerror=alert(8)>",
    "<IMG SRC=# onmouseover=\"alert('XSS9')\">",
    "<body onload=alert(10)>",
    "<div onmouseover=alert(11)>hover</div>",
    "<input autofocus onfocus=alert(12)>",
    "<details open ontoggle=alert(13)>",
    "<video><source onerror=alert(14)></video>",
    "<marquee onstart=alert(15)>x</marquee>",
    # attribute breaking
    '" onmouseover="alert(16)" x="',
    "' onmouseover='alert(17)' x='",
    '"><img src=x onerror=alert(18)>',
    "'><svg onload=alert(19)>",
    '" autofocus onfocus="alert(20)',
    "`onmouseover=alert(21)`",
    # javascript:, vbscript:, data: URLs
    '<a href="javascript:alert(22)">click</a>',
    '<a href="JaVaScRiPt:alert(23)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(24)">x</a>',
    '<a href="jav&#x09;ascript:alert(25)">x</a>',
    '<a href=" javascript:alert(26)">x</a>',
    '<a href="vbscript:msgbox(27)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyOCk8L3NjcmlwdD4=">x</a>',
    '<form action="javascript:alert(29)"><button>go</button></form>',
    '<button formaction="javascript:alert(30)">go</button>',
    # markdown vectors
    "[click](javascript:alert(31))",
    "![image](javascript:alert(32))",
    "[click](JAVASCRIPT:alert(33))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgzNCk8L3NjcmlwdD4=)",
    "[click](vbscript:msgbox(35))",
    '[click](https://example.org "title\\" onmouseover=\\"alert(36))")',
    "[ref][1]\n\n[1]: javascript:alert(37)",
    "<javascript:alert(38)>",
    '![x](x" onerror="alert(39))',
    # SVG and MathML
    "<svg><script>alert(40)</script></svg>",
    "<svg/onload=alert(41)>",
    '<svg><a xlink:href="javascript:alert(42)"><text x="20" y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(43)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(44)">x</math>',
    # iframe, object, embed
    "<iframe src=javascript:alert(45)></iframe>",
    '<iframe srcdoc="<script>alert(46)</script>"></iframe>',
    '<object data="javascript:alert(47)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNDgpPg==">',
    '<base href="javascript:alert(49)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(50)">',
    '<link rel="stylesheet" href="javascript:alert(51)">',
    # CSS
    '<div style="width: expression(alert(52))">x</div>',
    "<style>body{background:url(javascript:alert(53))}</style>",
    '<p style="background-image:url(&quot;javascript:alert(54)&quot;)">x</p>',
    # entities and unicode tricks
    "&lt;script&gt;alert(55)&lt;/script&gt;",
    "&#60;script&#62;alert(56)&#60;/script&#62;",
    "\uff1cscript\uff1ealert(57)\uff1c/script\uff1e",
    "\u202e<img src=x onerror=alert(58)>",
    "<scr\u200bipt>alert(59)</scr\u200bipt>",
    "%3Cscript%3Ealert(60)%3C/script%3E",
    "\\u003cscript\\u003ealert(61)\\u003c/script\\u003e",
    # template injection: must come out as text, never evaluated
    '{{ "ssti-marker"|upper }}',
    "{% debug %}",
    "{{ request.user.password }}{% csrf_token %}",
    "${7*7}#{7*7}<%= 7*7 %>",
    # spreadsheet formulas
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]

SSTI_EVALUATED = ["SSTI-MARKER"]  # what '{{ "ssti-marker"|upper }}' would render to
PLAN_TITLE = "\"><script>alert('plan')</script><img src=x onerror=alert(1)>"


def _refused_in_text(character: str) -> bool:
    try:
        multi_line(character)
    except ValidationError:
        return True
    return False


# --- reading HTML ------------------------------------------------------------------------

ALWAYS_FORBIDDEN = {"iframe", "object", "embed", "frame", "frameset", "applet", "base"}
WATCHED = {
    "svg", "math", "img", "style", "link", "meta", "form", "input", "button", "textarea", "select",
    "video", "audio", "source", "details", "marquee", "body", "html", "head", "title", "a",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcset"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.watched: set[tuple] = set()
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            if not (values.get("src") or "").startswith("/static/"):
                self.problems.append(f"script not from /static/: {attrs}")
        elif tag in ALWAYS_FORBIDDEN:
            self.problems.append(f"<{tag}> {attrs}")
        elif tag in WATCHED:
            signature = (tag, tuple(sorted(name for name, _ in attrs)))
            if tag == "a":  # links are normal; their href is checked below
                signature = (tag, tuple(sorted(name for name, _ in attrs if name not in {"href", "title", "rel"})))
            self.watched.add(signature)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "srcdoc":
                self.problems.append(f"srcdoc on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = _INVISIBLE.sub("", value).lower()
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and re.search(r"expression\s*\(|javascript:|behavior\s*:", value, re.I):
                self.problems.append(f"style={value!r} on <{tag}>")
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and re.search(r"expression\s*\(|javascript:", data, re.I):
            self.problems.append(f"CSS that runs: {data[:80]!r}")


def scan(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def html_problems(html: str, allowed: set[tuple]) -> list[str]:
    scanner = scan(html)
    problems = list(scanner.problems)
    problems += [f"element not in the app's own pages: {sig}" for sig in sorted(scanner.watched - allowed)]
    for payload in [*PAYLOADS, PLAN_TITLE]:
        if "<" in payload and payload in html:
            problems.append(f"payload unescaped: {payload!r}")
    problems += [f"template evaluated: {marker}" for marker in SSTI_EVALUATED if marker in html]
    return problems


# --- reading spreadsheets ------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def csv_problems(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    return [repr(cell) for cell in cells if cell.startswith(TRIGGERS) and not _NUMBER.match(cell)]


def xlsx_problems(response) -> list[str]:
    assert response.status_code == 200
    return _xlsx_content_problems(response.content)


def _xlsx_content_problems(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"formula {cell.coordinate}: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(TRIGGERS) and cell.data_type != "s":
                    problems.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r} as {cell.data_type!r}")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name)):
                problems.append(f"{name} holds a formula element")
    return problems


# --- the plan, harmless and then full of payloads ---------------------------------------------


def _html_urls(plan: Plan, period, items: list[PlanItem], risks) -> list[str]:
    slug = plan.slug
    urls = [
        reverse("planning:plan-detail", args=[slug]),
        reverse("planning:plan-history", args=[slug]),
        reverse("planning:plan-comments", args=[slug]),
        reverse("planning:consultation-summary", args=[slug]),
        reverse("monitoring:plan-period", args=[slug, period.slug]),
        reverse("monitoring:scorecard", args=[slug, period.slug]),
        reverse("monitoring:risk-register", args=[slug]),
    ]
    for item in items:
        urls += [
            reverse("planning:item-detail", args=[slug, item.pk]),
            reverse("planning:item-history", args=[slug, item.pk]),
            reverse("monitoring:return-detail", args=[slug, item.pk, period.slug]),
        ]
    urls += [reverse("monitoring:risk-detail", args=[slug, risk.pk]) for risk in risks]
    # suggested changes (issue 15): the proposal beside the item's wording, where it is decided
    suggested = Comment.objects.filter(item__in=items, kind=Comment.Kind.SUGGESTION).order_by("pk")
    urls += [reverse("planning:suggestion-accept", args=[slug, suggestion.pk]) for suggestion in suggested]
    return urls


def _documents(plan: Plan, period) -> dict[str, str]:
    return {
        "plan PDF": plan_document.plan_document_html(plan),
        "scorecard PDF": scorecard_pack.scorecard_pack_html(plan, period, False),
    }


def _risk(plan, owner, **text):
    return risk_create(
        plan=plan, user=owner, fields={"title": "Risk", "owner": owner, "likelihood": 3, "impact": 4, **text}
    )


def _monitored_world():
    """The personas of ``tests/conftest.py`` and the monitored plan of
    ``tests/monitoring/conftest.py`` (alice owns, bob leads the action, pat's college the
    target), built here because those fixtures live one test at a time."""
    council = OrganisationFactory(name="Northmoor County Council", slug="council", kind=Organisation.Kind.COUNCIL)
    directorate = OrganisationFactory(
        name="Education", slug="education", kind=Organisation.Kind.DIRECTORATE, parent=council
    )
    service = OrganisationFactory(name="School Improvement", slug="school-improvement", parent=directorate)
    college = OrganisationFactory(name="Northmoor College", slug="college", kind=Organisation.Kind.COLLEGE)
    alice = UserFactory(username="alice", first_name="Alice", last_name="Owner", organisation=service)
    bob = UserFactory(username="bob", first_name="Bob", last_name="Officer", organisation=service)
    UserFactory(username="pat", first_name="Pat", last_name="Partner", organisation=college, role=User.Role.PARTNER)
    plan = make_plan(owner=alice, title="School Improvement Business Plan 2013-14", slug="sip")
    monitoring_fixtures.make_monitored(plan, bob, college)
    q1 = monitoring.financial_year_create(start_year=2013, user=None)[0]
    return plan, q1, alice, bob


def _build_corpus(client):
    """The monitored plan with every payload in every free-text field, and the set of
    watched elements the same pages hold when they show harmless text."""
    monitored, q1, alice, bob = _monitored_world()
    client.force_login(alice)
    # harmless first: one of everything, to learn what the app's own pages contain
    ret = make_return(
        monitored.action, q1, bob, {"rag": "green", "narrative": "Done", "next_steps": "More"}, submit=True
    )
    monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version, note="Fine")
    calm_risk = _risk(monitored, bob, cause="Staff leave", consequence="Delay", mitigations="Cover")
    lifecycle.comment_add(
        plan=monitored, user=alice, body="A *harmless* [comment](https://example.org)", item=monitored.action
    )
    suggestions.suggestion_add(
        plan=monitored,
        user=alice,
        item=monitored.action,
        body="A *harmless* reason",
        proposed_title="A harmless title",
        proposed_description="A *harmless* [description](https://example.org)",
    )
    add_item(monitored, monitored.priority, "action", title="A second action, so items can move", lead_officer=bob)
    allowed: set[tuple] = set()
    for url in _html_urls(monitored, q1, [monitored.action], [calm_risk]):
        response = client.get(url)
        assert response.status_code == 200, url
        allowed |= scan(response.content.decode()).watched
    for html in _documents(monitored, q1).values():
        allowed |= scan(html).watched

    # then the corpus, as far as each field accepts it: single-line fields refuse line breaks,
    # tabs and direction overrides, text boxes the overrides (tests/test_text_rules.py), so
    # those characters become spaces there and the rest of the payload still goes in
    def line(payload):
        return one_line(payload)

    def text(payload):
        return "".join(" " if _refused_in_text(c) else c for c in payload)

    plan = Plan.objects.get(pk=monitored.pk)
    services.plan_update(
        plan_id=plan.pk,
        user=alice,
        fields={"title": PLAN_TITLE, "summary": text("\n\n".join(PAYLOADS))},
        expected_version=plan.version,
        reason=PAYLOADS[0],
    )
    items, risks = [], []
    for n, payload in enumerate(PAYLOADS):
        item = add_item(
            monitored,
            monitored.priority,
            "action",
            user=alice,
            title=line(payload),
            description=text(payload),
            lead_officer=bob,
        )
        items.append(item)
        lifecycle.comment_add(plan=monitored, user=alice, body=text(payload), item=item)
        suggestions.suggestion_add(
            plan=monitored,
            user=alice,
            item=item,
            body=text(payload),
            proposed_title=line(payload + " (suggested)"),
            proposed_description=text(payload + " (suggested)"),
        )
        fields = {
            "rag": "amber",
            "narrative": text(payload),
            "soft_outcomes": text(payload),
            "next_steps": text(payload),
            "revised_due_date": date(2014, 3, 31),
            "revision_reason": text(payload),
        }
        ret = make_return(item, q1, bob, fields, submit=True)
        if n % 2:
            monitoring.return_send_back(
                return_id=ret.pk, user=alice, expected_version=ret.version, reason=text(payload)
            )
        else:
            monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version, note=text(payload))
        risks.append(
            _risk(
                monitored,
                bob,
                title=line(payload),
                cause=text(payload),
                consequence=text(payload),
                mitigations=text(payload),
                item=item,
            )
        )
    plan.refresh_from_db()
    return alice, (plan, q1, items, risks, allowed)


@pytest.fixture(scope="class")
def built_corpus(django_db_setup, django_db_blocker):
    """The corpus is built once for the tests that read it (each runs in its own
    savepoint) and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_corpus(Client())
        transaction.set_rollback(True)


@pytest.fixture
def corpus(built_corpus, db, client):
    alice, corpus = built_corpus
    client.force_login(alice)
    return corpus


# --- the tests -------------------------------------------------------------------------------


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_scanner_catches_what_it_should():
    """The checks themselves: each of these would fail a page."""
    allowed = scan('<a href="/x">x</a><script type="module" src="/static/app/init.js"></script>').watched
    assert html_problems('<script type="module" src="/static/app/init.js"></script>', allowed) == []
    for bad in [
        "<script>alert(1)</script>",
        '<p onclick="x">',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href=" JAVA\tSCRIPT:alert(1)">x</a>',
        "<iframe></iframe>",
        "<img src=x>",
        '<div style="width:expression(alert(1))">',
        "SSTI-MARKER",
    ]:
        assert html_problems(bad, allowed), bad
    assert csv_problems(HttpResponse("=cmd|' /C calc'!A0\n", content_type="text/csv"))
    assert not csv_problems(HttpResponse("'=cmd|' /C calc'!A0\n", content_type="text/csv"))
    book = Workbook()
    book.active["A1"] = "=1+1"  # openpyxl makes text starting with = a formula
    assert _xlsx_content_problems(_saved(book))
    set_xlsx_cell(book.active["A1"], "=1+1")
    assert _xlsx_content_problems(_saved(book)) == []


def _saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestTheCorpus:
    """Every test here reads the one corpus (``built_corpus``)."""

    def test_no_page_runs_a_payload(self, client, corpus):
        plan, period, items, risks, allowed = corpus
        failures = {}
        for url in _html_urls(plan, period, items, risks):
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            if problems := html_problems(html, allowed):
                failures[url] = problems
        assert failures == {}

    def test_the_payloads_reach_the_pages_as_text(self, client, corpus):
        """The scan is only worth something if the text is really on the pages."""
        plan, period, items, risks, _ = corpus
        item = items[0]  # "<script>alert('XSS1')</script>"
        page = client.get(reverse("planning:item-detail", args=[plan.slug, item.pk])).content.decode()
        assert "&lt;script&gt;alert(&#x27;XSS1&#x27;)&lt;/script&gt;" in page  # the escaped title
        detail = client.get(
            reverse("monitoring:return-detail", args=[plan.slug, item.pk, period.slug])
        ).content.decode()
        assert "alert(&#x27;XSS1&#x27;)" in detail
        register = client.get(reverse("monitoring:risk-register", args=[plan.slug])).content.decode()
        assert "alert(&#x27;XSS1&#x27;)" in register
        ssti = items[PAYLOADS.index('{{ "ssti-marker"|upper }}')]
        page = client.get(reverse("planning:item-detail", args=[plan.slug, ssti.pk])).content.decode()
        assert "ssti-marker" in page

    def test_the_pdf_documents_run_nothing(self, corpus):
        plan, period, _, _, allowed = corpus
        documents = _documents(plan, period)
        assert "alert(&#x27;XSS1&#x27;)" in documents["plan PDF"]
        failures = {name: problems for name, html in documents.items() if (problems := html_problems(html, allowed))}
        assert failures == {}

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_spreadsheet_exports_hold_no_formulas(self, client, corpus, fmt):
        plan, period, _, _, _ = corpus
        check = csv_problems if fmt == "csv" else xlsx_problems
        plan_export = client.get(reverse("monitoring:plan-export", args=[plan.slug, fmt]))
        returns_export = client.get(reverse("monitoring:returns-export", args=[plan.slug, period.slug, fmt]))
        if fmt == "csv":  # the consultation summary: comments and suggested wording
            summary = client.get(reverse("planning:consultation-summary", args=[plan.slug]), {"format": "csv"})
            assert "=cmd|" in summary.content.decode("utf-8-sig")
            assert check(summary) == []
        assert "=cmd|" in (plan_export.content.decode("utf-8-sig") if fmt == "csv" else "=cmd|")  # payloads are there
        assert check(plan_export) == []
        assert check(returns_export) == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "javascript://example.org/%0Aalert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "//evil.example/x",
    ],
)
def test_an_evidence_link_that_could_run_is_refused(monitored, q1, bob, url):
    with pytest.raises(ValidationError) as refused:
        make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "Done", "evidence_url": url})
    assert "evidence_url" in refused.value.message_dict


def test_an_accepted_evidence_link_with_markup_in_it_stays_a_plain_link(client, monitored, q1, bob, alice):
    url = "https://example.org/?q=\"><script>alert(1)</script>&x='onmouseover=alert(2)"
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "Done", "evidence_url": url})
    client.force_login(alice)
    html = client.get(reverse("monitoring:return-detail", args=[monitored.slug, monitored.action.pk, q1.slug]))
    scanner = scan(html.content.decode())
    assert [p for p in scanner.problems if "static" not in p] == []
    assert url not in html.content.decode()
