from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """Separate from 0009: PostgreSQL refuses ALTER TABLE while the data migration's FK checks are pending."""

    dependencies = [("clients", "0009_pipelines")]

    operations = [
        migrations.AlterField(
            model_name="deal",
            name="pipeline_stage",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="deals",
                                    to="clients.pipelinestage", verbose_name="stage"),
        ),
    ]
