"""The free-text medical summary (which no form could set) becomes medical conditions, one per pupil that had
one, noted as coming from earlier school records; the field is then retired (0007)."""

from django.db import migrations


def _short(text):
    return text if len(text) <= 150 else text[:149].rstrip() + "\u2026"


def summaries_to_conditions(apps, schema_editor):
    Pupil = apps.get_model("pupils", "Pupil")
    MedicalCondition = apps.get_model("pupils", "MedicalCondition")
    rows = [
        MedicalCondition(
            trust_id=p.trust_id,
            pupil_id=p.pk,
            condition=_short(p.medical_summary.strip()),
            details=p.medical_summary.strip() if len(p.medical_summary.strip()) > 150 else "",
            source="mis",
        )
        for p in Pupil.objects.exclude(medical_summary="").only("pk", "trust_id", "medical_summary").iterator()
        if p.medical_summary.strip()
    ]
    MedicalCondition.objects.bulk_create(rows, batch_size=500)


def conditions_to_summaries(apps, schema_editor):
    Pupil = apps.get_model("pupils", "Pupil")
    MedicalCondition = apps.get_model("pupils", "MedicalCondition")
    for c in MedicalCondition.objects.filter(source="mis").iterator():
        Pupil.objects.filter(pk=c.pupil_id).update(medical_summary=(c.details or c.condition)[:500])


class Migration(migrations.Migration):
    dependencies = [("pupils", "0005_health_conditions_and_plans")]

    operations = [migrations.RunPython(summaries_to_conditions, conditions_to_summaries)]
