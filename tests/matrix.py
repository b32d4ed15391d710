"""The permission matrix: every URL × (anonymous, other school, same school without the
capability, with the capability) → expected status.

Each area lists its rows in `tests/<area>/permission_rows.py` as ROWS; tests/test_permissions.py
joins them into one table and fails when a URL pattern has no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    name: str  # URL pattern name (namespaced if the app uses a namespace)
    # path(world, school) -> the URL for that school; objects are made in `school` by the row
    path: Callable[[Any, Any], str]
    allowed: str | None  # persona in sdcz holding the capability (None: public page)
    denied: str | None = None  # persona in sdcz without it (None when every member may)
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)
    # effect(world) -> bool: what the allowed request changes (a POST's service ran). The
    # matrix checks it is False before (the refused requests changed nothing) and True after.
    effect: Callable[[Any], bool] | None = None
