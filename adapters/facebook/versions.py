"""Graph API versions and the dates Meta retires them, as data, and the warning an account gets
when its configured version is near its end.

The table is Meta's "Versions" changelog (developers.facebook.com/docs/graph-api/changelog/
versions, read 2026-12): each version is available until its expiration date, then calls made
with it are served by the oldest available version (Meta, "Platform Versioning"), so a pinned
version silently changes behaviour. A version Meta has not dated yet is None. An account can
override the date with its ``graph_version_expires`` setting (ISO date) when Meta publishes
one the table does not have yet.
"""

from __future__ import annotations

from datetime import date, timedelta

GRAPH_VERSION_EXPIRES: dict[str, date | None] = {
    "v26.0": None,  # released 2026-07-29, expiry TBD
    "v25.0": date(2028, 7, 29),
    "v24.0": date(2028, 2, 18),
    "v23.0": date(2027, 10, 8),
    "v22.0": date(2027, 5, 20),
    "v21.0": date(2027, 1, 21),
    "v20.0": date(2026, 9, 24),
    "v19.0": date(2026, 5, 21),
    "v18.0": date(2026, 1, 26),
    "v17.0": date(2025, 9, 12),
    "v16.0": date(2025, 5, 14),
    "v15.0": date(2024, 11, 20),
    "v14.0": date(2024, 9, 17),
    "v13.0": date(2024, 5, 28),
}
WARN_BEFORE = timedelta(days=90)


def expires_on(version: str, override: str | None = None) -> date | None:
    """When `version` expires: the account's override (an ISO date) or the table's date.

    Raises ValueError for an override that is not a date."""
    if override:
        return date.fromisoformat(override)
    return GRAPH_VERSION_EXPIRES.get(version)


def version_notice(version: str, today: date, override: str | None = None) -> str | None:
    """One line when `version` expires within 90 days (or has), else None."""
    try:
        expiry = expires_on(version, override)
    except ValueError:
        return f"facebook: graph_version_expires {override!r} is not a date (YYYY-MM-DD)"
    if expiry is None:
        if version not in GRAPH_VERSION_EXPIRES:
            return (
                f"facebook: Graph API {version} is not in crosspost's version table: check "
                "Meta's changelog and set graph_version_expires if Meta dates it"
            )
        return None
    if today >= expiry:
        return (
            f"facebook: Graph API {version} expired on {expiry.isoformat()}: Graph now serves "
            "the oldest available version instead; set graph_version to a current version"
        )
    if today >= expiry - WARN_BEFORE:
        days = (expiry - today).days
        return (
            f"facebook: Graph API {version} expires on {expiry.isoformat()} (in {days} days): "
            "set graph_version to a newer version before then"
        )
    return None
