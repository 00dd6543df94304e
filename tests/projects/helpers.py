"""Small helpers shared by the projects tests."""

import threading

from django.db import connections


def assert_error(response, status, code):
    """The error shape of spec/API.md §4, asserting on the stable `code`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    return body


def run_concurrently(target, count):
    """Runs `target(index)` in `count` threads released together; returns their results.

    Each thread closes its own database connection, so the test database can be dropped.
    """
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # the test asserts on what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
