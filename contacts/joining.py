"""Write the groups a match founds or joins to one contact, in a few bulk statements.

Most groups of a match found a new contact or join one stored contact; a group that
merges stored contacts goes through `contacts.merge` and the ORM. Through the ORM's unit
of work, founding and joining cost two thirds of a 100,000-sighting match, so they are
written with a few executemany statements instead. The values follow the rules of
`survivorship.attach` and `survivorship.recompute`: every new email and phone is kept with
the sighting it came from, the display fields come from `survivorship.display`, and the
primary email and phone from `survivorship.primary_index`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from contacts.bulk import insert_rows, timestamp, update_rows
from contacts.matching.storage import chunks
from contacts.model import Contact, ContactEmail, ContactPhone, SightingRow, utcnow
from contacts.survivorship import DISPLAY_FIELDS, display, primary_index

# What survivorship reads of a contact's stored sightings.
SURVIVOR_COLUMNS = (
    SightingRow.id, SightingRow.contact_id, SightingRow.full_name, SightingRow.first_name,
    SightingRow.last_name, SightingRow.company, SightingRow.title, SightingRow.linkedin,
    SightingRow.email_keys, SightingRow.phones,
)  # fmt: skip
EMAIL_COLUMNS = ("contact_id", "email", "email_key", "sighting_id", "bounced", "soft_bounces",
                 "is_primary")  # fmt: skip
PHONE_COLUMNS = ("contact_id", "phone", "sighting_id", "is_primary")


@dataclass
class Group:
    """New sightings that found a contact (`contact_id` None) or join a stored one."""

    contact_id: int | None
    sightings: list[SightingRow]  # in the order they are attached


@dataclass
class _Held:
    """A contact's stored emails or phones: row ids, values and primary flags, by id."""

    ids: list[int]
    values: list[str]
    primary: list[bool]


class _Writes:
    """The rows a batch of groups adds or changes, written by `flush`."""

    def __init__(self) -> None:
        self.sightings: list[tuple[int, int]] = []
        self.contacts: list[tuple[Any, ...]] = []
        self.emails: list[tuple[Any, ...]] = []
        self.phones: list[tuple[Any, ...]] = []
        self.email_flags: list[tuple[bool, int]] = []
        self.phone_flags: list[tuple[bool, int]] = []

    def flush(self, session: Session) -> None:
        update_rows(session, SightingRow, ["contact_id"], "id", self.sightings)
        update_rows(session, Contact, [*DISPLAY_FIELDS, "updated_at"], "id", self.contacts)
        insert_rows(session, ContactEmail, EMAIL_COLUMNS, self.emails)
        insert_rows(session, ContactPhone, PHONE_COLUMNS, self.phones)
        update_rows(session, ContactEmail, ["is_primary"], "id", self.email_flags)
        update_rows(session, ContactPhone, ["is_primary"], "id", self.phone_flags)


def write_groups(session: Session, groups: Sequence[Group]) -> list[int]:
    """Found or join each group's contact, in order; returns each group's contact id.

    New contacts are numbered in the order of `groups`. The session's objects stay true:
    each sighting's `contact_id` is set, and a stored contact loaded earlier is expired.
    """
    stored = [g.contact_id for g in groups if g.contact_id is not None]
    history = _stored_sightings(session, stored)
    emails = _held(session, ContactEmail, "email_key", stored)
    phones = _held(session, ContactPhone, "phone", stored)
    oldest_first = [sorted(g.sightings, key=lambda s: s.id) for g in groups]
    pairs = list(zip(groups, oldest_first, strict=True))
    founded = iter(_found(session, [new for g, new in pairs if g.contact_id is None]))
    now = timestamp(session, utcnow())
    writes = _Writes()
    ids: list[int] = []
    for group, new in pairs:
        if group.contact_id is None:
            contact_id, seen = next(founded), new
        else:
            contact_id = group.contact_id
            seen = sorted([*history.get(contact_id, []), *new], key=lambda s: s.id)
            writes.contacts.append((*display(seen).values(), now, contact_id))
        for sighting in group.sightings:
            writes.sightings.append((contact_id, sighting.id))
            set_committed_value(sighting, "contact_id", contact_id)
        _add(
            emails.get(contact_id),
            [
                (key, (contact_id, email, key, s.id, False, 0))
                for s in group.sightings
                for email, key in zip(s.emails, s.email_keys, strict=False)
            ],
            Counter(k for s in seen for k in s.email_keys),
            writes.emails,
            writes.email_flags,
        )
        _add(
            phones.get(contact_id),
            [(phone, (contact_id, phone, s.id)) for s in group.sightings for phone in s.phones],
            Counter(p for s in seen for p in s.phones),
            writes.phones,
            writes.phone_flags,
        )
        ids.append(contact_id)
    writes.flush(session)
    for contact_id in stored:
        loaded = session.identity_map.get(identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded)
    return ids


def _found(session: Session, groups: list[list[SightingRow]]) -> list[int]:
    """Insert one contact per group of sightings (oldest first), with its display fields;
    the new ids, in order."""
    if not groups:
        return []
    rows = [display(sightings) for sightings in groups]
    inserted = session.execute(
        sa.insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows
    )
    return list(inserted.scalars())


def _stored_sightings(session: Session, contact_ids: Iterable[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for chunk in chunks(set(contact_ids)):
        for row in session.execute(
            sa.select(*SURVIVOR_COLUMNS).where(SightingRow.contact_id.in_(chunk))
        ):
            found.setdefault(row.contact_id, []).append(row)
    return found


def _held(
    session: Session,
    model: type[ContactEmail] | type[ContactPhone],
    column: str,
    contact_ids: Iterable[int],
) -> dict[int, _Held]:
    found: dict[int, _Held] = {}
    for chunk in chunks(set(contact_ids)):
        for row_id, contact_id, value, primary in session.execute(
            sa.select(model.id, model.contact_id, getattr(model, column), model.is_primary)
            .where(model.contact_id.in_(chunk))
            .order_by(model.id)
        ):
            held = found.setdefault(contact_id, _Held([], [], []))
            held.ids.append(row_id)
            held.values.append(value)
            held.primary.append(bool(primary))
    return found


def _add(
    held: _Held | None,
    offered: list[tuple[str, tuple[Any, ...]]],
    counts: Counter[str],
    rows: list[tuple[Any, ...]],
    flags: list[tuple[bool, int]],
) -> None:
    """Queue the offered emails (or phones) a contact does not hold yet, and the primary
    flags that change: the held ones come first, then the new ones in the order offered.

    `offered` pairs each value with its row (without `is_primary`, which goes last).
    """
    held = held or _Held([], [], [])
    known = set(held.values)
    added: list[tuple[str, tuple[Any, ...]]] = []
    for value, row in offered:
        if value not in known:
            known.add(value)
            added.append((value, row))
    best = primary_index([counts[v] for v in [*held.values, *(v for v, _ in added)]])
    flags.extend(
        (index == best, row_id)
        for index, row_id in enumerate(held.ids)
        if held.primary[index] != (index == best)
    )
    rows.extend((*row, len(held.ids) + index == best) for index, (_, row) in enumerate(added))
