"""python -m benchmarks (make benchmark): the app's main pages on a generated council, in one run.

Generates a small council (``manage.py generate_council``: 4 plans, 80 items, so its largest
service plan has about 20 items) and the large one (40 plans, 20,000 items, 8 quarters, 300
people; its largest service plan has 2,000 items) into a throwaway SQLite database (or
BENCHMARK_DATABASE_URL, emptied first). BENCHMARK_LARGE_DB=/path/large.sqlite3 uses a council
generated earlier instead (the file is copied first and migrated; never written to).
BENCHMARK_SCALE=small measures the small council only, for a quick run.

Every figure is a ratio to a baseline measured beside it (benchmarks/measure.py ``paired``):
each sample of a page is paired with one of the baseline, the order alternating pair by pair,
and the ratio is the median of the pairs' ratios (BENCHMARK_REPEAT pairs, 7 by default).

- Pages, against a plain Django view rendering 500 rows from one query (benchmarks/urls.py),
  each "cached" (viewed again, nothing changed) and "cold" (the first view after an edit in
  the same plan: before each sample an action's title is changed through
  ``planning.services.item_update``, with its history row, alternating between two actions).
- The public plan page and item page (issue 16) as an anonymous reader reads them, the
  measured plan published first: cached and cold like the others, with their query counts.
- The officer's loop as one unit each: "edit then see" (the item edit form posted through the
  client, then the page it redirects to: the plan opened at the item's part) and "move" (the move form got and posted, to a real new parent).
- Query counts per persona (owner, another officer of the organisation, a partner the plan is
  shared with, an elected member, an administrator) at both sizes.
- What the cache holds after 30 edits and views; a signed-in request against an anonymous one;
  each page's size and its size on the wire when gzip is accepted.
- The scorecard pack PDF against bare WeasyPrint rendering the very same HTML
  (BENCHMARK_PDF_REPEAT pairs, 3 by default). The plan PDF is benchmarks/pdfs.py's.

The issue 14 targets are checked at the end and each is printed met or missed with its figure
(the exit status stays 0: a benchmark reports, CI does not run it).
"""

import gzip
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="gt-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.cache import cache, caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape  # noqa: E402

from api import services as api_services  # noqa: E402
from benchmarks.measure import REPEAT, Pairs, count_queries, paired  # noqa: E402
from config import pdf  # noqa: E402
from monitoring import scorecard_pack  # noqa: E402
from monitoring.models import ProgressReturn, ReportingPeriod  # noqa: E402
from partners.models import User  # noqa: E402
from planning import lifecycle, services  # noqa: E402
from planning.forms import ItemEditForm  # noqa: E402
from planning.models import Edition, Plan, PlanItem  # noqa: E402

PDF_PAIRS = int(os.environ.get("BENCHMARK_PDF_REPEAT", "3"))
LARGE_DB = os.environ.get("BENCHMARK_LARGE_DB", "")
SIZES = {
    # largest service plan ~20 items; 60 people, so that a partner organisation it is shared with has a user
    "small": {"plans": 4, "items": 80, "quarters": 2, "people": 60},
    "large": {"plans": 40, "items": 20000, "quarters": 8, "people": 300},  # largest service plan 2,000
}
PAGE_TARGET, EDIT_SEE_TARGET, MOVE_TARGET, SIGNED_IN_TARGET = 2.0, 2.0, 1.0, 1.3
MAX_QUERIES, WIRE_TARGET_KB, PDF_TARGET = 10, 400, 1.2
MEMORY_EDITS = 30
BASELINE = "/baseline/"


_STARTED = time.perf_counter()


