"""Running the same work in several threads at once, each on its own database connection
(PostgreSQL only: SQLite's IMMEDIATE transactions serialise writers anyway)."""

import threading
from collections.abc import Callable


def at_once(count: int, work: Callable[[], object], *, start_together: bool = True) -> list[object]:
    """``work()`` in ``count`` threads; returns what each returned or raised, in the order they
    finished. With ``start_together`` they wait for each other before starting."""
    from django.db import connection

    results: list[object] = []
    barrier = threading.Barrier(count, timeout=10)

    def run() -> None:
        try:
            if start_together:
                barrier.wait()
            results.append(work())
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
