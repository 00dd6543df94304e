"""config.timestamps: the fast `timestamptz` loader reads what Django's loader reads."""

from datetime import UTC

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from config.timestamps import UtcIsoTimestamptzLoader

pytestmark = pytest.mark.django_db

VALUES = [
    "2026-05-01 10:00:00.123456+00",
    "2026-05-01 10:00:00+00",
    "2026-05-01 10:00:00.1+02",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def test_connections_in_utc_read_timestamps_with_it():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)
    assert loader is UtcIsoTimestamptzLoader


def test_it_reads_the_same_values_as_djangos_loader():
    with connection.cursor() as cursor:
        for text in VALUES:
            cursor.execute("SELECT %s::timestamptz", [text])
            (value,) = cursor.fetchone()

            class DjangoLoader(BaseTzLoader):
                timezone = UTC

            expected = DjangoLoader(1184, connection.connection).load(
                cursor.execute("SELECT %s::timestamptz::text", [text]).fetchone()[0].encode()
            )
            assert value == expected and value.tzinfo is UTC, text


def test_values_python_cannot_hold_fail_as_with_djangos_loader():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'infinity'::timestamptz")
        with pytest.raises(DataError):
            cursor.fetchone()
