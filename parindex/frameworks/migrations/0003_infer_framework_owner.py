"""Give existing frameworks an owner where the cycles that use them tell which province it is.

A framework whose versions are used by the cycles of exactly one province (a pre-2025
province counted as the current province it went into) becomes that province's; the rest,
unused or shared, stay national (no owner) and only operators manage them.
"""

from django.db import migrations


def infer_owners(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    Cycle = apps.get_model("assessments", "Cycle")
    AdministrativeUnit = apps.get_model("units", "AdministrativeUnit")
    UnitSuccession = apps.get_model("units", "UnitSuccession")

    used = Cycle.objects.values_list("framework_version__framework_id", "province_id").distinct()
    provinces: dict[int, set[int]] = {}
    for framework_id, province_id in used:
        provinces.setdefault(framework_id, set()).add(province_id)
    if not provinces:
        return
    ids = set().union(*provinces.values())
    current = set(AdministrativeUnit.objects.filter(pk__in=ids, era="current", level=1).values_list("pk", flat=True))
    successors: dict[int, set[int]] = {}
    for old, new in UnitSuccession.objects.filter(
        predecessor_id__in=ids - current, successor__era="current", successor__level=1
    ).values_list("predecessor_id", "successor_id"):
        successors.setdefault(old, set()).add(new)

    def today(province_id):
        if province_id in current:
            return province_id
        heirs = successors.get(province_id, set())
        return next(iter(heirs)) if len(heirs) == 1 else None  # none or split: cannot tell

    for framework_id, used_by in provinces.items():
        owners = {today(p) for p in used_by}
        if len(owners) == 1 and None not in owners:
            Framework.objects.filter(pk=framework_id, owner__isnull=True).update(owner_id=owners.pop())


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0002_add_framework_owner"),
        ("assessments", "0001_create_assessments"),
        ("units", "0001_create_units"),
    ]

    operations = [migrations.RunPython(infer_owners, migrations.RunPython.noop)]
