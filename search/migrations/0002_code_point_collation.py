"""On PostgreSQL, compare search keys in code-point order (the "C" collation).

Prefix searches are range scans (`token >= 'p:buzhai' AND token < 'p:buzhaj'`), which are only
right, and only use the B-tree indexes, when the column sorts by code point. Linguistic
collations (en_US.UTF-8, zh_CN.UTF-8) ignore punctuation such as the ":" of "p:" and sort
Chinese by pinyin. SQLite's default BINARY collation already sorts UTF-8 in code-point order.
"""

from django.db import migrations

COLUMNS = [
    ("portal_search_searchtoken", "token", 64),
    ("portal_search_searchentry", "title_key", 300),
    ("portal_search_searchentry", "core_key", 300),
    ("portal_search_searchentry", "object_id", 20),
]


def to_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


def to_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, length in COLUMNS:
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("portal_search", "0001_initial")]

    operations = [migrations.RunPython(to_c, to_default)]
