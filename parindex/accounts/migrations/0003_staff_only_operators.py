"""Data: every user gets the unit they work at (read from their roles), and nobody but an
operator (superuser) stays staff or keeps Django model permissions: people and roles are
managed in the app, within one's own province, not in the admin site."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    by_user: dict[int, list] = {}
    for grant in RoleAssignment.objects.select_related("unit"):
        by_user.setdefault(grant.user_id, []).append(grant.unit)
    for user_id, units in by_user.items():
        provinces = {u.pk if u.level == 1 else u.province_id for u in units}
        if len(provinces) != 1:
            continue  # roles in several provinces: an operator decides
        (province_id,) = provinces
        communes = {u.pk for u in units if u.level != 1}
        at_province = any(u.level == 1 for u in units)
        unit_id = communes.pop() if len(communes) == 1 and not at_province else province_id
        User.objects.filter(pk=user_id, unit__isnull=True).update(unit_id=unit_id)
    ordinary = User.objects.filter(is_superuser=False)
    ordinary.filter(is_staff=True).update(is_staff=False)
    User.user_permissions.through.objects.filter(user__is_superuser=False).delete()
    User.groups.through.objects.filter(user__is_superuser=False).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_unit_account_events")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
