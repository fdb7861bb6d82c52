"""PostgreSQL: the fact table is partitioned by year (declarative partitioning).

Migration ``0003_fact_partition_by_year`` turns ``programs_fact`` into a table
``PARTITION BY RANGE (year)`` with a partition per year from 2024 to 2030 and
a default partition for any other year; :func:`fact_partition_ensure` creates
a year's partition when the refresh first writes it (moving that year's rows
out of the default partition, if any). On SQLite this does nothing.
"""

from __future__ import annotations

from django.db import connection, transaction

TABLE = "programs_fact"
DEFAULT = f"{TABLE}_default"


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year}"


def fact_partitions() -> list[str]:
    """Return the names of the fact table's partitions (empty on SQLite)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s ORDER BY c.relname",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def fact_partition_ensure(year: int) -> bool:
    """Create the partition of ``year`` if missing; return whether it was created."""
    if connection.vendor != "postgresql":
        return False
    name = partition_name(year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return False
        cursor.execute("SELECT to_regclass(%s)", [DEFAULT])
        if cursor.fetchone()[0] is None:  # not partitioned (migration not run)
            return False
        with transaction.atomic():
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x70617274])
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is not None:
                return False
            moved = f"{name}_moving"
            cursor.execute(
                f"CREATE TEMP TABLE {moved} ON COMMIT DROP AS "
                f"SELECT * FROM {DEFAULT} WHERE year = %s",
                [year],
            )
            cursor.execute(f"DELETE FROM {DEFAULT} WHERE year = %s", [year])
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})"
            )
            cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {moved}")
    return True
