"""SQLAlchemy 2 tables of the store.

Portable SQL only (SQLite and PostgreSQL): no SQLite-specific types, JSON via `sa.JSON`,
datetimes stored as naive UTC. `SCHEMA_VERSION` is bumped by every change that needs a
migration in `contacts.migrations`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SCHEMA_VERSION = 3


def utcnow() -> dt.datetime:
    """Naive UTC now: the one time representation stored in the database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


MAX_ID = 2**31 - 1  # the largest id every backend stores (PostgreSQL's integer)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON}


class Meta(Base):
    """Key/value facts about the database itself, e.g. `schema_version`."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(255))


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    date: Mapped[dt.date | None]
    region: Mapped[str] = mapped_column(sa.String(8), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="")
    sequence: Mapped[str] = mapped_column(sa.String(120), default="")
    folder: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SourceFile(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    path: Mapped[str] = mapped_column(sa.Text)
    format: Mapped[str] = mapped_column(sa.String(40))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"))
    records_read: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    quarantined: Mapped[int] = mapped_column(default=0)
    ingested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    event: Mapped[Event] = relationship()


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(255), default="")
    first_name: Mapped[str] = mapped_column(sa.String(120), default="")
    last_name: Mapped[str] = mapped_column(sa.String(120), default="")
    company: Mapped[str] = mapped_column(sa.String(255), default="")
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    linkedin: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    # Set with status 'paused' (an out-of-office): no message goes out before this time.
    paused_until: Mapped[dt.datetime | None]
    # Set when this contact was merged into another; it keeps its rows so unmerge can restore it.
    merged_into: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    emails: Mapped[list[ContactEmail]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.id"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPhone.id"
    )
    sightings: Mapped[list[SightingRow]] = relationship(
        back_populates="contact", order_by="SightingRow.id"
    )


class SightingRow(Base):
    """One record of one person in one source file, kept forever."""

    __tablename__ = "sightings"
    __table_args__ = (sa.UniqueConstraint("source_file_id", "record"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(sa.ForeignKey("source_files.id"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    record: Mapped[int]
    raw: Mapped[dict[str, Any]]
    full_name: Mapped[str] = mapped_column(sa.String(255), default="")
    first_name: Mapped[str] = mapped_column(sa.String(120), default="")
    last_name: Mapped[str] = mapped_column(sa.String(120), default="")
    emails: Mapped[list[Any]] = mapped_column(default=list)
    email_keys: Mapped[list[Any]] = mapped_column(default=list)
    phones: Mapped[list[Any]] = mapped_column(default=list)
    company: Mapped[str] = mapped_column(sa.String(255), default="")
    company_key: Mapped[str] = mapped_column(sa.String(255), default="")
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    linkedin: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    rating: Mapped[str] = mapped_column(sa.String(40), default="")
    captured_by: Mapped[str] = mapped_column(sa.String(255), default="")
    captured_at: Mapped[str] = mapped_column(sa.String(64), default="")
    lead: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    contact: Mapped[Contact | None] = relationship(back_populates="sightings")
    source_file: Mapped[SourceFile] = relationship()
    event: Mapped[Event] = relationship()


class ContactEmail(Base):
    __tablename__ = "contact_emails"
    __table_args__ = (sa.UniqueConstraint("contact_id", "email_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    email_key: Mapped[str] = mapped_column(sa.String(320), index=True)
    sighting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sightings.id"))
    is_primary: Mapped[bool] = mapped_column(default=False)
    # Delivery health learnt from bounce reports (outreach/replies.py).
    bounced: Mapped[bool] = mapped_column(default=False)
    soft_bounces: Mapped[int] = mapped_column(default=0)
    contact: Mapped[Contact] = relationship(back_populates="emails")


class ContactPhone(Base):
    __tablename__ = "contact_phones"
    __table_args__ = (sa.UniqueConstraint("contact_id", "phone"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    phone: Mapped[str] = mapped_column(sa.String(64), index=True)
    sighting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sightings.id"))
    is_primary: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[Contact] = relationship(back_populates="phones")


class Quarantined(Base):
    """A record that could not become a sighting, kept with its reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(sa.ForeignKey("source_files.id"), index=True)
    record: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source_file: Mapped[SourceFile] = relationship()


