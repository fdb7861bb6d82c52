"""Take over ``ContentPack`` from learning: state only, the table stays."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("learning", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentPack",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="pack id")),
                        ("version", models.CharField(max_length=40, verbose_name="version")),
                        ("title_vi", models.CharField(max_length=200)),
                        ("title_en", models.CharField(blank=True, max_length=200)),
                        ("framework_slug", models.CharField(max_length=50)),
                        ("content_hash", models.CharField(editable=False, max_length=64)),
                        ("license", models.CharField(blank=True, max_length=60)),
                        ("imported_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "learning_contentpack",
                        "verbose_name": "content pack",
                        "verbose_name_plural": "content packs",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
