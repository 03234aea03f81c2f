"""``manage.py db_worker`` in a process of its own, whose PDF renderer says it has started
(it creates the file named on the command line) and then waits for ever: the test that runs
it kills the process there, mid-render, as an out-of-memory kill or a lost server would.

    python -m tests.monitoring.worker_that_blocks /tmp/started

Only this process's renderer is replaced, and only for the test that starts it; nothing in
the application knows of it.
"""

import sys
import threading
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from config import pdf  # noqa: E402


def _started_then_wait(html: str) -> bytes:
    Path(sys.argv[1]).touch()
    threading.Event().wait()  # until killed
    raise AssertionError("unreachable")


pdf.html_to_pdf = _started_then_wait
call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "--verbosity", "0")