def _progress(message: str) -> None:
    """Where a long run has got to, on stderr (stdout is the report)."""
    print(f"[{time.perf_counter() - _STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


# --- the council -------------------------------------------------------------------------------


def _council(size: str) -> str:
    """Make the database hold the council of ``size``; say where it came from."""
    if size == "large" and LARGE_DB:
        if connection.vendor != "sqlite":
            raise SystemExit("BENCHMARK_LARGE_DB is a SQLite file: run without BENCHMARK_DATABASE_URL")
        copy = Path(_tmp) / "large.sqlite3"
        start = time.perf_counter()
        shutil.copyfile(LARGE_DB, copy)
        connection.close()
        connection.settings_dict["NAME"] = str(copy)
        call_command("migrate", verbosity=0)
        cache.clear()
        return f"copied from {LARGE_DB} and migrated in {time.perf_counter() - start:.1f} s"
    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    start = time.perf_counter()
    call_command("generate_council", seed=1, verbosity=0, **SIZES[size])
    return f"generated {SIZES[size]} in {time.perf_counter() - start:.1f} s"


@dataclass
class Subjects:
    """What is measured: the largest service plan (no plans beneath it, so both sizes compare
    like with like) and things in it."""

    plan: Plan
    items: int
    action: PlanItem  # its page, edit form and history; also one of the two items edited
    other_action: PlanItem  # the other item edited, in another part of the plan
    lead: User  # the busiest lead officer, for "my returns"
    period: ReportingPeriod
    edition: Edition
    word: str  # searched for
    moving: PlanItem  # a target moved between two actions
    parents: tuple[int, int]
    thread_priority: PlanItem | None  # the corporate priority most linked to (issue 17)
    personas: dict[str, User | None] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def _subjects() -> Subjects:
    leaves = Plan.objects.filter(rght=F("lft") + 1)
    plan = leaves.annotate(n=Count("items")).order_by("-n", "pk").first()
    actions = list(plan.items.filter(kind="action").order_by("tree_id", "lft"))
    action, other_action = actions[len(actions) // 40], actions[len(actions) // 2]
    moving = (
        PlanItem.objects.filter(plan=plan, kind="target", rght=F("lft") + 1, parent__kind="action")
        .exclude(parent__in=[action, other_action])
        .order_by("tree_id", "lft")
        .first()
    )
    after = [a for a in actions if a.lft > moving.parent.rght or a.rght < moving.parent.lft]
    new_parent = next((a for a in after if a.lft > moving.parent.rght), after[-1])
    lead = (
        User.objects.filter(led_items__kind__in=["action", "target"], is_active=True)
        .annotate(n=Count("led_items"))
        .order_by("-n", "pk")
        .first()
    )
    subjects = Subjects(
        plan=plan,
        items=plan.n,
        action=action,
        other_action=other_action,
        lead=lead,
        period=ReportingPeriod.objects.filter(returns__item__plan=plan).order_by("-starts_on").first(),
        edition=Edition.objects.filter(plan=plan).order_by("-moment").first(),
        word=plan.items.filter(kind="priority").order_by("lft").first().title.split()[0],
        moving=moving,
        parents=(moving.parent_id, new_parent.pk),
        thread_priority=PlanItem.objects.filter(plan__kind=Plan.Kind.CORPORATE, kind="priority", level=1)
        .annotate(n=Count("links_in"))
        .order_by("-n", "pk")
        .select_related("plan")
        .first(),
    )
    active = User.objects.filter(is_active=True).order_by("pk")
    shared_with = plan.shares.values("organisation_id")
    found = {
        "owner": (plan.owner, "the plan has no owner"),
        "officer": (
            active.filter(role=User.Role.OFFICER, organisation=plan.organisation).exclude(pk=plan.owner_id).first(),
            "no other officer in the plan's organisation",
        ),
        "partner": (
            active.filter(role=User.Role.PARTNER, organisation_id__in=shared_with).first(),
            "the plan is shared with no partner organisation that has an active user",
        ),
        "member": (active.filter(role=User.Role.MEMBER).first(), "no elected member"),
        "admin": (active.filter(role=User.Role.ADMIN).first(), "no administrator"),
    }
    for persona, (user, reason) in found.items():
        subjects.personas[persona] = user
        if user is None:
            subjects.missing[persona] = reason
    return subjects


# --- what a cold view is cold after ------------------------------------------------------------


class Editor:
    """Changes the title of one of two actions of the plan in turn, through the service (with
    its history row), each time to a new title: every edit is a real change, and between two
    edits of one action the other has changed, so nothing either edit invalidates is cached."""

    REASON = "Benchmark edit"

    def __init__(self, subjects: Subjects):
        self.owner = subjects.plan.owner
        self.titles = {item.pk: item.title for item in (subjects.action, subjects.other_action)}
        self.order = list(self.titles)
        self.edits = 0
        self.last_pk, self.last_title, self.previous_title = 0, "", ""

    def next_item(self) -> PlanItem:
        item = PlanItem.objects.get(pk=self.order[self.edits % 2])
        self.edits += 1
        self.last_pk, self.previous_title = item.pk, item.title
        self.last_title = f"{self.titles[item.pk]} (edit {self.edits})"
        return item

    def stale(self, html: str) -> bool:
        """The page shows the edited item's title as it was before the last edit, not as it is."""
        return escape(self.previous_title) in html and escape(self.last_title) not in html

    def __call__(self) -> None:
        item = self.next_item()
        services.item_update(
            item_id=item.pk,
            user=self.owner,
            change=services.ItemChange({"title": self.last_title}),
            expected_version=item.version,
            reason=self.REASON,
        )

    def form_data(self) -> tuple[str, dict]:
        """The next edit as the item edit form posts it: its URL and fields."""
        item = self.next_item()
        form = ItemEditForm(kind=item.kind, instance=item, initial={"version": item.version})
        data = {}
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            elif value is not None:
                data[name] = str(value)
        data.update(title=self.last_title, reason=self.REASON)
        return reverse("planning:item-edit", args=[item.plan.slug, item.pk]), data


# --- measuring ---------------------------------------------------------------------------------


def _get(client: Client, url: str, **headers):
    response = client.get(url, headers=headers)
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def _ok(client: Client, url: str):
    response = _get(client, url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def _request_queries(request, before=None) -> list[str]:
    """The queries of one request (after ``before``, untimed). A request that happened to
    refresh the session's activity stamp, which writes the session once a minute
    (config/session_timeouts.py), is made again: the count is that of a typical request."""
    for _ in range(2):
        if before is not None:
            before()
        queries = count_queries(request)
        if not any(q.lstrip().upper().startswith("UPDATE") and "django_session" in q for q in queries):
            break
    return queries


@dataclass
class PageResult:
    cached: Pairs | None
    cold: Pairs | None
    queries_cached: int
    queries_cold: int
    kb: float
    wire_kb: float
    encoding: str
    gzip_kb: float  # what gzip -6 would send (for comparison; not what the server sent)
    stale: bool = False  # the cold view did not show the edit


def _sizes(client: Client, url: str) -> tuple[float, float, str, float]:
    plain = _ok(client, url).body
    asked = _get(client, url, accept_encoding="gzip")
    encoding = asked.get("Content-Encoding", "none")
    wire = int(asked["Content-Length"]) if asked.has_header("Content-Length") else len(asked.body)
    return len(plain) / 1024, wire / 1024, encoding, len(gzip.compress(plain, 6)) / 1024


def _pages(s: Subjects, clients: dict[str, Client]) -> dict[str, tuple[Client, str]]:
    owner, slug, action = clients["owner"], s.plan.slug, s.action.pk
    return {
        "plan page": (owner, reverse("planning:plan-detail", args=[slug])),
        # where an officer lands after editing that action: its part opened (?open=); the
        # action is one of the two the cold samples edit in turn
        "plan page opened at an action": (owner, reverse("planning:plan-detail", args=[slug]) + f"?open={action}"),
        "item page": (owner, reverse("planning:item-detail", args=[slug, action])),
        "item edit form (GET)": (owner, reverse("planning:item-edit", args=[slug, action])),
        "alignment report": (owner, reverse("planning:plan-alignment", args=[slug])),
        # the near-duplicates of the plan's actions and targets in every plan (issue 18, decision
        # 0034): searched again after the edit (cold), from the cache when nothing changed
        "near-duplicates (the plan's)": (owner, reverse("planning:plan-duplicates", args=[slug])),
        "past view (its edition)": (owner, reverse("planning:plan-as-of", args=[slug]) + f"?edition={s.edition.pk}"),
        "comparison (edition, now)": (
            owner,
            reverse("planning:plan-compare", args=[slug]) + f"?from=edition-{s.edition.pk}&to=now",
        ),
        "search": (owner, reverse("planning:search") + f"?q={s.word}"),
        "scorecard (latest quarter)": (owner, reverse("monitoring:scorecard", args=[slug, s.period.slug])),
        "my returns (busiest lead)": (clients["lead"], reverse("monitoring:my-returns")),
        "plan history": (owner, reverse("planning:plan-history", args=[slug])),
        "item history": (owner, reverse("planning:item-history", args=[slug, action])),
        # the published plan as anyone reads it, signed in or not (issue 16): one cached outline
        # for every public reader; the anonymous reader's answer carries ETag and Cache-Control
        "public plan page": (clients["anonymous"], reverse("public:plan-detail", args=[slug])),
        "public item page": (clients["anonymous"], reverse("public:item-detail", args=[slug, action])),
        # the read API (issue 16): the plan's items in one page (up to 2,000), the owner's token
        "API page of items": (clients["api"], reverse("api:item-list", args=[slug]) + "?page_size=2000"),
    } | (
        {}
        if s.thread_priority is None
        else {
            # what contributes to a corporate priority across every plan (issue 17): the thread
            # followed through the council's links, ratings, targets and costs
            "thread view of a corporate priority": (
                owner,
                reverse("monitoring:item-contributions", args=[s.thread_priority.plan.slug, s.thread_priority.pk]),
            )
        }
    )


def _measure_pages(pages: dict, base, editor: Editor, timings: bool) -> dict[str, PageResult]:
    results = {}
    for name, (client, url) in pages.items():
        _progress(name)

        def view(c=client, u=url):
            return _ok(c, u)

        cached = paired(base, view, REPEAT) if timings else None
        cold = paired(base, view, REPEAT, prepare=editor) if timings else None
        view()
        queries_cached = len(_request_queries(view))
        queries_cold = len(_request_queries(view, before=editor))
        shows_edit = (
            name == "plan page"
            or name.startswith("plan page opened")
            or (name in ("item page", "public item page") and editor.last_pk == editor.order[0])
        )
        stale = shows_edit and editor.stale(view().body.decode())
        results[name] = PageResult(cached, cold, queries_cached, queries_cold, *_sizes(client, url), stale=stale)
    return results


def _edit_then_see(owner: Client, plan_url: str, base, editor: Editor) -> Pairs:
    """POST of the item edit form, then the page it sends the officer to (the plan opened at
    the edited item's part, ``?open=``): one unit."""
    pending = {}

    def prepare():
        pending["url"], pending["data"] = editor.form_data()

    def unit():
        response = owner.post(pending["url"], pending["data"])
        if response.status_code != 302:
            errors = getattr(response.context.get("form"), "errors", "") if response.context else ""
            raise SystemExit(f"the item edit form answered {response.status_code}: {errors}")
        landing = response["Location"]
        if not landing.startswith(plan_url):
            raise SystemExit(f"the item edit form sent the officer to {landing}, not the plan")
        _ok(owner, landing)

    return paired(base, unit, REPEAT, prepare=prepare)


def _move(owner: Client, s: Subjects, base) -> Pairs:
    """GET of the move form, then its POST moving the target to the other action: one unit."""
    url = reverse("planning:item-move", args=[s.plan.slug, s.moving.pk])

    def unit():
        current = PlanItem.objects.values_list("parent_id", flat=True).get(pk=s.moving.pk)
        new_parent = s.parents[1] if current == s.parents[0] else s.parents[0]
        _ok(owner, url)
        response = owner.post(url, {"parent": new_parent, "position": 1, "reason": "Benchmark move"})
        if response.status_code != 302:
            errors = getattr(response.context.get("form"), "errors", "") if response.context else ""
            raise SystemExit(f"the move form answered {response.status_code}: {errors}")

    return paired(base, unit, REPEAT)


def _personas(s: Subjects, clients: dict[str, Client], editor: Editor) -> dict[str, dict[str, str]]:
    """Queries of each persona's request to the plan page, item page and scorecard, cold (after
    an edit) and cached; a page the persona may not see shows its status instead."""
    pages = {
        "plan page": reverse("planning:plan-detail", args=[s.plan.slug]),
        "item page": reverse("planning:item-detail", args=[s.plan.slug, s.action.pk]),
        "scorecard": reverse("monitoring:scorecard", args=[s.plan.slug, s.period.slug]),
    }
    table: dict[str, dict[str, str]] = {}
    for persona, user in s.personas.items():
        if user is None:
            continue
        client = clients[persona]
        row = table[persona] = {}
        for name, url in pages.items():
            for state in ("cold", "cached"):
                answers = []
                queries = _request_queries(
                    lambda c=client, u=url, a=answers: a.append(_get(c, u).status_code),
                    before=editor if state == "cold" else None,
                )
                row[f"{name} {state}"] = str(len(queries)) if answers[-1] == 200 else f"({answers[-1]})"
    return table


def _cache_bytes() -> tuple[int, int]:
    """Bytes the default cache holds and its number of entries (Redis: used_memory, keys)."""
    backend = caches["default"]
    if hasattr(backend, "_cache") and isinstance(backend._cache, dict):  # LocMemCache: key -> pickle
        return sum(len(key) + len(value) for key, value in backend._cache.items()), len(backend._cache)
    client = backend._cache.get_client(None, write=False)
    return client.info("memory")["used_memory"], client.dbsize()


def _memory(s: Subjects, pages: dict, editor: Editor) -> list[tuple[str, int, int]]:
    """What the cache holds after the first views, and after 10 and 30 edits each followed by
    the same views."""
    views = [pages[name] for name in ("plan page", "item page", "scorecard (latest quarter)")]
    cache.clear()
    for client, url in views:
        _ok(client, url)
    held = [("after one view of each", *_cache_bytes())]
    for edit in range(1, MEMORY_EDITS + 1):
        editor()
        for client, url in views:
            _ok(client, url)
        if edit in (10, MEMORY_EDITS):
            held.append((f"after {edit} edits and views", *_cache_bytes()))
    return held


def _signed_in(owner: Client) -> dict:
    """A signed-in request against an anonymous one, to /health/ and to a missing page."""
    anonymous = Client()
    result = {}
    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a "Not Found" line per request
    for name, url, status in (("/health/", "/health/", 200), ("a missing page (404)", "/no-such-page/", 404)):

        def ask(client, u=url, expected=status):
            response = client.get(u)
            if response.status_code != expected:
                raise SystemExit(f"{u} answered {response.status_code}")

        result[name] = paired(lambda: ask(anonymous), lambda: ask(owner), REPEAT * 3)
    queries = _request_queries(lambda: owner.get("/health/"))
    result["health queries"] = queries
    result["health session queries"] = [q for q in queries if "django_session" in q or "partners_user" in q]
    return result


def _bare_weasyprint(s: Subjects):
    """WeasyPrint's own work on the document the pack renders: the same HTML (with the SVG
    styles config/pdf.py adds), the same print stylesheet parsed once, the same PDF/UA
    tagging; without the app's queries, template and fetcher. (Without the stylesheet and
    tagging, as before issue 14, it laid out a different, unstyled document.)"""
    html = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + pdf.SVG_STYLE,
                  scorecard_pack.scorecard_pack_html(s.plan, s.period, False))  # fmt: skip
    stylesheet = weasyprint.CSS(filename=finders.find(pdf.PRINT_CSS), url_fetcher=pdf.LocalFetcher())

    def bare():
        document = weasyprint.HTML(string=html, base_url=settings.SITE_URL, url_fetcher=pdf.LocalFetcher())
        return document.write_pdf(stylesheets=[stylesheet], **pdf.PDF_OPTIONS)

    return bare


def _pdf(s: Subjects, warm: bool) -> tuple[Pairs, int]:
    queries = len(count_queries(lambda: scorecard_pack.scorecard_pack_html(s.plan, s.period, False)))
    pairs = paired(
        _bare_weasyprint(s), lambda: scorecard_pack.render_scorecard(s.plan, s.period, False), PDF_PAIRS, warm=warm
    )
    return pairs, queries


def _warm_pdf(s: Subjects) -> None:
    """WeasyPrint's first document loads fonts and parses its stylesheets: do that on the small
    council, so that the large one's pairs need no warm-up of their own (one would cost 40 s)."""
    _bare_weasyprint(s)()
    scorecard_pack.render_scorecard(s.plan, s.period, False)


def _measure(size: str, timings: bool, warm_pdf: bool = True) -> dict:
    """One council: every page's queries and sizes; with ``timings``, everything else too."""
    origin = _council(size)
    s = _subjects()
    clients = {}
    for persona, user in [*s.personas.items(), ("lead", s.lead)]:
        if user is not None:
            clients[persona] = Client()
            clients[persona].force_login(user)  # before measuring: a sign-in writes the user's history
    base_client = clients["owner"]
    clients["anonymous"] = Client()  # the public pages' reader (issue 16)
    if not s.plan.is_public:  # the generated plans are approved; the measured one is published
        lifecycle.plan_publish(plan=s.plan, user=s.plan.owner, reason="Published for the benchmark")
        s.plan.refresh_from_db()
    # the API reads no session: its client sends the owner's token (made before measuring)
    _, secret = api_services.token_create(
        person=s.plan.owner, name="Benchmark", expires_on=timezone.localdate() + timedelta(days=1)
    )
    clients["api"] = Client(headers={"Authorization": f"Bearer {secret}"})

    def base():
        return _ok(base_client, BASELINE)

    editor = Editor(s)
    pages = _pages(s, clients)
    print(
        f"\n{size}: {PlanItem.objects.count()} items in {Plan.objects.count()} plans, "
        f"{ProgressReturn.objects.count()} returns, {User.objects.count()} people ({origin}); "
        f"measured plan {s.plan.slug}: {s.items} items; quarter {s.period.slug}; database {connection.vendor}; "
        f"cache {caches['default'].__class__.__name__}"
    )
    result = {"subjects": s, "pages": _measure_pages(pages, base, editor, timings)}
    result["personas"] = _personas(s, clients, editor)
    if timings:
        plan_url = pages["plan page"][1]
        result["edit then see"] = _edit_then_see(clients["owner"], plan_url, base, editor)
        result["move"] = _move(clients["owner"], s, base)
        result["memory"] = _memory(s, pages, editor)
        result["signed in"] = _signed_in(clients["owner"])
        result["pdf"] = _pdf(s, warm_pdf)
    elif size == "small":
        _warm_pdf(s)
    result["baseline queries"] = len(_request_queries(base))
    result["baseline kb"] = len(base().body) / 1024
    _print(size, result)
    return result


# --- printing ----------------------------------------------------------------------------------


def _ratio(pairs: Pairs | None) -> str:
    return f"{pairs.ratio:>6.2f}x" if pairs else f"{'-':>7}"


def _ms(pairs: Pairs | None) -> str:
    return f"{pairs.page_median * 1000:>8.1f}" if pairs else f"{'-':>8}"


def _print(size: str, r: dict) -> None:
    s = r["subjects"]
    print(
        f"pages (ratio: median of {REPEAT} interleaved pairs' page/baseline ratios; cold: after an edit "
        f"of an action's title in the plan; q: queries of one request; KB: body; wire: asked with gzip)"
    )
    print(
        f"{'page':<28} {'cached ms':>9} {'ratio':>7} {'cold ms':>8} {'ratio':>7} {'q cached':>8} {'q cold':>6} "
        f"{'KB':>8} {'wire KB':>8} {'encoding':>8} {'gzip -6':>8}"
    )
    print(f"{'baseline: 500 rows':<28} {'':>9} {'':>7} {'':>8} {'':>7} {r['baseline queries']:>8} {'':>6} "
          f"{r['baseline kb']:>8.0f}")  # fmt: skip
    for name, p in r["pages"].items():
        flag = "  COLD VIEW DID NOT SHOW THE EDIT" if p.stale else ""
        print(
            f"{name:<28} {_ms(p.cached):>9} {_ratio(p.cached)} {_ms(p.cold)} {_ratio(p.cold)} {p.queries_cached:>8} "
            f"{p.queries_cold:>6} {p.kb:>8.0f} {p.wire_kb:>8.0f} {p.encoding:>8} {p.gzip_kb:>8.0f}{flag}"
        )
    if "edit then see" in r:
        first_base = r["edit then see"].baseline_median * 1000
        print(f"baseline median beside the officer's loop: {first_base:.1f} ms")
        for name, label in (("edit then see", "edit then see (POST form + plan page)"),
                            ("move", "move through the form (GET + POST)")):  # fmt: skip
            print(f"{label:<40} {_ms(r[name])} ms {_ratio(r[name])}")
    print(f"queries per persona (cold: after an edit; (NNN): the page's status, not visible to them), {s.items} items")
    columns = [f"{page} {state}" for page in ("plan page", "item page", "scorecard") for state in ("cold", "cached")]
    print(f"{'persona':<10} " + " ".join(f"{c:>18}" for c in columns))
    for persona, row in r["personas"].items():
        print(f"{persona:<10} " + " ".join(f"{row[c]:>18}" for c in columns))
    for persona, reason in s.missing.items():
        print(f"{persona:<10} skipped: {reason}")
    if "memory" in r:
        print(f"cache held ({caches['default'].__class__.__name__}; locmem: pickled bytes of keys and values)")
        for label, held, entries in r["memory"]:
            print(f"  {label:<28} {held / 1024 / 1024:>9.1f} MB in {entries} entries")
        signed = r["signed in"]
        for name in ("/health/", "a missing page (404)"):
            pairs = signed[name]
            print(
                f"signed in vs anonymous, {name:<22} {pairs.page_median * 1000:.2f} ms vs "
                f"{pairs.baseline_median * 1000:.2f} ms: {pairs.ratio:.2f}x ({len(pairs.page)} pairs)"
            )
        print(
            f"/health/ signed in: {len(signed['health queries'])} queries, "
            f"{len(signed['health session queries'])} of them read the session or the user"
        )
        pdf, queries = r["pdf"]
        print(
            f"scorecard pack PDF {pdf.page_median:.1f} s vs bare WeasyPrint on the same HTML "
            f"{pdf.baseline_median:.1f} s: {pdf.ratio:.2f}x ({len(pdf.page)} interleaved pairs; {queries} queries)"
        )


# --- the verdict -------------------------------------------------------------------------------


def _verdict(small: dict, large: dict) -> list[tuple[bool, str]]:
    lines: list[tuple[bool, str]] = []
    items = large["subjects"].items
    for name, p in large["pages"].items():
        worst = max(p.cold.ratio, p.cached.ratio)
        lines.append((worst <= PAGE_TARGET, f"{name}: cold {p.cold.ratio:.2f}x, cached {p.cached.ratio:.2f}x "
                                            f"(target <= {PAGE_TARGET}x, {items} items)"))  # fmt: skip
        if p.stale:
            lines.append((False, f"{name}: the first view after an edit did not show it (a stale cache)"))
    ratio = large["edit then see"].ratio
    lines.append((ratio <= EDIT_SEE_TARGET, f"edit then see the plan: {ratio:.2f}x (target <= {EDIT_SEE_TARGET}x)"))
    ratio = large["move"].ratio
    lines.append((ratio <= MOVE_TARGET, f"a move through the form: {ratio:.2f}x (target <= {MOVE_TARGET}x)"))
    for name, p in large["pages"].items():
        worst = max(p.queries_cold, p.queries_cached)
        if worst > MAX_QUERIES:
            lines.append((False, f"{name}: {worst} queries (target <= {MAX_QUERIES})"))
        before = small["pages"][name]
        if (before.queries_cold, before.queries_cached) != (p.queries_cold, p.queries_cached):
            lines.append((False, f"{name}: queries cold/cached {before.queries_cold}/{before.queries_cached} at "
                                 f"{small['subjects'].items} items, {p.queries_cold}/{p.queries_cached} at {items}"))  # fmt: skip
    for persona in dict.fromkeys([*small["personas"], *large["personas"]]):
        rows = [small["personas"].get(persona, {}), large["personas"].get(persona, {})]
        figures = {value for row in rows for value in row.values() if not value.startswith("(")}
        counts = [int(value) for value in figures]
        ok = bool(counts) and max(counts) <= MAX_QUERIES and rows[0] == rows[1]
        lines.append((ok, f"queries, {persona}: {sorted(counts)} at {small['subjects'].items} and {items} items"
                          f"{'' if rows[0] == rows[1] else ' (they differ by size)'} (target <= {MAX_QUERIES}, "
                          f"identical)"))  # fmt: skip
    owner_row = large["personas"].get("owner", {})
    differ = [p for p, row in large["personas"].items() if row != owner_row]
    lines.append((not differ, "queries identical for every persona" + (f" (not: {', '.join(differ)} differ from the "
                              "owner)" if differ else "")))  # fmt: skip
    for persona, reason in large["subjects"].missing.items():
        lines.append((False, f"queries, {persona}: not measured ({reason})"))
    first, *_, last = large["memory"]
    bounded = last[1] <= 2 * first[1]
    lines.append((bounded, f"cache memory: {first[1] / 2**20:.1f} MB after the first views, {last[1] / 2**20:.1f} MB "
                           f"{last[0]} (bounded: at most twice the first)"))  # fmt: skip
    for name in ("/health/", "a missing page (404)"):
        ratio = large["signed in"][name].ratio
        lines.append((ratio <= SIGNED_IN_TARGET, f"signed in vs anonymous, {name}: {ratio:.2f}x "
                                                 f"(target <= {SIGNED_IN_TARGET}x)"))  # fmt: skip
    session = large["signed in"]["health session queries"]
    lines.append((not session, f"/health/ touches no session: {len(session)} session or user queries"))
    wire = large["pages"]["plan page"].wire_kb
    lines.append((wire <= WIRE_TARGET_KB, f"plan page on the wire: {wire:.0f} KB with gzip accepted "
                                          f"({large['pages']['plan page'].encoding}; target <= {WIRE_TARGET_KB} KB)"))  # fmt: skip
    pdf, _ = large["pdf"]
    lines.append((pdf.ratio <= PDF_TARGET, f"scorecard pack PDF: {pdf.ratio:.2f}x bare WeasyPrint (issue 7 target "
                                           f"<= {PDF_TARGET}x; CPU and memory: benchmarks/pdfs.py)"))  # fmt: skip
    return lines


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    scale = os.environ.get("BENCHMARK_SCALE", "large")
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"], TEMPLATES=[
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]):  # fmt: skip
        small = _measure("small", timings=scale == "small")
        large = _measure("large", timings=True, warm_pdf=False) if scale == "large" else small
    print(f"\ntargets (issue 14), {scale} council:")
    lines = _verdict(small, large)
    for met, line in lines:
        print(f"  {'met   ' if met else 'MISSED'} {line}")
    missed = sum(not met for met, _ in lines)
    print(f"{missed} of {len(lines)} missed; the run took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
