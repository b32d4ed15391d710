"""Point-in-time recovery, rehearsed on a throwaway cluster of its own (`make pitr-drill`)."""

from __future__ import annotations

import subprocess

from django.conf import settings


def test_recovery_to_a_time_between_two_writes_keeps_the_first_and_not_the_second():
    result = subprocess.run(
        [str(settings.BASE_DIR / "scripts" / "pitr_drill.sh")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "first write present, second write absent" in result.stdout
