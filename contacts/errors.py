"""One exception hierarchy for the whole core.

The CLI (`flows/cli.py`) turns each of these into a one-line message and an exit code;
nothing below `flows/` prints or exits.
"""

from __future__ import annotations

# C0 controls, DEL and C1 controls, each as repr() writes it: "\n", "\x1b", "\x85"; and
# surrogates, which stand for the bytes of a file name that is not UTF-8 ("\udc9b" for the
# byte 0x9b): printed, they would be those raw bytes, or fail to encode
_CONTROLS = {
    c: repr(chr(c))[1:-1] for c in (*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000))
}


def printable(text: object) -> str:
    r"""`text` with its control characters escaped as repr() escapes them, all else as it is.

    For a file name (or any text from the user's disk or data) put in a message: a name
    holding a line break, a carriage return or an escape sequence cannot forge a line of
    output or colour the terminal, and ordinary Unicode stays readable.

    Example: printable("a\nb\x1b[31m.csv") == "a\\nb\\x1b[31m.csv", shown as
    a\nb\x1b[31m.csv; printable("Café.csv") == "Café.csv".
    """
    return str(text).translate(_CONTROLS)


class FollowupError(Exception):
    """An expected failure with a message that says what to do about it.

    The message is one line, wherever it is shown or written (the CLI, a drop-folder
    `.error.txt`, a flow's log): control characters in it, e.g. from a file name, are
    escaped with `printable` here, where every message is made.
    """

    exit_code = 1

    def __init__(self, message: object = "") -> None:
        super().__init__(printable(message))


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
