"""`followup review`, `followup contacts why A B` and `followup contacts unmerge ID`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from contacts.errors import InputError, printable
from contacts.model import MAX_ID, Contact, MatchDecision
from contacts.review import ACTIONS, decide, open_reviews, why
from contacts.store import session_scope
from contacts.unmerge import unmerge
from flows.cliapp import DbOption, app, contacts_app, err, out

SHORT = {"m": "merge", "k": "keep-separate", "keep": "keep-separate", "s": "skip"}


def _side_by_side(decision: MatchDecision, a: Contact, b: Contact) -> Table:
    table = Table(
        title=f"possible duplicate {decision.id}: score {decision.score:.2f} ({decision.rule})"
    )
    table.add_column("field")
    table.add_column(f"contact {a.id}")
    table.add_column(f"contact {b.id}")
    for label, get in (
        ("name", lambda c: c.full_name),
        ("company", lambda c: c.company),
        ("title", lambda c: c.title),
        ("emails", lambda c: ", ".join(e.email for e in c.emails)),
        ("phones", lambda c: ", ".join(p.phone for p in c.phones)),
        ("linkedin", lambda c: c.linkedin),
        (
            "sources",
            lambda c: ", ".join(f"{printable(s.source_file.name)}#{s.record}" for s in c.sightings),
        ),
    ):
        table.add_row(label, get(a), get(b))
    conflicts = decision.evidence.get("conflicts") or []
    if conflicts:
        table.caption = "conflicts: " + "; ".join(conflicts)
    return table


def _parse(answers: list[str]) -> list[tuple[int, str]]:
    parsed = []
    for answer in answers:
        key, _, action = answer.partition("=")
        action = SHORT.get(action, action)
        if not key.isdigit() or int(key) > MAX_ID or action not in ACTIONS:
            raise InputError(
                f"--decide {answer!r}: write ID=merge, ID=keep-separate or ID=skip (e.g. 3=merge)"
            )
        parsed.append((int(key), action))
    return parsed


@app.command("review")
def review(
    decide_: Annotated[
        list[str] | None,
        typer.Option(
            "--decide", help="Answer without prompting: ID=merge, ID=keep-separate or ID=skip."
        ),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="Only list the possible duplicates.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Review possible duplicates side by side: merge, keep separate or skip each."""
    with session_scope(db, must_exist=True) as session:
        if decide_:
            for decision_id, action in _parse(decide_):
                out.print(decide(session, decision_id, action))
            return
        pending = open_reviews(session)
        if not pending:
            out.print("no possible duplicates to review")
            return
        for decision in pending:
            a = session.get_one(Contact, decision.contact_id)
            b = session.get_one(Contact, decision.other_contact_id)
            out.print(_side_by_side(decision, a, b))
            if list_only:
                continue
            answer = _ask()
            if answer is None:  # end of input: keep the answers given so far
                out.print("stopped; the answers given so far are saved")
                return
            out.print(decide(session, decision.id, answer))


def _ask() -> str | None:
    """One answer for the pair shown, asked again until it is one of the three (None: EOF)."""
    while True:
        try:
            answer = typer.prompt("merge, keep-separate or skip? [m/k/s]", default="s")
        except typer.Abort:
            return None
        action = SHORT.get(answer.strip().lower(), answer.strip().lower())
        if action in ACTIONS:
            return action
        err.print(f"{answer.strip()!r}: answer m (merge), k (keep-separate) or s (skip)")


@contacts_app.command("why")
def contacts_why(
    a: Annotated[int, typer.Argument(help="First contact id.", min=1, max=MAX_ID)],
    b: Annotated[int, typer.Argument(help="Second contact id.", min=1, max=MAX_ID)],
    db: DbOption = None,
) -> None:
    """Explain how two contacts compare: each field's level and weight, and the verdict."""
    with session_scope(db, must_exist=True) as session:
        found = why(session, a, b)
        table = Table(
            title=f"contact {a} vs contact {b} (sightings {found.sightings[0]} and "
            f"{found.sightings[1]})"
        )
        for column in ("field", "level", "weight", "detail"):
            table.add_column(column)
        for level in found.comparison.levels:
            table.add_row(level.field, level.level, f"{level.weight:+.2f}", level.detail)
        table.add_row("total", "", f"{found.comparison.score:+.2f}", "")
        out.print(table)
        out.print(f"verdict: {found.verdict}")
        for d in found.history:
            state = f" (undone {d.undone_at:%Y-%m-%d})" if d.undone_at else ""
            resolution = f" -> {d.resolution}" if d.resolution else ""
            out.print(f"decision {d.id}: {d.kind} by {d.rule}{resolution}{state}")


@contacts_app.command("unmerge")
def contacts_unmerge(
    contact_id: Annotated[int, typer.Argument(help="The contact to split.", min=1, max=MAX_ID)],
    db: DbOption = None,
) -> None:
    """Undo the latest merge into a contact, restoring what it was merged from."""
    with session_scope(db, must_exist=True) as session:
        kept, split, decision = unmerge(session, contact_id)
        out.print(
            f"undid {decision.kind} {decision.id}: contact {kept.id} ({kept.full_name}) and "
            f"contact {split.id} ({split.full_name}) are separate again"
        )
