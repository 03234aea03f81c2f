"""How the app is served out of the box (issue 12 items 20 and 25): with the friendly error
pages and the static files whatever DEBUG says, Django's technical pages only when
DEBUG=1 asks for them, and links in PDFs and emails to the address the app is reached at
(``SITE_URL``), which production takes from ALLOWED_HOSTS or refuses to guess.

Settings are read once per process, so each case runs in a process of its own."""

import os
import subprocess
import sys

from tests.test_security_settings import ROOT, _production

# a request for a missing page and for a static file, as a browser would make them
REQUESTS = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.test import Client\n"
    "client = Client(HTTP_HOST='127.0.0.1')\n"
    "missing = client.get('/no-such-page/')\n"
    "page = missing.content.decode()\n"
    "css = client.get('/static/app/app.css')\n"
    "print(settings.DEBUG, missing.status_code, 'Go to the list of plans' in page, 'URLconf' in page, css.status_code)\n"
)


def _development(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` as ``make run`` runs the app: nothing set but what ``env`` adds."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "DJANGO_ENV", "SITE_URL", "DATABASE_URL"}
    }
    return subprocess.run(  # noqa: S603 - a fixed interpreter and code, no shell
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_out_of_the_box_a_missing_page_is_the_friendly_one_and_static_files_are_served(tmp_path):
    result = _development(REQUESTS, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["False", "404", "True", "False", "200"]


def test_debug_1_brings_back_the_technical_pages_for_development(tmp_path):
    result = _development(REQUESTS, tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["True", "404", "False", "True", "200"]


def test_development_links_point_where_the_app_is_served(tmp_path):
    code = "import django; django.setup()\nfrom django.conf import settings\nprint(settings.SITE_URL)\n"
    assert _development(code, tmp_path).stdout.split()[-1] == "http://127.0.0.1:8000"
    served = _development(code, tmp_path, SITE_URL="http://10.0.0.5:8765/")
    assert served.stdout.split()[-1] == "http://10.0.0.5:8765"


def test_production_links_point_to_the_first_allowed_host_over_https_unless_told():
    code = "import django; django.setup()\nfrom django.conf import settings\nprint(settings.SITE_URL)\n"
    result = _production(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "https://plans.example.org"
    told = _production("import os; os.environ['SITE_URL'] = 'https://plans.northmoor.gov.uk'\n" + code)
    assert told.stdout.split()[-1] == "https://plans.northmoor.gov.uk"


def test_production_refuses_to_guess_the_address_from_a_host_pattern():
    result = _production("import os; os.environ['ALLOWED_HOSTS'] = '.example.org'\nimport django; django.setup()")
    assert result.returncode != 0 and "Set SITE_URL" in result.stderr


def test_a_site_url_that_is_not_an_address_is_refused():
    for bad in ("plans.example.org", "https://plans.example.org/golden-thread"):
        result = _production(f"import os; os.environ['SITE_URL'] = {bad!r}\nimport django; django.setup()")
        assert result.returncode != 0 and "SITE_URL must be an address" in result.stderr, bad
