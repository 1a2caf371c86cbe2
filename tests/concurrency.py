"""The same work in several threads at once, each on a database connection of its own, as
simultaneous requests would run it (PostgreSQL: SQLite serialises its writers)."""

import threading


def at_once(work, times: int = 2) -> list:
    """What each run of ``work`` returned, or the exception it raised, in thread order."""
    results, barrier = [None] * times, threading.Barrier(times)

    def run(index):
        from django.db import connections

        barrier.wait()
        try:
            results[index] = work()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
