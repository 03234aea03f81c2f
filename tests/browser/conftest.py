"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server, with every page checked by axe-core (WCAG 2.2 A/AA rules).

Use the helpers, not ``page.goto``/``click`` on their own, so that no page escapes the
accessibility check:

* ``visit(page, path)`` opens a page and checks it;
* ``submit(page, button)`` clicks a button that sends a form (or presses a key on it)
  and checks the page the browser lands on, after any redirect;
* ``follow(page, link)`` does the same for a link;
* ``sign_in(page, user)`` does both through the real login form;
* ``field(page, "Narrative")`` finds a form field by its label, with or without
  "(optional)" and never its Welsh twin ("Narrative in Welsh").
"""

import os
import re

# Playwright's sync API runs an event loop in the test's thread; without this Django
# refuses ORM calls made from the test while that loop exists.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402

AXE_SOURCE = (Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TIMEOUT_MS = 10_000

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
  }));
}"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        # Never a silent skip: `make test` installs Chromium, so a missing one is a broken setup.
        pytest.fail(f"{CHROMIUM} is not installed: run `make test` (it installs Debian's chromium)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Where the pages are: the live server. Defined here, it also replaces the stand-in
    pytest-playwright registers when pytest-base-url is not installed, a session fixture
    written as a method, which pytest deprecates (PytestRemovedIn10Warning) on every run."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: the app's CSP (script-src 'self') would otherwise block injecting axe.
    # pytest-playwright puts base_url (above) into the arguments.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def new_context(new_context, browser, browser_context_args):
    """Every context (the ``page`` fixture's and any a test makes) fails fast.

    axe-core cannot run where JavaScript is disabled (its promises never settle), so a
    context made with ``java_script_enabled=False`` gets a JavaScript-enabled companion
    page: ``assert_accessible`` replays the exact HTML the no-JS page received into the
    companion (page scripts blocked, so the DOM stays the no-JS DOM) and runs axe there.
    """
    companions = []

    def make(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        if kwargs.get("java_script_enabled") is False:
            companion = browser.new_context(**browser_context_args)
            companion.set_default_timeout(TIMEOUT_MS)
            companions.append(companion)
            context.axe_companion_page = companion.new_page()
        return context

    yield make
    for companion in companions:
        companion.close()


def _run_axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_RUN_AXE, WCAG_TAGS)


def _run_axe_on_no_js_page(page) -> list[dict]:
    companion = page.context.axe_companion_page
    url = page.url.split("#")[0]
    html = page.content()

    def serve_snapshot(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def block_script(route):
        route.abort()

    companion.route(lambda u: u == url, serve_snapshot)
    companion.route("**/*.js", block_script)
    try:
        companion.goto(url)
        return _run_axe(companion)
    finally:
        companion.unroute_all()


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now and fail on any WCAG 2.x A/AA violation."""
    no_js = hasattr(page.context, "axe_companion_page")
    violations = _run_axe_on_no_js_page(page) if no_js else _run_axe(page)
    if violations:
        lines = [f"axe found {len(violations)} accessibility violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['count']} node(s)]")
            lines.extend(f"    {target}" for target in v["targets"])
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, path: str, status: int = 200):
    """Open ``path`` (relative to the live server), check the status and accessibility."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"GET {path}: expected {status}, got {response.status}"
    assert_accessible(page)
    return response


def submit(page, button, status: int = 200, *, key: str | None = None):
    """Send ``button``'s form (a Locator) and check where the browser lands, after any
    redirect. With ``key`` ("Enter", "Space") the button is focused and the key pressed
    instead of clicking, as a keyboard user would."""
    with page.expect_navigation() as navigation:
        if key:
            button.focus()
            page.keyboard.press(key)
        else:
            button.click()
    response = navigation.value
    assert response is not None, "the form submission produced no response"
    assert response.status == status, (
        f"{response.request.method} {response.url}: expected {status}, got {response.status}"
    )
    assert_accessible(page)
    return response


def sign_in(page, user) -> None:
    """Sign in through the real login form (django-axes sees a real request). Members land
    on their scorecards, everyone else on the plan list."""
    visit(page, "/accounts/login/")
    page.locator("#id_username").fill(user.username)  # by id: the page may be in Welsh
    page.locator("#id_password").fill(PASSWORD)
    submit(page, page.locator("form:has(#id_password) button[type=submit]"))  # not "Sign in with …"
    welsh = page.locator("html").get_attribute("lang") == "cy"
    home = {(True, True): "Cardiau sgorio", (True, False): "Cynlluniau", (False, True): "Scorecards"}.get(
        (welsh, user.role == user.Role.MEMBER), "Plans"
    )
    assert page.get_by_role("heading", level=1, name=home).is_visible(), f"sign-in did not reach {home}"


def field(scope, label: str):
    """The form field labelled ``label``: the label is matched whole, so "Title" finds the
    title and not "Title in Welsh" beside it (docs/decisions/0033); "(optional)", which
    the form template adds to optional fields, may follow."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(optional\))?$"))


def follow(page, link, status: int = 200):
    """Click a link and check the page it opens. Same checks as ``submit``."""
    return submit(page, link, status)


def outline(page) -> list[tuple[str, str, str]]:
    """The plan page's tree as (label, reference, title) rows, in reading order."""
    return [
        tuple(row)
        for row in page.eval_on_selector_all(
            "ol.app-tree > li .app-item__heading",
            """headings => headings.map(h => [
                h.querySelector('.app-item__kind').textContent.trim(),
                (h.querySelector('.app-item__ref') || {textContent: ''}).textContent.trim(),
                h.querySelector('a').textContent.trim(),
            ])""",
        )
    ]
