from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from logistics.models import AuditEvent
from tests.matrix import Row
from tests.notices.helpers import draft, published


def _detail(name):
    def path(world, school):
        return reverse(f"notices:{name}", args=[school.code, draft(world, school).pk])

    return path


def _published(name):
    def path(world, school):
        return reverse(f"notices:{name}", args=[school.code, published(world, school).pk])

    return path


def _public(name):
    def path(world, school):
        notice = published(world, school)
        return reverse(f"notices:{name}", args=[school.code, notice.verify_code])

    return path


def _happened(action):
    def effect(world):
        with scopes_disabled():
            return AuditEvent.objects.filter(school=world.school, action=action).exists()

    return effect


def _versions(world):
    from logistics.notices.models import Notice

    with scopes_disabled():
        return max(Notice.objects.filter(school=world.school).values_list("version", flat=True))


ROWS = [
    Row(
        "notices:list",
        lambda w, s: reverse("notices:list", args=[s.code]),
        allowed="teacher",
        denied="cook",
    ),
    Row(
        "notices:create",
        lambda w, s: reverse("notices:create", args=[s.code]),
        allowed="director",
        denied="teacher",
    ),
    Row(
        "notices:create_table",
        lambda w, s: reverse("notices:create_table", args=[s.code]),
        allowed="director",
        denied="teacher",
    ),
    Row("notices:detail", _detail("detail"), allowed="teacher", denied="cook"),
    Row(
        "notices:edit",
        _detail("edit"),
        allowed="director",
        denied="teacher",
        method="post",
        data={"notes": "x", "publication_days": 7},
        ok=(302,),
        effect=_happened("notice.edited"),
    ),
    Row("notices:replace_table", _detail("replace_table"), allowed="director", denied="teacher"),
    Row(
        "notices:submit",
        _detail("submit"),
        allowed="director",
        denied="teacher",
        method="post",
        ok=(302,),
        effect=_happened("notice.submitted"),
    ),
    Row(
        "notices:correct",
        _published("correct"),
        allowed="director",
        denied="teacher",
        method="post",
        ok=(302,),
        effect=lambda w: _happened("notice.drafted")(w) and _versions(w) > 1,
    ),
    Row(
        "notices:withdraw",
        _published("withdraw"),
        allowed="principal",
        denied="director",
        method="post",
        data={"reason": "重复发布"},
        ok=(302,),
        effect=_happened("notice.withdrawn"),
    ),
    Row("notices:print_draft", _detail("print_draft"), allowed="director", denied="teacher"),
    Row("notices:board", lambda w, s: reverse("notices:board", args=[s.code]), allowed=None),
    Row("notices:public", _public("public"), allowed=None),
    Row("notices:pdf", _public("pdf"), allowed=None),
    Row("notices:pdf_status", _public("pdf_status"), allowed=None),
    Row("notices:xlsx", _public("xlsx"), allowed=None),
    Row(
        "notices:verify",
        lambda w, s: reverse("notices:verify", args=[published(w, s).verify_code]),
        allowed=None,
    ),
]
