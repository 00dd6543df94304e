"""URLs of the billing API and the assertions its tests share."""

import threading

from django.db import connection

BILLING = "/api/v1/billing/"
WEBHOOK = f"{BILLING}stripe/webhook/"


def agent_purchase_url(agent):
    return f"/api/v1/marketplace/agents/{agent.pk}/purchase/"


def base_purchase_url(base):
    return f"/api/v1/marketplace/bases/{base.pk}/purchase/"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    return body


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def keyed(key):
    """Request headers carrying an Idempotency-Key."""
    return {"HTTP_IDEMPOTENCY_KEY": key}


def in_threads(count, work):
    """Runs `work(index)` in `count` threads released at once; each closes its connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
