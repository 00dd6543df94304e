"""`manage.py seed_demo` (issue 22): run twice, the second run says it created nothing instead
of reading as if it loaded the data again."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """The projects demo stores an asset; its bytes go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def seed():
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def test_a_second_seed_says_it_created_nothing():
    first = seed()
    assert "Created " in first and " projects" in first and "Nothing created" not in first
    second = seed()
    assert "Nothing created: the demo data was already there." in second
    assert "Demo projects: 0 created." in second
    assert "Created " not in second
