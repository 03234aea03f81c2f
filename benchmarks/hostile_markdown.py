"""python -m benchmarks.hostile_markdown: text written to be slow, rendered as Markdown
(issue 12, item 2).

Two measures, each against a baseline measured in the same run, interleaved and in
alternating order (``benchmarks.measure.interleaved``):

1. The renderer alone (``config.markdown.sanitised_markdown``: cmark-gfm, then nh3) on
   each case of a hostile corpus at the length a comment or description may have
   (10,000 characters), against ordinary prose of the same length. The target: every case
   within 50 ms per 10 KB.
2. What a person meets: a plan's comments page holding ten such comments at the limit,
   rendered afresh (the Markdown cache emptied before each view, as after a change),
   against the same page holding ten ordinary comments of the same length. Before this
   issue, one comment of 10,000 ``[`` took this page 12 s.

Throwaway SQLite database (or BENCHMARK_DATABASE_URL). Figures go into
docs/performance.md ("Hostile Markdown (issue 12)").
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="gt-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.measure import REPEAT, build, interleaved, page  # noqa: E402
from config.markdown import cached_markdown, sanitised_markdown  # noqa: E402
from config.text import TEXT_LIMIT  # noqa: E402
from partners.models import Organisation, User  # noqa: E402
from planning import lifecycle  # noqa: E402

TARGET_MS_PER_10KB = 50
PROSE = "The service will raise standards in every school, working with governors and partners. "


def _fill(unit: str) -> str:
    return (unit * (TEXT_LIMIT // len(unit) + 1))[:TEXT_LIMIT]


# Each case repeats one pattern to the length a comment may have. The first two are the
# issue's; the rest are the shapes that make Markdown parsers backtrack or nest.
CORPUS = {
    "[ repeated (the issue's)": _fill("["),
    "[a]( repeated (the issue's)": _fill("[a]("),
    "![ repeated": _fill("!["),
    "[] repeated": _fill("[]"),
    "*a repeated": _fill("*a"),
    "_a repeated": _fill("_a"),
    "*a ** repeated": _fill("*a **"),
    "`a repeated": _fill("`a"),
    "< repeated": _fill("<"),
    "<a repeated": _fill("<a"),
    "<!-- repeated": _fill("<!--"),
    "& repeated": _fill("&"),
    "\\ repeated": _fill("\\"),
    "> nesting": _fill(">"),
    "list nesting": "".join("  " * i + "- a\n" for i in range(60)) * 3,
    "numbered lines": _fill("1. a\n"),
    "headings": _fill("# a\n"),
    "setext underlines": _fill("a\n=\n"),
    "fences": _fill("```\n"),
    "table, 100 columns": _fill("|" + "a|" * 100 + "\n|" + "-|" * 100 + "\n"),
    "link reference definitions": _fill("[a]: <"),
    "everything at once": _fill("*[`_<a"),
}


def _renderer(text: str):
    return lambda: sanitised_markdown(text)


def _comments_page(client: Client, url: str):
    def view():
        cached_markdown.cache_clear()  # the view right after a change: nothing remembered
        page(client, url)

    return view


def main() -> None:
    call_command("migrate", verbosity=0)
    baseline = _fill(PROSE)
    sizes = {name: len(text) for name, text in CORPUS.items()}
    medians = interleaved({"baseline: prose": _renderer(baseline), **{n: _renderer(t) for n, t in CORPUS.items()}})
    base = medians.pop("baseline: prose")
    print(f"\nThe renderer alone, median of {REPEAT}, interleaved; baseline prose of {len(baseline):,} characters")
    print(f"{'case':<32} {'chars':>7} {'ms':>8} {'ms/10KB':>8} {'ratio':>7}")
    print(
        f"{'baseline: prose':<32} {len(baseline):>7,} {base * 1000:>8.2f} {base * 1000 * 10240 / len(baseline):>8.2f} {1:>7.2f}"
    )
    misses = []
    for name, seconds in medians.items():
        per_10kb = seconds * 1000 * 10240 / sizes[name]
        print(f"{name:<32} {sizes[name]:>7,} {seconds * 1000:>8.2f} {per_10kb:>8.2f} {seconds / base:>7.2f}")
        if per_10kb > TARGET_MS_PER_10KB:
            misses.append(name)

    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    owner = User.objects.create(username="bench", organisation=council)
    calm, hostile = (build(owner, slug, priorities=2, actions=2, per_action=1) for slug in ("calm", "hostile"))
    worst = ["[ repeated (the issue's)", "[a]( repeated (the issue's)", "everything at once", "*a ** repeated"]
    for n in range(10):
        lifecycle.comment_add(plan=calm, user=owner, body=_fill(f"{n} {PROSE}"))
        lifecycle.comment_add(plan=hostile, user=owner, body=CORPUS[worst[n % len(worst)]][:-2] + f"{n:02d}")
    client = Client()
    client.force_login(owner)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        pages = interleaved(
            {
                name: _comments_page(client, reverse("planning:plan-comments", args=[plan.slug]))
                for name, plan in (("ten ordinary comments", calm), ("ten hostile comments", hostile))
            }
        )
    calm_s, hostile_s = pages["ten ordinary comments"], pages["ten hostile comments"]
    print(f"\nThe comments page, rendered afresh, ten comments of {TEXT_LIMIT:,} characters each")
    print(f"  baseline, ordinary comments: {calm_s * 1000:.1f} ms")
    print(f"  hostile comments:            {hostile_s * 1000:.1f} ms  ({hostile_s / calm_s:.2f}x)")
    print(
        f"\ntarget (every case within {TARGET_MS_PER_10KB} ms per 10 KB): "
        + ("all met" if not misses else f"missed: {misses}")
    )


if __name__ == "__main__":
    main()
