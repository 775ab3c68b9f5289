"""Empty values in a render context: a guard may test them, a template may never print them.

`StrictUndefined` blocks a message whose template names a value that does not exist, but
a value that exists and is empty (a contact without a title, `None` or `""`) would print
as nothing: `About your role as  at`. `mark_empty` replaces each such value with an
`Empty`, an undefined that is false in `{% if %}`, that `| fallback(...)` and
`| default(...)` replace, and that blocks the message, naming the value, when printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2

# Where each top-level name's values come from, to say how to fill one in.
_REMEDY = {
    "contact": "give the contact {article} {field}",
    "sighting": "fill in {field} in the lead export",
    "sender": (
        "set {field} for the sender in followup.toml ([sender], or the [senders.NAME] "
        "profile this message uses)"
    ),
    "event": "give the event {article} {field}",
}
_PER_CONTACT = ("contact", "sighting")


class Empty(jinja2.StrictUndefined):
    """An empty value: false and empty to tests, equal to what it was; printing it fails.

    Example: for a contact without a title, `{% if contact.title %}` is false,
    `{{ contact.title | fallback("your role") }}` gives "your role" and `{{ contact.title }}`
    raises UndefinedError("contact.title is empty for this contact; fix: ...").
    """

    __slots__ = ("_value",)

    # StrictUndefined types each of these as always raising; here only printing raises.

    def __init__(self, hint: str | None = None, name: str | None = None, value: Any = None):
        super().__init__(hint=hint, name=name)
        self._value = value

    def __bool__(self) -> bool:  # type: ignore[override]
        return False

    def __len__(self) -> int:  # type: ignore[override]
        return 0

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(())

    def __contains__(self, item: object) -> bool:  # type: ignore[override]
        return False

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, Empty) or bool(self._value == other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not self == other

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._value)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def empty_message(name: str, root: str, field: str) -> str:
    """Why a message is blocked, and the two ways to fix it.

    Example: empty_message("contact.title", "contact", "title") -> "contact.title is empty
    for this contact; fix: give the contact a title, or write {% if contact.title %}…{% endif %}
    / {{ contact.title | fallback("…") }}".
    """
    words = field.replace("_", " ")
    remedy = _REMEDY.get(root, "").format(
        field=words, article="an" if words[:1] in "aeiou" else "a"
    )
    where = " for this contact" if root in _PER_CONTACT else ""
    guards = f'{{% if {name} %}}…{{% endif %}} / {{{{ {name} | fallback("…") }}}}'
    return f"{name} is empty{where}; fix: {remedy + ', or ' if remedy else ''}write {guards}"


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if key.isidentifier() else f'{prefix}["{key}"]'


def _mark(values: dict[str, Any], prefix: str, root: str) -> dict[str, Any]:
    marked: dict[str, Any] = {}
    for key, value in values.items():
        name = _key(prefix, str(key))
        if isinstance(value, dict):
            marked[key] = _mark(value, name, root)
        elif is_empty(value):
            # A top-level field by its name ("title"), a column of a mapping quoted.
            field = str(key) if prefix == root else f'"{key}"'
            marked[key] = Empty(empty_message(name, root, field), name, value)
        else:
            marked[key] = value
    return marked


def mark_empty(context: dict[str, Any]) -> dict[str, Any]:
    """A copy of `context` whose empty values (None, blank text) are `Empty`.

    Only values inside the top-level mappings are marked (`contact.title`,
    `sighting.lead["Hiring For"]`, `sender.signature`); a top-level None such as
    `previous` on the first stage stays None, so `{% if previous %}` and
    `{% if previous is none %}` keep working.
    """
    return {
        key: _mark(value, key, key) if isinstance(value, dict) else value
        for key, value in context.items()
    }
