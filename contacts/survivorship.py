"""Survivorship: which sighting's values a contact shows.

Per field: the most frequent value wins, then the most recent, then the most complete;
a properly cased value beats an ALL-CAPS one. Every email and phone is kept; the primary
is the one seen most often, then first. `primary_first` gives them in the order they are
shown, and `primary_email` the address a contact is written to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from contacts.model import Contact, ContactEmail, ContactPhone, SightingRow
from contacts.normalize import fold_accents

_Identifier = TypeVar("_Identifier", ContactEmail, ContactPhone)


def primary_first(items: Iterable[_Identifier]) -> list[_Identifier]:
    """A contact's emails (or phones) in the order they are shown and written to: the
    primary one first, then the others in the order they were stored (by id).

    Example: ann@old.example (id 3) and ann@new.example (id 5, primary) come out as
    [ann@new.example, ann@old.example].
    """
    return sorted(items, key=lambda i: (not i.is_primary, i.id))


def primary_email(contact: Contact) -> ContactEmail:
    """The address a contact is written to: the first of `primary_first(contact.emails)`.

    Raises:
        IndexError: the contact has no address (callers check `contact.emails` first).
    """
    return primary_first(contact.emails)[0]


def _case_score(value: str) -> int:
    letters = [c for c in value if c.isalpha()]
    return 0 if letters and (value.isupper() or value.islower()) else 1


def same_value(value: str) -> str:
    """Spellings that differ only in case, accents or spacing count as one value."""
    return " ".join(fold_accents(value).casefold().split())


def choose(values: Sequence[str]) -> str:
    """The surviving value among sightings' values listed oldest first.

    Spellings of one value ('JOSE NUNEZ', 'José Núñez') are counted together; the value
    seen most often wins, then the most recently seen, then the longest. It is shown in
    its best spelling: proper case over ALL CAPS, accents kept, then the most recent.
    Example: choose(['ACME', 'Acme Inc', 'Acme Inc']) -> 'Acme Inc'.
    """
    present = [v for v in values if v]
    if not present:
        return ""
    groups: dict[str, list[int]] = {}
    for index, value in enumerate(present):
        groups.setdefault(same_value(value), []).append(index)
    best = max(groups, key=lambda k: (len(groups[k]), groups[k][-1], len(k)))
    return max(
        (present[i] for i in groups[best]),
        key=lambda v: (_case_score(v), v != fold_accents(v), _last(present, v)),
    )


def _last(values: Sequence[str], value: str) -> int:
    return max(i for i, v in enumerate(values) if v == value)


def refresh_contact(session: Session, contact: Contact) -> None:
    """Recompute a contact's display fields and primary email/phone from its sightings."""
    session.flush()
    recompute(contact)


DISPLAY_FIELDS = ("full_name", "first_name", "last_name", "company", "title", "linkedin")


def display(sightings: Sequence[Any]) -> dict[str, str]:
    """A contact's display fields (`DISPLAY_FIELDS`) from its sightings, listed oldest first.

    The first and last name come from the sightings that carry the winning full name, so
    a contact never shows one sighting's given name with another's surname.
    """
    full = choose([s.full_name for s in sightings])
    same_name = [s for s in sightings if s.full_name == full] or sightings
    return {
        "full_name": full,
        "first_name": choose([s.first_name for s in same_name]),
        "last_name": choose([s.last_name for s in same_name]),
        "company": choose([s.company for s in sightings]),
        "title": choose([s.title for s in sightings]),
        "linkedin": choose([s.linkedin for s in sightings]),
    }


def recompute(contact: Contact) -> None:
    """`refresh_contact` for a contact whose sightings, emails and phones are up to date in
    memory (a new contact, or one loaded after every change was flushed): no flush."""
    sightings: list[SightingRow] = sorted(contact.sightings, key=lambda s: s.id)
    for name, value in display(sightings).items():
        setattr(contact, name, value)
    email_counts = Counter(k for s in sightings for k in s.email_keys)
    _mark_primary(contact.emails, [email_counts[e.email_key] for e in contact.emails])
    phone_counts = Counter(p for s in sightings for p in s.phones)
    _mark_primary(contact.phones, [phone_counts[p.phone] for p in contact.phones])


def primary_index(counts: Sequence[int]) -> int | None:
    """Which of a contact's emails (or phones), given how often each was seen in the order
    they were stored, is primary: the most often seen; the earliest wins a tie."""
    if not counts:
        return None
    return max(range(len(counts)), key=lambda i: (counts[i], -i))


def _mark_primary(items: Sequence[Any], counts: Sequence[int]) -> None:
    best = primary_index(counts)
    for index, item in enumerate(items):
        item.is_primary = index == best


def attach(contact: Contact, sighting: SightingRow) -> None:
    """Make `sighting` part of `contact`, keeping every email and phone with its source.

    Nothing is flushed: the contact's collections hold the change until the session does.
    """
    sighting.contact = contact
    known_emails = {e.email_key for e in contact.emails}
    for email, key in zip(sighting.emails, sighting.email_keys, strict=False):
        if key not in known_emails:
            contact.emails.append(ContactEmail(email=email, email_key=key, sighting_id=sighting.id))
            known_emails.add(key)
    known_phones = {p.phone for p in contact.phones}
    for phone in sighting.phones:
        if phone not in known_phones:
            contact.phones.append(ContactPhone(phone=phone, sighting_id=sighting.id))
            known_phones.add(phone)
