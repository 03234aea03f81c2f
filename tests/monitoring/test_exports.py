"""Plans and a quarter's returns as CSV and Excel: rows in reading order with their
references, for whoever may read the plan. In CSV every cell that starts like a formula
(=, +, -, @, tab) is escaped with a quote; in XLSX such text is a string cell, shown as
typed (no quote) and never evaluated."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import services as monitoring
from partners.models import Organisation, User
from planning import services as planning_services
from planning.models import Plan
from tests.factories import OrganisationFactory, UserFactory, add_item, make_plan, make_return

TRIGGERS = ("=", "+", "-", "@", "\t")
NASTY = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTabbed"]


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _xlsx(response) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in _xlsx_cells(response)]


def _xlsx_cells(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[0].iter_rows())


def _as_typed(cells) -> list:
    """The cells holding text that starts like a formula: each must be the text as typed,
    in a string cell."""
    found = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)]
    assert all(cell.data_type == "s" for cell in found), [(cell.coordinate, cell.data_type) for cell in found]
    return [cell.value for cell in found]


def _no_formulas(response) -> bool:
    """No <f> element anywhere in the sheets: text is never written as a formula."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in archive.namelist())


def _unsafe(cells) -> list:
    return [cell for cell in cells if isinstance(cell, str) and cell.startswith(TRIGGERS)]


@pytest.fixture
def nasty(monitored, q1, bob, pat):
    """Text that would run as a formula, in item titles and returns."""
    monitored.action.title = NASTY[0]
    monitored.action.save()
    make_return(
        monitored.action,
        q1,
        bob,
        {"rag": "amber", "narrative": NASTY[1], "next_steps": NASTY[3], "soft_outcomes": NASTY[4]},
        submit=True,
    )
    make_return(monitored.target, q1, pat, {"rag": "green", "actual_value": Decimal("78.50"), "narrative": NASTY[2]})
    return monitored


@pytest.fixture
def police_partner(db):
    police = OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)
    return UserFactory(username="pc", organisation=police, role=User.Role.PARTNER)


def _plan_url(fmt: str, slug: str = "sip") -> str:
    return reverse("monitoring:plan-export", args=[slug, fmt])


def _returns_url(fmt: str, period: str = "2013-q1", slug: str = "sip") -> str:
    return reverse("monitoring:returns-export", args=[slug, period, fmt])


# --- the plan --------------------------------------------------------------------------------


def test_the_plan_as_csv_is_in_reading_order_with_references(client, alice, nasty):
    client.force_login(alice)
    rows = _csv(client.get(_plan_url("csv")))
    assert rows[0][:4] == ["Reference", "Level", "Kind", "Title"]
    assert [row[0] for row in rows[1:]] == ["", "1", "1.1", "1.1.1"]
    assert rows[2][3] == "Raise attainment" and rows[3][3] == "'" + NASTY[0]
    target = dict(zip(rows[0], rows[4], strict=True))
    assert target["Lead organisation"] == "Northmoor College" and target["Unit"] == "Percentage (%)"
    assert target["Target value"] == "80.00" and target["Baseline date"] == "2013-03-31"
    assert not _unsafe(cell for row in rows for cell in row)


def test_the_plan_as_xlsx_shows_text_as_typed_in_string_cells_and_keeps_numbers_and_dates(client, alice, nasty):
    client.force_login(alice)
    response = client.get(_plan_url("xlsx"))
    rows = _xlsx(response)
    assert rows[3][3] == NASTY[0]  # no quote in front: a string cell is never evaluated
    assert _as_typed(cell for row in _xlsx_cells(response) for cell in row) == [NASTY[0]]
    target = dict(zip(rows[0], rows[4], strict=True))
    assert target["Target value"] == 80 and target["Baseline date"].year == 2013
    assert _no_formulas(response)


def test_an_unknown_format_is_not_found(client, alice, monitored, q1):
    client.force_login(alice)
    assert client.get(_plan_url("pdf")).status_code == 404
    assert client.get(_returns_url("ods")).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("carol", 200), ("mel", 200), ("pat", 404), ("police_partner", 404)])
def test_the_plan_export_is_for_whoever_may_read_the_plan(client, request, monitored, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_plan_url("csv")).status_code == status


