"""Who a reference in a ties file means: an external id, an email or an exact name."""

from __future__ import annotations

import difflib

SUGGESTION_LIMIT = 50  # "did you mean" costs a scan of every name; enough for a bad column


class Directory:
    """Who a reference in a ties file can mean: an external id, an email, or an exact name.

    Keys are whatever the caller uses to identify a member (database ids, placeholders).
    """

    def __init__(self) -> None:
        self.by_id: dict[str, object] = {}
        self.by_email: dict[str, object] = {}
        self.by_name: dict[str, list[object]] = {}
        self._suggestions: dict[str, str | None] = {}

    def add(self, key: object, *, name: str, email: str = "", external_id: str = "") -> None:
        if external_id:
            self.by_id[external_id] = key
        if email:
            self.by_email[email.lower()] = key
        if name:
            self.by_name.setdefault(name, []).append(key)

    def find(self, reference: str) -> tuple[object | None, str]:
        """(key, "") when the reference names one member, else (None, why not)."""
        key = self.by_id.get(reference)
        if key is None:
            key = self.by_email.get(reference.lower())
        if key is not None:
            return key, ""
        keys = self.by_name.get(reference, ())
        if len(keys) == 1:
            return keys[0], ""
        if keys:
            return None, (
                f"{len(keys)} members are named “{reference}”; use their email or ID "
                "to say which one."
            )
        suggestion = self.suggest(reference)
        hint = f" — did you mean “{suggestion}”?" if suggestion else ""
        return None, f"no member “{reference}”{hint}"

    def suggest(self, reference: str) -> str | None:
        if reference in self._suggestions:
            return self._suggestions[reference]
        if len(self._suggestions) >= SUGGESTION_LIMIT:
            return None
        pool = self.by_email if "@" in reference else self.by_name
        lookup = reference.lower() if "@" in reference else reference
        matches = difflib.get_close_matches(lookup, pool.keys(), n=1, cutoff=0.7)
        self._suggestions[reference] = matches[0] if matches else None
        return self._suggestions[reference]
