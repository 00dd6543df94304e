"""Real concurrency against PostgreSQL, for the writes that must stay exact (DATA_MODEL.md §1.7):
one thread and one database connection per request, all released together by a barrier.

Tests using these need `pytest.mark.django_db(transaction=True)`: each thread opens its own
connection, which sees only committed rows.
"""

import threading

from django.db import connections
from rest_framework.test import APIClient


def run_at_once(requests):
    """Runs each zero-argument callable in its own thread, released together; their results."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)
    errors = []

    def worker(index, request):
        try:
            barrier.wait()
            results[index] = request()
        except Exception as exc:  # reported below, so a failing thread fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def clients_sharing_token(client_for, user, count):
    """`count` clients sharing one token of `user`: a test client is not safe to share across
    threads."""
    token = client_for(user).raw_token
    made = [APIClient() for _ in range(count)]
    for client in made:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return made
