"""URLs of the billing API and the assertions its tests share."""

BILLING = "/api/v1/billing/"
WEBHOOK = f"{BILLING}stripe/webhook/"


def agent_purchase_url(agent):
    return f"/api/v1/marketplace/agents/{agent.pk}/purchase/"


def base_purchase_url(base):
    return f"/api/v1/marketplace/bases/{base.pk}/purchase/"


def keyed(key):
    """Request headers carrying an Idempotency-Key."""
    return {"HTTP_IDEMPOTENCY_KEY": key}