def test_a_draft_plan_exports_for_its_officers_but_not_for_members(client, alice, mel):
    make_plan(owner=alice, slug="draft-plan", title="Draft plan", status=Plan.Status.DRAFT)
    client.force_login(alice)
    assert client.get(_plan_url("xlsx", "draft-plan")).status_code == 200
    client.force_login(mel)
    assert client.get(_plan_url("xlsx", "draft-plan")).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, monitored, q1):
    for url in (_plan_url("csv"), _returns_url("csv")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_exports_are_read_only(client, alice, monitored, q1):
    client.force_login(alice)
    assert client.post(_plan_url("csv")).status_code == 405
    assert client.post(_returns_url("csv")).status_code == 405


# --- a quarter's returns ---------------------------------------------------------------------


def test_the_returns_as_csv_have_every_action_and_target_with_its_return(client, alice, nasty):
    client.force_login(alice)
    rows = _csv(client.get(_returns_url("csv")))
    heading = rows[0]
    action, target = (dict(zip(heading, row, strict=False)) for row in rows[1:])
    assert len(rows) == 3
    assert action["Reference"] == "1.1" and action["Item"] == "'" + NASTY[0]
    assert action["State"] == "Submitted" and action["RAG"] == "Amber" and action["Submitted by"] == "Bob Officer"
    assert action["Narrative"] == "'" + NASTY[1] and action["Next steps"] == "'" + NASTY[3]
    assert action["Soft outcomes"] == "'" + NASTY[4]
    assert target["State"] == "Draft" and target["Actual value"] == "78.50" and target["Narrative"] == "'" + NASTY[2]
    assert target["Author"] == "Pat Partner"
    assert not _unsafe(cell for row in rows for cell in row)


def test_the_returns_as_xlsx_show_text_as_typed_and_hold_no_formulas(client, alice, nasty):
    client.force_login(alice)
    response = client.get(_returns_url("xlsx"))
    rows = _xlsx(response)
    action = dict(zip(rows[0], rows[1], strict=False))
    assert action["Narrative"] == NASTY[1] and action["Soft outcomes"] == NASTY[4]
    assert sorted(_as_typed(cell for row in _xlsx_cells(response) for cell in row)) == sorted(NASTY)
    assert dict(zip(rows[0], rows[2], strict=False))["Actual value"] == 78.5
    assert _no_formulas(response)


def test_an_item_with_no_return_is_listed_as_not_started(client, alice, monitored, q1):
    client.force_login(alice)
    rows = _csv(client.get(_returns_url("csv")))
    assert [row[7] for row in rows[1:]] == ["Not started", "Not started"]


@pytest.mark.parametrize(("persona", "status"), [("carol", 200), ("mel", 200), ("ada", 200), ("police_partner", 404)])
def test_the_returns_export_is_for_whoever_may_read_the_plan(client, request, monitored, q1, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_returns_url("xlsx")).status_code == status


def test_returns_of_an_unknown_quarter_or_an_unapproved_plan_are_not_found(client, alice, monitored, periods):
    make_plan(owner=alice, slug="draft-plan", title="Draft plan", status=Plan.Status.DRAFT)
    client.force_login(alice)
    assert client.get(_returns_url("csv", period="2099-q1")).status_code == 404
    assert client.get(_returns_url("csv", slug="draft-plan")).status_code == 404


def test_returns_of_a_quarter_the_plan_does_not_run_in_are_not_found(client, alice, monitored, periods):
    monitoring.financial_year_create(start_year=2020, user=None)
    client.force_login(alice)
    assert client.get(_returns_url("csv", period="2020-q1")).status_code == 404


def test_the_helpers_escape_csv_text_but_write_xlsx_text_as_typed_in_string_cells():
    from openpyxl import Workbook

    from config.spreadsheets import csv_cell, set_xlsx_cell, xlsx_value

    assert [csv_cell(text) for text in NASTY] == ["'" + text for text in NASTY]
    assert csv_cell("-5") == "'-5" and csv_cell(Decimal("-5")) == Decimal("-5") and csv_cell(None) == ""
    assert xlsx_value("\x01=cmd") == "=cmd"  # control characters XML cannot carry are dropped
    assert xlsx_value(-5) == -5 and xlsx_value("plain") == "plain"
    cell = Workbook().active["A1"]
    set_xlsx_cell(cell, "=SUM(A2:A9)")
    assert cell.value == "=SUM(A2:A9)" and cell.data_type == "s"


def test_export_query_counts_do_not_grow_with_the_plan(client, monitored, q1, alice, bob):
    """Each export reads the plan in a fixed number of queries, however many items."""
    client.force_login(alice)
    urls = [
        reverse("monitoring:plan-export", args=[monitored.slug, "csv"]),
        reverse("monitoring:returns-export", args=[monitored.slug, q1.slug, "xlsx"]),
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    small = counts()
    for n in range(6):
        action = add_item(monitored, monitored.priority, "action", title=f"More {n}", lead_officer=bob)
        add_item(monitored, action, "target", title=f"Measure {n}")
    assert counts() == small
    assert max(small) <= 10


def test_the_plan_export_ends_with_each_actions_budget_profile(client, alice, monitored):
    """Issue 17 (decision 0023): the export carries the budget profile in a last column, which
    the plan import leaves alone (it reads the columns it knows)."""
    for year, cost_type, source, amount in ((2013, "revenue", "Grant", 4000), (2014, "capital", "", 2500)):
        planning_services.budget_line_add(
            item_id=monitored.action.pk, user=alice, year=year, cost_type=cost_type, funding_source=source,
            amount=amount, reason="Budget set",
        )  # fmt: skip
    client.force_login(alice)
    rows = _csv(client.get(_plan_url("csv")))
    assert rows[0][-1] == "Budget profile"
    action = dict(zip(rows[0], rows[3], strict=True))
    assert action["Title"] == monitored.action.title
    assert action["Budget profile"] == "2013/14 revenue, Grant: £4,000; 2014/15 capital: £2,500"
    assert dict(zip(rows[0], rows[4], strict=True))["Budget profile"] == ""  # the target has none
    assert _xlsx(client.get(_plan_url("xlsx")))[0][-1] == "Budget profile"
