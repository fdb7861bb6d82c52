"""PostgreSQL only: make ``programs_fact`` a table partitioned by year.

Declarative partitioning (``PARTITION BY RANGE (year)``), one partition per
year 2024–2030 plus a default partition; later years get theirs from
``hocvuso.programs.partitions.fact_partition_ensure`` when first written. The
primary key keeps ``year`` (the partition key) and ``province_code`` (the key a
Citus deployment distributes by, docs/scaling.md). Existing rows are copied.
SQLite keeps the plain table.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FIRST, LAST = 2024, 2030
PK = '(year, level, province_code, commune_code, month, indicator, "group")'


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as c:
        c.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = 'programs_fact'"
        )
        if c.fetchone():
            return
        c.execute("ALTER TABLE programs_fact RENAME TO programs_fact_plain")
        c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'programs_fact_plain'"
        )
        for (name,) in c.fetchall():
            c.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_plain"')
        c.execute(
            "CREATE TABLE programs_fact (LIKE programs_fact_plain "
            "INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (year)"
        )
        c.execute(f"ALTER TABLE programs_fact ADD CONSTRAINT programs_fact_pkey PRIMARY KEY {PK}")
        c.execute(
            "CREATE INDEX programs_fact_rollup ON programs_fact "
            "(indicator, year, level, province_code)"
        )
        for year in range(FIRST, LAST + 1):
            c.execute(
                f"CREATE TABLE programs_fact_y{year} PARTITION OF programs_fact "
                f"FOR VALUES FROM ({year}) TO ({year + 1})"
            )
        c.execute("CREATE TABLE programs_fact_default PARTITION OF programs_fact DEFAULT")
        c.execute("INSERT INTO programs_fact SELECT * FROM programs_fact_plain")
        c.execute("DROP TABLE programs_fact_plain")


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as c:
        c.execute(
            "CREATE TABLE programs_fact_plain (LIKE programs_fact "
            "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        c.execute("INSERT INTO programs_fact_plain SELECT * FROM programs_fact")
        c.execute("DROP TABLE programs_fact CASCADE")
        c.execute("ALTER TABLE programs_fact_plain RENAME TO programs_fact")
        c.execute(f"ALTER TABLE programs_fact ADD CONSTRAINT programs_fact_pkey PRIMARY KEY {PK}")
        c.execute(
            "CREATE INDEX programs_fact_rollup ON programs_fact "
            "(indicator, year, level, province_code)"
        )


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("programs", "0002_rollup_lock")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
