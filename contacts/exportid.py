"""The identifier an export gives each contact, so re-importing the export finds them.

A vCard written by `followup export contacts` carries `UID:followup:<store id>:contact:<id>`
(the store id is a random value the database gets once, in `meta`). When a card with this
store's UID is ingested again, its sighting joins that contact directly (rule `export-id`)
instead of being matched on its fields: a contact known by a name alone, with no address,
phone or profile, would otherwise become a new contact or a review pair. A UID from another
store, naming a contact that no longer exists (forgotten), or whose card shares neither a
name nor an address, phone or profile with that contact (an id reused after a contact was
forgotten, a card edited into another person) is ignored: the card is matched like any other
record.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from contacts.merge import survivor_of
from contacts.model import Contact, Meta, SightingRow
from contacts.store import STORE_ID
from contacts.survivorship import same_value

_UID = re.compile(r"^followup:([0-9a-f]{32}):contact:([0-9]{1,18})$")


def store_id(session: Session) -> str:
    """This database's id (created with the schema, see `contacts.store.ensure_schema`)."""
    return session.scalar(sa.select(Meta.value).where(Meta.key == STORE_ID)) or ""


def contact_uid(store: str, contact_id: int) -> str:
    """The UID an export writes for a contact. Example: 'followup:3f2a…9c:contact:12'."""
    return f"followup:{store}:contact:{contact_id}"


def exported_contact(session: Session, sighting: SightingRow, store: str) -> Contact | None:
    """The contact a sighting read from this store's own export names, if it still exists.

    A contact merged since the export is followed to the one it was merged into.
    """
    found = _UID.match(str((sighting.raw or {}).get("UID", "")).strip())
    if not found or not store or found.group(1) != store:
        return None
    contact = survivor_of(session, session.get(Contact, int(found.group(2))))
    if contact is None or not _agrees(contact, sighting):
        return None
    return contact


def _agrees(contact: Contact, sighting: SightingRow) -> bool:
    """True when the sighting shares a name, an address, a phone or a profile with the contact."""
    if set(sighting.email_keys or []) & {e.email_key for e in contact.emails}:
        return True
    if set(sighting.phones or []) & {p.phone for p in contact.phones}:
        return True
    if sighting.linkedin and sighting.linkedin == contact.linkedin:
        return True
    names = {same_value(s.full_name) for s in contact.sightings} | {same_value(contact.full_name)}
    return bool(sighting.full_name) and same_value(sighting.full_name) in names
