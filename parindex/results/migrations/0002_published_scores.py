import django.db.models.deletion
from decimal import Decimal

from django.db import migrations, models


def backfill(apps, schema_editor):
    """Rows for results published before this table existed, from their ``scores`` JSON.

    The self-assessed score of a node was not frozen then, so it stays empty for them;
    depth, leaf and order come from the framework version's criteria.
    """
    PublishedResult = apps.get_model("results", "PublishedResult")
    PublishedScore = apps.get_model("results", "PublishedScore")
    Criterion = apps.get_model("frameworks", "Criterion")
    shapes = {}
    rows = []
    results = PublishedResult.objects.select_related("publication__approval__cycle").iterator(chunk_size=500)
    for result in results:
        version_id = result.publication.approval.cycle.framework_version_id
        if version_id not in shapes:
            criteria = list(
                Criterion.objects.filter(version_id=version_id).order_by("position").values("id", "parent_id", "code")
            )
            by_id = {c["id"]: c for c in criteria}
            parents = {c["parent_id"] for c in criteria}
            shape = {}
            for c in criteria:
                depth, up = 0, c["parent_id"]
                while up is not None:
                    depth, up = depth + 1, by_id[up]["parent_id"]
                shape[c["code"]] = (depth, c["id"] not in parents)
            order = {c["code"]: i for i, c in enumerate(criteria)}
            shapes[version_id] = (shape, order)
        shape, order = shapes[version_id]
        for code, (score, applicable_max) in result.scores.items():
            depth, is_leaf = shape.get(code, (0, False))
            score = None if score is None else Decimal(score)
            rows.append(
                PublishedScore(
                    result_id=result.pk,
                    publication_id=result.publication_id,
                    unit_id=result.unit_id,
                    code=code,
                    position=order.get(code, 0),
                    depth=depth,
                    is_leaf=is_leaf,
                    score=score,
                    applicable_max=Decimal(applicable_max),
                    lost=Decimal(applicable_max) - score if score is not None else Decimal(0),
                )
            )
        if len(rows) >= 5000:
            PublishedScore.objects.bulk_create(rows)
            rows = []
    PublishedScore.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_create"),
        ("units", "0001_create_units"),
        ("frameworks", "0001_create_frameworks"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedScore",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=32, verbose_name="mã tiêu chí")),
                (
                    "position",
                    models.PositiveIntegerField(
                        help_text="Document order of the node in its framework", verbose_name="thứ tự"
                    ),
                ),
                (
                    "depth",
                    models.PositiveSmallIntegerField(
                        help_text="0: field (lĩnh vực), 1: criterion, 2…: below", verbose_name="cấp"
                    ),
                ),
                ("is_leaf", models.BooleanField(verbose_name="tiêu chí thành phần")),
                (
                    "score",
                    models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name="điểm đạt"),
                ),
                (
                    "self_score",
                    models.DecimalField(
                        blank=True, decimal_places=4, max_digits=9, null=True, verbose_name="điểm tự đánh giá"
                    ),
                ),
                (
                    "applicable_max",
                    models.DecimalField(decimal_places=4, max_digits=9, verbose_name="điểm tối đa áp dụng"),
                ),
                ("lost", models.DecimalField(decimal_places=4, default=0, max_digits=9, verbose_name="điểm bị mất")),
                (
                    "publication",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="results.publication"
                    ),
                ),
                (
                    "result",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="node_scores",
                        to="results.publishedresult",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="units.administrativeunit"
                    ),
                ),
            ],
            options={
                "verbose_name": "điểm tiêu chí đã công bố",
                "verbose_name_plural": "điểm tiêu chí đã công bố",
                "ordering": ["result_id", "position"],
                "indexes": [
                    models.Index(fields=["publication", "depth", "code"], name="publishedscore_pub_depth_idx"),
                    models.Index(fields=["unit", "depth"], name="publishedscore_unit_depth_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("result", "code"), name="publishedscore_unique_code"),
                    models.CheckConstraint(condition=models.Q(("lost__gte", 0)), name="publishedscore_lost_gte_0"),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
