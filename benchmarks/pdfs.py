"""python -m benchmarks.pdfs: the plan PDF and the scorecard pack PDF, WeasyPrint against
headless Chromium printing the same HTML (issue 14).

For the generated small council and the large one (``manage.py generate_council --seed 1``;
its largest service plan has 2,000 items), it measures each PDF as the worker produces it
(``render_plan`` / ``render_scorecard``, database reads and template included) in a fresh
child process, and headless Chromium printing the very same HTML with the print
stylesheet inlined, in the same run: pairs interleaved, the order within a pair
alternated from round to round, ``BENCHMARK_PDF_REPEAT`` rounds (default 2; PDFs of
2,000 items take tens of seconds each, so the run stays within a few minutes).

Each figure is the child's own: CPU seconds (user + system) and peak resident memory
(``os.wait4``: the same numbers as ``getrusage(RUSAGE_CHILDREN)``, for that child alone).
Chromium runs several processes: its CPU is the sum over the ones it waited for, its peak
memory the largest single one; WeasyPrint is one process, so its figures are the worker's.
Medians of the rounds are printed, with WeasyPrint's ratio to Chromium and the targets'
verdict: at 2,000 items each PDF ≤ 25 s of CPU and ≤ 600 MB.

Databases: a throwaway SQLite database, generated (the large council takes about a minute).
``BENCHMARK_COUNCIL_URL`` names a database that already holds the large council (a copy of
one: it is migrated, then only read) to skip that generation. ``BENCHMARK_SCALE=small``
measures the small council only.
"""

import ctypes
import ctypes.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.browser.chromium import CHROMIUM as DEBIAN_CHROMIUM
from tests.browser.chromium import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BENCHMARK_CHROMIUM", DEBIAN_CHROMIUM)
CHROMIUM_FLAGS = ["--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer"]  # the browser tests' flags
REPEAT = int(os.environ.get("BENCHMARK_PDF_REPEAT", "2"))
SIZES = {
    "small": {"plans": 4, "items": 500, "quarters": 2, "people": 30},
    "large": {"plans": 40, "items": 20000, "quarters": 8, "people": 300},
}
CPU_TARGET, MB_TARGET = 25.0, 600  # seconds of CPU, MB of peak memory, at 2,000 items
DOCUMENTS = ("plan PDF", "scorecard pack")


def _django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"  # as in production
    import django

    django.setup()


def _subjects() -> tuple:
    """The largest service plan (no plans beneath it, as ``python -m benchmarks`` measures)
    and its latest quarter with returns."""
    from django.db.models import Count, F

    from monitoring.models import ReportingPeriod
    from planning.models import Plan

    plan = Plan.objects.filter(rght=F("lft") + 1).annotate(n=Count("items")).order_by("-n", "pk").first()
    period = ReportingPeriod.objects.filter(returns__item__plan=plan).order_by("-starts_on").first()
    return plan, period


# --- in the children ------------------------------------------------------------------------


def prepare(size: str, out: Path) -> None:
    """Child: migrate, generate the council unless the database holds one, and write the
    two documents' HTML for Chromium (stylesheet inlined) and what was measured."""
    from django.core.management import call_command

    from config import pdf
    from monitoring import scorecard_pack
    from planning import plan_document
    from planning.models import PlanItem

    call_command("migrate", verbosity=0)
    generated = None
    if not PlanItem.objects.exists():
        start = time.perf_counter()
        call_command("generate_council", seed=1, verbosity=0, **SIZES[size])
        generated = time.perf_counter() - start
    plan, period = _subjects()
    css = Path(pdf._static_path(pdf.PRINT_CSS)).read_text()
    for name, html in {
        "plan PDF": plan_document.plan_document_html(plan),
        "scorecard pack": scorecard_pack.scorecard_pack_html(plan, period, False),
    }.items():
        html = pdf._SVG_OPEN.sub(lambda match: match.group(1) + pdf.SVG_STYLE, html)
        # the stylesheet WeasyPrint is handed, inlined: the file prints with nothing to fetch
        html = html.replace("</head>", f"<style>{css}</style></head>", 1)
        (out / f"{_slug(name)}.html").write_text(html)
    facts = {"items": plan.n, "plan": plan.pk, "slug": plan.slug, "period": period.pk, "quarter": period.slug}
    (out / "subjects.json").write_text(json.dumps({**facts, "generated": generated}))


def render(document: str, plan_pk: int, period_pk: int, out: Path) -> None:
    """Child: one PDF as the worker produces it (monitoring.tasks._render)."""
    from monitoring.models import ReportingPeriod
    from monitoring.scorecard_pack import render_scorecard
    from planning.models import Plan
    from planning.plan_document import render_plan

    plan = Plan.objects.get(pk=plan_pk)
    if document == "plan PDF":
        data = render_plan(plan)
    else:
        data = render_scorecard(plan, ReportingPeriod.objects.get(pk=period_pk), False)
    out.write_bytes(data)


# --- in the parent --------------------------------------------------------------------------


def _slug(name: str) -> str:
    return name.replace(" ", "-")


