"""gunicorn.conf.py's hooks, called as gunicorn calls them."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_the_master_freezes_its_objects_before_each_fork():
    """A worker's full garbage collection must not walk the preloaded app (a 100 ms pause)."""
    hooks = runpy.run_path(str(CONF))
    assert hooks["preload_app"] is True
    gc.unfreeze()
    try:
        hooks["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
