"""Search tokens become (token, entry) pairs: the primary key is the table's only index.

The weight column (ranking takes field weights from the entry itself), the surrogate id and the
second index on (entry, token) go: together they were more than half of a national fallback's
4.4 GB. Django cannot turn a single-column primary key into a composite one in place, so the
table is re-created, given the code-point collation again (see 0002) and refilled from each
entry's own token list, so that an upgraded site searches at once without a rebuild.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "portal_search_searchtoken"
ENTRIES = "portal_search_searchentry"


def refill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN token TYPE varchar(64) COLLATE "C"')
        schema_editor.execute(
            f"INSERT INTO {TABLE} (token, entry_id) "  # noqa: S608 -- fixed table names
            f"SELECT DISTINCT t.token, e.id FROM {ENTRIES} e, "
            f"unnest(string_to_array(e.tokens, ' ')) AS t(token) WHERE t.token <> ''"
        )
        return
    entry_model = apps.get_model("portal_search", "SearchEntry")
    token_model = apps.get_model("portal_search", "SearchToken")
    rows = []
    for pk, tokens in entry_model.objects.values_list("pk", "tokens").iterator(chunk_size=2000):
        rows.extend(token_model(entry_id=pk, token=t) for t in set(tokens.split()))
        if len(rows) >= 5000:
            token_model.objects.bulk_create(rows, batch_size=1000)
            rows = []
    token_model.objects.bulk_create(rows, batch_size=1000)


def refill_old(apps, schema_editor):
    """Going back: the old table from the entries' token lists (weights as 1: they were unused)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN token TYPE varchar(64) COLLATE "C"')
        schema_editor.execute(
            f"INSERT INTO {TABLE} (token, weight, entry_id) "  # noqa: S608 -- fixed table names
            f"SELECT DISTINCT t.token, 1, e.id FROM {ENTRIES} e, "
            f"unnest(string_to_array(e.tokens, ' ')) AS t(token) WHERE t.token <> ''"
        )
        return
    entry_model = apps.get_model("portal_search", "SearchEntry")
    token_model = apps.get_model("portal_search", "SearchToken")
    for pk, tokens in entry_model.objects.values_list("pk", "tokens").iterator(chunk_size=2000):
        token_model.objects.bulk_create([token_model(entry_id=pk, token=t) for t in set(tokens.split())])


class Migration(migrations.Migration):
    dependencies = [("portal_search", "0002_code_point_collation")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, refill_old),
        migrations.DeleteModel(name="SearchToken"),
        migrations.CreateModel(
            name="SearchToken",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey("token", "entry", blank=True, editable=False, serialize=False),
                ),
                ("token", models.CharField(max_length=64)),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="token_rows",
                        to="portal_search.searchentry",
                    ),
                ),
            ],
        ),
        migrations.RunPython(refill, migrations.RunPython.noop),
    ]
