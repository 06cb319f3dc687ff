# A poster may be coloured by a program's own category attribute, "attr:<key>" (issue 12).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("networkmaps", "0008_i18_map_payload_members_digest"),
    ]

    operations = [
        migrations.AlterField(
            model_name="poster",
            name="colour_by",
            field=models.CharField(
                choices=[
                    ("community", "Cluster"),
                    ("cohort", "Cohort"),
                    ("sector", "Sector"),
                    ("region", "Region"),
                    ("organisation", "Organisation"),
                ],
                max_length=50,
            ),
        ),
    ]
