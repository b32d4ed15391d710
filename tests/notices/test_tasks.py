"""Long notices are rendered by the background worker, never inside a request."""

from __future__ import annotations

from django.test import Client
from django_scopes import scopes_disabled

from logistics.notices.models import Rendering
from tests.notices.helpers import fee_snapshot, published, run_worker


def test_a_long_notice_shows_progress_until_the_worker_has_made_its_pdf(
    transactional_db, world, settings
):
    # The worker commits as it goes, so this test runs outside a wrapping transaction.
    settings.NOTICE_INLINE_PDF_ROWS = 10
    notice = published(world, snapshot=fee_snapshot(rows=30))
    client = Client()
    url = f"/public/sdcz/{notice.verify_code}/pdf/"
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert (
        "后台" in waiting.content.decode() and 'hx-trigger="every 2s"' in waiting.content.decode()
    )
    with scopes_disabled():
        assert Rendering.objects.get(notice=notice).status == Rendering.PENDING

    run_worker()

    with scopes_disabled():
        rendering = Rendering.objects.get(notice=notice)
    assert (rendering.status, rendering.progress, rendering.pages) == (Rendering.DONE, 100, 2)
    status = client.get(f"/public/sdcz/{notice.verify_code}/pdf/status/").content.decode()
    assert "hx-trigger" not in status and url in status
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_short_notice_is_rendered_on_first_download_and_stored(world):
    notice = published(world)
    first = Client().get(f"/public/sdcz/{notice.verify_code}/pdf/")
    assert first.status_code == 200
    with scopes_disabled():
        rendering = Rendering.objects.get(notice=notice)
    assert rendering.status == Rendering.DONE and rendering.file.name.endswith(".pdf")
