"""Real concurrency against PostgreSQL, for the writes that must stay exact (DATA_MODEL.md §1.7):
one thread and one database connection per request, all released together by a barrier.

Tests using these need `pytest.mark.django_db(transaction=True)`: each thread opens its own
connection, which sees only committed rows.
"""

import threading
from functools import partial

from django.db import connections
from rest_framework.test import APIClient


def outcomes_at_once(calls):
    """Runs each zero-argument callable in its own thread, released together; what each
    returned, or the exception it raised, in order. Each thread closes its own connections."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the caller asserts on what each thread got
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def outcomes_in_threads(count, work):
    """`work(0)` to `work(count - 1)` at once, as `outcomes_at_once()`."""
    return outcomes_at_once([partial(work, index) for index in range(count)])


def raised(outcomes):
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]


def in_threads(count, work):
    """`work(0)` to `work(count - 1)` at once: (what the calls returned, what they raised)."""
    outcomes = outcomes_in_threads(count, work)
    returned = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    return returned, raised(outcomes)


def run_at_once(requests):
    """Runs each zero-argument callable in its own thread, released together; their results.
    A call that raises fails the test."""
    outcomes = outcomes_at_once(requests)
    assert raised(outcomes) == []
    return outcomes


def clients_sharing_token(client_for, user, count):
    """`count` clients sharing one token of `user`: a test client is not safe to share across
    threads."""
    token = client_for(user).raw_token
    made = [APIClient() for _ in range(count)]
    for client in made:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return made
