"""python -m benchmarks.hostile_workbooks: how long a return workbook takes to be refused or
accepted through the upload page (issue 12, item 3).

Builds a plan of 2,000 items through the services (20 priorities, 380 actions, 1,520
targets: 1,900 rows, every one open to fill in) in a throwaway SQLite database (or
BENCHMARK_DATABASE_URL), downloads its return workbook and fills in every row, every
column a person writes, each with its own text: a normal full-size upload. That upload
is the baseline. Against it, in the same run, interleaved and in alternating order
(``benchmarks.measure.interleaved``), each hostile workbook of the test corpus
(``tests/monitoring/uploads/corpus.py``: the 2.96 million shared strings of the issue,
200,000 cells, 200,000 rows, a cell of a million characters, 100,000 styles, 5,000
sheets, 100,000 names, half a million elements of settings, 280,000 elements, entity
declarations) and the costliest workbook the limits accept (every limit reached at once,
every row a problem). Each is POSTed to ``monitoring:workbook-upload`` as its uploader
would; the medians are printed in ms and as a ratio to the baseline, with the answer.
The target: every upload refused or accepted within 2 s. Figures go into
docs/performance.md ("Hostile workbooks (issue 12)").
"""

import html
import io
import logging
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="gt-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: static files not collected
warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")  # what it says of hostile styles

import django  # noqa: E402

django.setup()
logging.getLogger("django.request").setLevel(logging.ERROR)  # each refusal is a 400, logged as a warning

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from benchmarks.measure import REPEAT, build, interleaved  # noqa: E402
from monitoring import services as monitoring  # noqa: E402
from monitoring import uploads  # noqa: E402
from monitoring.models import WorkbookUpload  # noqa: E402
from partners.models import Organisation, User  # noqa: E402
from planning.models import Plan  # noqa: E402
from tests.monitoring.uploads import corpus  # noqa: E402

TARGET_SECONDS = 2.0
HOSTILE = [
    corpus.shared_strings_bomb,
    corpus.many_cells,
    corpus.many_rows,
    corpus.long_cell,
    corpus.many_styles,
    corpus.many_sheets,
    corpus.many_names,
    corpus.many_settings,
    corpus.many_elements,
    corpus.entity_expansion,
]
SIZES = {"large": (20, 19, 4), "small": (5, 9, 4)}  # priorities, actions each, targets each


def _full_size_workbook(client: Client, plan: Plan) -> bytes:
    """The plan's workbook for 2013 Q1, every row filled in with texts of its own."""
    download = client.get(reverse("monitoring:workbook-download"), {"period": "2013-q1", "plan": plan.slug})
    sheet = load_workbook(io.BytesIO(download.content))["Returns"]
    kinds = {
        row: sheet.cell(row=row, column=corpus.headings(sheet)["Kind"]).value for row in range(2, sheet.max_row + 1)
    }
    changes = {}
    for row, kind in kinds.items():
        changes[(row, "RAG")] = "Amber"
        changes[(row, "Narrative")] = f"Row {row}: behind plan as " + "staff moved on. " * 20
        changes[(row, "Soft outcomes")] = f"Row {row}: better attendance at the sessions."
        changes[(row, "Next steps")] = f"Row {row}: recruit two officers by the spring."
        changes[(row, "Evidence link")] = f"https://intranet.example.org/evidence/{row}"
        if kind != "Action":
            changes[(row, "Actual value")] = row % 90
    return corpus.edit(download.content, changes)[1]


def _answer(response) -> str:
    """What the uploader is told: the preview, or the start of the message by the field."""
    if response.status_code == 302:
        return "accepted: on to the preview"
    found = re.search(
        r'govuk-error-message"><span class="govuk-visually-hidden">Error:</span>([^<]+)', response.content.decode()
    )
    return html.unescape(found.group(1)).strip()[:70] if found else "no message"


def main() -> None:
    call_command("migrate", verbosity=0)
    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    owner = User.objects.create(username="bench", organisation=council)
    priorities, actions, targets = SIZES[os.environ.get("BENCHMARK_SCALE", "large")]
    started = time.perf_counter()
    plan = build(owner, "p2000", priorities=priorities, actions=actions, per_action=targets)
    plan.status = Plan.Status.APPROVED
    plan.save()
    monitoring.financial_year_create(start_year=2013, user=owner)
    built = time.perf_counter() - started
    client = Client()
    client.force_login(owner)
    answers = {}

    def upload(name: str, content: bytes):
        def post():
            response = client.post(
                reverse("monitoring:workbook-upload"),
                {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)},
            )
            answers[name] = response
            WorkbookUpload.objects.all().delete()  # each upload is previewed afresh, never saved

        return post

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        legit = _full_size_workbook(client, plan)
        rows = len(corpus.rows(legit))
        cases = {f"baseline: full-size workbook, {rows} rows filled in": upload("returns.xlsx", legit)}
        costliest = corpus.at_every_limit()
        cases["costliest the limits accept (every limit)"] = upload("costliest.xlsx", costliest[1])
        sizes = {"returns.xlsx": len(legit), "costliest.xlsx": len(costliest[1])}
        for build_case in HOSTILE:
            name, content = build_case()
            sizes[name] = len(content)
            cases[f"{build_case.__name__} ({name})"] = upload(name, content)
        check = interleaved({"check only": lambda: uploads.check_workbook(SimpleUploadedFile("returns.xlsx", legit))})
        medians = interleaved(cases, REPEAT)

    base = next(iter(medians.values()))
    print(
        f"\ndatabase: {connection.vendor}; plan of {plan.items.count()} items built in {built:.1f} s; "
        f"median of {REPEAT}, interleaved; the full-size workbook's checks alone: {check['check only'] * 1000:.1f} ms"
    )
    print(f"{'upload':<52} {'KB':>6} {'ms':>9} {'ratio':>7}  answer")
    misses = []
    for (label, seconds), name in zip(medians.items(), [*sizes], strict=True):
        response = answers[name]
        answer = f"{response.status_code}, " + _answer(response)
        print(f"{label:<52} {sizes[name] // 1024:>6} {seconds * 1000:>9.1f} {seconds / base:>7.3f}  {answer}")
        if seconds > TARGET_SECONDS:
            misses.append(f"{label}: {seconds:.2f} s")
    print("\ntarget (within 2 s): " + ("all met" if not misses else "missed:\n  " + "\n  ".join(misses)))


if __name__ == "__main__":
    main()
