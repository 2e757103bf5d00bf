"""Pupil search: a normalised text column, filled for existing pupils, and on PostgreSQL a trigram index
(pg_trgm, a trusted extension the database owner may create) so "contains" stays fast at 50,000 pupils."""

from django.db import migrations, models
from django_scopes import scopes_disabled

TRIGRAM_INDEX = "pupils_pupil_search_trgm"


def fill(apps, schema_editor):
    from pupils.search_text import search_text_for

    Pupil = apps.get_model("pupils", "Pupil")
    with scopes_disabled():
        batch = []
        for pupil in Pupil.objects.using(schema_editor.connection.alias).only(
            "legal_forename", "legal_surname", "preferred_forename", "preferred_surname", "upn", "former_upn"
        ).iterator(chunk_size=2000):
            pupil.search_text = search_text_for(pupil)
            batch.append(pupil)
            if len(batch) == 2000:
                Pupil.objects.bulk_update(batch, ["search_text"])
                batch = []
        if batch:
            Pupil.objects.bulk_update(batch, ["search_text"])


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON pupils_pupil USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("pupils", "0004_contact_large_print"),
    ]

    operations = [
        migrations.AddField(
            model_name="pupil",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
