"""One exception hierarchy for the whole core.

The CLI (`flows/cli.py`) turns each of these into a one-line message and an exit code;
nothing below `flows/` prints or exits.
"""

from __future__ import annotations


class FollowupError(Exception):
    """An expected failure with a message that says what to do about it."""

    exit_code = 1


class InputError(FollowupError):
    """A file or argument given by the user cannot be used (missing, unreadable, unknown)."""

    exit_code = 2


class ConfigError(FollowupError):
    """The configuration file or an environment setting is wrong."""

    exit_code = 3


class StoreError(FollowupError):
    """The database cannot be opened or is at a schema version we cannot handle."""

    exit_code = 4


class RenderError(FollowupError):
    """A template cannot be rendered for a contact: the message is blocked, never sent."""


class SendError(FollowupError):
    """Sending failed in a way that the user must act on (bad credentials, unreachable server)."""

    exit_code = 5


class MailboxError(FollowupError):
    """The IMAP mailbox cannot be read (unreachable, login refused, TLS, missing folder).

    `transient` is True for failures worth retrying later (network, time-outs), False
    for those the user must fix (credentials, settings).
    """

    exit_code = 6

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def not_utf8(path: object, exc: UnicodeDecodeError) -> str:
    """'FILE: not UTF-8 text (byte 0xe9 at position 11); save it as UTF-8' for a text file
    a person edits (event.toml, a message body) that came out of an editor in another code."""
    byte = exc.object[exc.start]
    return f"{path}: not UTF-8 text (byte {byte:#x} at position {exc.start}); save it as UTF-8"
