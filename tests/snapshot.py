"""The seeded demo, taken once per test process and put back for each test that wants it.

Seeding the demo takes 12-15 seconds (a year of time, meetings, reports with their
charts); two dozen browser scenarios start from it. The first seeds it as `make run` does
and takes a copy of every table; the others get that copy back in well under a second:
PostgreSQL through COPY in binary, SQLite through its backup API. A copy belongs to the
day it was seeded on: a test on another day (a frozen clock) seeds that day's.
"""

import datetime
import sqlite3

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone


class DemoSnapshot:
    def __init__(self) -> None:
        self.copies: dict[datetime.date, list[tuple[str, bytes]] | sqlite3.Connection] = {}

    def seed(self) -> None:
        """The demo as `make run` seeds it, from the copy when there is one for today."""
        today = timezone.localdate()
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            # SQLite cannot copy a database into an open transaction: seed it there
            call_command("seed_demo", verbosity=0)
            return
        if today in self.copies:
            self._restore(self.copies[today])
            return
        # the copy is of everything in the database: it must hold the demo and nothing else
        from accounts.models import User

        assert not User.objects.exists(), "seed the demo copy into an empty database"
        call_command("seed_demo", verbosity=0)
        self.copies[today] = self._take()

    def _take(self) -> list[tuple[str, bytes]] | sqlite3.Connection:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            return copy
        tables = []
        with connection.connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True):
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                    tables.append((table, b"".join(bytes(block) for block in copy)))
        return tables

    def _restore(self, copy) -> None:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            copy.backup(connection.connection)
        else:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("TRUNCATE {} CASCADE".format(", ".join(f'"{t}"' for t, _ in copy)))
                for table, data in copy:
                    with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as rows:
                        rows.write(data)
                models = apps.get_models(include_auto_created=True)
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        ContentType.objects.clear_cache()


demo_snapshot = DemoSnapshot()
