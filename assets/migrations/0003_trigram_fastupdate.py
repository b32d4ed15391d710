from django.db import migrations

INDEXES = ("asset_code_trgm", "asset_name_trgm", "asset_spec_trgm")


class Migration(migrations.Migration):
    """Back to PostgreSQL's default (fastupdate on): an import of 20,000 books writes the
    trigram entries to the pending list in a second or two instead of half a minute; the
    import and the bench seeder then merge the list (gin_clean_pending_list) so searches
    use the indexes at once."""

    dependencies = [("assets", "0002_stocktakes")]

    operations = [
        migrations.RunSQL(
            [f"ALTER INDEX {i} RESET (fastupdate)" for i in INDEXES],
            [f"ALTER INDEX {i} SET (fastupdate = off)" for i in INDEXES],
        )
    ]
