"""Point items and blueprints at ``packs.ContentPack``: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0005_session_bank_snapshot"),
        ("packs", "0001_contentpack_from_learning"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="pack",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name=related,
                        to="packs.contentpack",
                    ),
                )
                for model, related in (("item", "items"), ("blueprint", "blueprints"))
            ],
            database_operations=[],
        ),
    ]