class MatchDecision(Base):
    """Why a sighting joined a contact, or why two contacts may be the same person."""

    __tablename__ = "match_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed: each match reads the keep-separate rules, and a big store has millions of rows.
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)  # new|join|merge|possible|separate
    sighting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sightings.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    other_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    rule: Mapped[str] = mapped_column(sa.String(64))
    score: Mapped[float] = mapped_column(default=0.0)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[dt.datetime | None]
    # For kind 'possible': '' while open, then 'merged', 'separate' or 'skipped'.
    resolution: Mapped[str] = mapped_column(sa.String(20), default="")


class MatchKey(Base):
    """A sighting's blocking and term-frequency keys ('em:jane@x.com', 'ln:smith').

    New sightings look up candidates by key instead of re-reading the whole store.
    """

    __tablename__ = "match_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    sighting_id: Mapped[int] = mapped_column(sa.ForeignKey("sightings.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(400), index=True)


class MatchKeyCount(Base):
    """How many matched sightings carry each term-frequency key ('ln:smith', 'fn:robert',
    'co:acme'), and under `SURNAMES_COUNTED` how many surnames there are in all.

    Kept with the key index (`contacts.matching.storage`), so a match reads a term's
    frequency in one look-up instead of counting it over the index of a big store.
    """

    __tablename__ = "match_key_counts"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


SURNAMES_COUNTED = "ln:*"  # no surname key has a '*' (keys keep only a-z and 0-9)


class Enrollment(Base):
    """A contact in a sequence for an event (one per contact, event and sequence)."""

    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("contact_id", "event_id", "sequence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    sequence: Mapped[str] = mapped_column(sa.String(120))
    sighting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sightings.id"))
    state: Mapped[str] = mapped_column(sa.String(20), default="active")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    contact: Mapped[Contact] = relationship()
    event: Mapped[Event] = relationship()
    sighting: Mapped[SightingRow | None] = relationship()


class Message(Base):
    """One stage of one enrollment: a message in the outbox with its state."""

    __tablename__ = "messages"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(120))
    stage_index: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(sa.String(20), default="planned", index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    due_at: Mapped[dt.datetime | None]
    to_addr: Mapped[str] = mapped_column(sa.String(320), default="")
    to_name: Mapped[str] = mapped_column(sa.String(255), default="")
    from_addr: Mapped[str] = mapped_column(sa.String(320), default="")
    from_name: Mapped[str] = mapped_column(sa.String(255), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="")  # the recipient's
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    edited: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    approved_at: Mapped[dt.datetime | None]
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    body_text: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    eml_path: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    enrollment: Mapped[Enrollment] = relationship()
    contact: Mapped[Contact] = relationship()


class Suppression(Base):
    """An address that must never be emailed again. Re-imports never clear it."""

    __tablename__ = "suppressions"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(64), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Interaction(Base):
    """The relationship log: met at an event, emailed a stage, replied, bounced, noted."""

    __tablename__ = "interactions"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # met|emailed|replied|bounced|unsubscribed|…
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))


class ContactTag(Base):
    """A label on a contact (`followup contacts tag ID mentor`), lower-cased."""

    __tablename__ = "contact_tags"
    __table_args__ = (sa.UniqueConstraint("contact_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    tag: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cadence(Base):
    """Keep in touch every N days: for one contact, or for everyone with a tag."""

    __tablename__ = "cadences"
    __table_args__ = (sa.UniqueConstraint("contact_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    tag: Mapped[str] = mapped_column(sa.String(64), default="")
    every_days: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MailboxPosition(Base):
    """How far `followup outbox sync` has read one IMAP folder of one account.

    A folder's UIDs are only comparable while its UIDVALIDITY stays the same; when the
    server changes it, the folder is read again from the start of our sending.
    """

    __tablename__ = "mailbox_positions"
    __table_args__ = (sa.UniqueConstraint("account", "folder"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(sa.String(320))  # user@host
    folder: Mapped[str] = mapped_column(sa.String(255))
    uidvalidity: Mapped[int] = mapped_column(sa.BigInteger)
    last_uid: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InboundMail(Base):
    """A mail read from the mailbox and what it was taken for (each is handled once)."""

    __tablename__ = "inbound_mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, or a digest of the mail when it has none.
    mail_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    folder: Mapped[str] = mapped_column(sa.String(255), default="")
    uid: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))  # reply|auto-reply|bounce|soft-bounce|other
    sender: Mapped[str] = mapped_column(sa.String(320), default="")
    subject: Mapped[str] = mapped_column(sa.Text, default="")
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("messages.id"))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
