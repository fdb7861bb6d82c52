"""Hand ``ContentPack`` to the packs app: state only, the table stays."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("packs", "0001_contentpack_from_learning"),
        # Items and blueprints must point at packs.ContentPack first.
        ("assessment", "0006_pack_fk_to_packs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="course",
                    name="pack",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="courses",
                        to="packs.contentpack",
                    ),
                ),
                migrations.DeleteModel(name="ContentPack"),
            ],
            database_operations=[],
        ),
    ]
