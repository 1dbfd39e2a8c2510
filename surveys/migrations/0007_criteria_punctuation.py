"""The default questionnaire's feedback criteria take the commas their element's
heading has ("góp ý, phản ánh, kiến nghị"). Punctuation only: the questions mean
what they meant, so the version and its figures stay as they are."""

from django.db import migrations

CODE = "sipas-service"
TEXTS = {
    "FEEDBACK_1": (
        "Cơ quan có bố trí hình thức tiếp nhận góp ý phản ánh kiến nghị",
        "Cơ quan có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị",
    ),
    "FEEDBACK_2": (
        "Người dân dễ dàng thực hiện góp ý phản ánh kiến nghị",
        "Người dân dễ dàng thực hiện góp ý, phản ánh, kiến nghị",
    ),
    "FEEDBACK_3": (
        "Cơ quan tiếp nhận và xử lý tích cực các góp ý phản ánh kiến nghị",
        "Cơ quan tiếp nhận và xử lý tích cực các góp ý, phản ánh, kiến nghị",
    ),
}


def punctuate(apps, schema_editor, forward=True):
    Criterion = apps.get_model("surveys", "Criterion")
    for code, (old, new) in TEXTS.items():
        before, after = (old, new) if forward else (new, old)
        Criterion.objects.filter(
            questionnaire__code=CODE, code=code, text_vi=before
        ).update(text_vi=after)


def unpunctuate(apps, schema_editor):
    punctuate(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_questionnaire_authoring")]

    operations = [migrations.RunPython(punctuate, unpunctuate)]