def _adopt_orphans() -> None:
    """Makes this process the one that reaps its descendants when their parent exits first
    (Linux ``PR_SET_CHILD_SUBREAPER``): Chromium's browser process may exit before its
    renderer, whose CPU would otherwise be counted by nobody."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _child(args: list[str], env: dict | None = None) -> dict:
    """Runs ``args`` as a child process and waits for it and every process it left behind;
    their CPU seconds (summed), peak MB (the largest single process) and wall seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603 (our own commands)
    errors = process.stderr.read().decode(errors="replace")  # until it closes: no pipe fills up
    process.stderr.close()
    cpu, peak, status = 0.0, 0, 0
    while True:
        try:
            pid, code, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
        if pid == process.pid:
            status = code
    process.returncode = status  # reaped here, not by subprocess
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{args[:4]} failed ({status}):\n{errors[-2000:]}")
    return {"cpu": cpu, "mb": peak / 1024, "wall": wall}


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _measure(size: str, database_url: str, work: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    here = [sys.executable, "-m", "benchmarks.pdfs"]
    _child([*here, "--prepare", size, str(work)], env)
    subjects = json.loads((work / "subjects.json").read_text())
    profile = work / "chromium-profile"

    def weasyprint(name):
        out = work / f"{_slug(name)}-weasyprint.pdf"
        figures = _child([*here, "--render", name, str(subjects["plan"]), str(subjects["period"]), str(out)], env)
        return {**figures, "pages": _pages(out)}

    def chromium(name):
        out = work / f"{_slug(name)}-chromium.pdf"
        page = (work / f"{_slug(name)}.html").as_uri()
        figures = _child([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}", page])
        return {**figures, "pages": _pages(out)}

    chromium("plan PDF")  # warm-up: Chromium's profile and the disk cache, not measured
    engines = {"WeasyPrint": weasyprint, "Chromium": chromium}
    samples: dict = {(name, engine): [] for name in DOCUMENTS for engine in engines}
    for round_ in range(REPEAT):
        for name in DOCUMENTS:
            order = list(engines) if round_ % 2 == 0 else list(reversed(engines))
            for engine in order:
                samples[name, engine].append(engines[engine](name))
    medians = {
        key: {field: statistics.median(run[field] for run in runs) for field in ("cpu", "mb", "wall", "pages")}
        for key, runs in samples.items()
    }
    generated = f"generated in {subjects['generated']:.0f} s" if subjects["generated"] else "council given"
    print(
        f"\n{size} ({generated}): plan {subjects['slug']}, {subjects['items']} items; quarter {subjects['quarter']}; "
        f"median of {REPEAT} round{'s' * (REPEAT != 1)}, pairs interleaved"
    )
    print(f"{'document':<16} {'engine':<11} {'CPU s':>7} {'peak MB':>8} {'wall s':>7} {'pages':>6}")
    for (name, engine), m in medians.items():
        print(f"{name:<16} {engine:<11} {m['cpu']:>7.1f} {m['mb']:>8.0f} {m['wall']:>7.1f} {m['pages']:>6.0f}")
    for name in DOCUMENTS:
        ours, theirs = medians[name, "WeasyPrint"], medians[name, "Chromium"]
        print(
            f"{name}: WeasyPrint / Chromium = {ours['cpu'] / theirs['cpu']:.1f}x CPU, "
            f"{ours['mb'] / theirs['mb']:.1f}x peak memory"
        )
    return {"items": subjects["items"], "medians": medians}


def _verdict(large: dict) -> list[str]:
    misses = []
    if large["items"] < 2000:
        return ["the targets are for 2,000 items: run the large council to check them"]
    for name in DOCUMENTS:
        m = large["medians"][name, "WeasyPrint"]
        if m["cpu"] > CPU_TARGET:
            misses.append(f"{name}: {m['cpu']:.1f} s of CPU (target at most {CPU_TARGET:.0f} s)")
        if m["mb"] > MB_TARGET:
            misses.append(f"{name}: {m['mb']:.0f} MB at its peak (target at most {MB_TARGET} MB)")
    return misses


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is not installed (Debian's chromium; BENCHMARK_CHROMIUM for another)")
    _adopt_orphans()
    with tempfile.TemporaryDirectory(prefix="gt-pdfs-") as tmp:
        results = {}
        scale = os.environ.get("BENCHMARK_SCALE", "large")
        for size in ["small", "large"] if scale == "large" else ["small"]:
            work = Path(tmp) / size
            work.mkdir()
            given = os.environ.get("BENCHMARK_COUNCIL_URL") if size == "large" else None
            results[size] = _measure(size, given or f"sqlite:///{work}/council.sqlite3", work)
        misses = _verdict(results.get("large", results["small"]))
    print("\ntargets: " + ("all met" if not misses else "missed:\n  " + "\n  ".join(misses)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        _django(os.environ["DATABASE_URL"])
        prepare(sys.argv[2], Path(sys.argv[3]))
    elif sys.argv[1:2] == ["--render"]:
        _django(os.environ["DATABASE_URL"])
        render(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
