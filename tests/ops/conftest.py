import pytest

from tests.ops.test_faults import Redis


@pytest.fixture
def redis(tmp_path):
    """A Redis server of the test's own on loopback (throttle counters, the broker)."""
    server = Redis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()
