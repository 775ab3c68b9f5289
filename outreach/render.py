"""Rendering follow-up emails from Jinja2 templates.

The environment is built once per templates folder, with `StrictUndefined` (a missing
variable is an error, never an empty hole; so is an empty one: see `outreach.holes`) and
autoescaping for the HTML part. Each template set is
`templates/<sequence>/<template>.{subject,txt,html}.j2`.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from contacts.errors import RenderError
from outreach.holes import mark_empty

PARTS = ("subject", "txt", "html")


def fallback(value: Any, default: str) -> Any:
    """`{{ contact.first_name | fallback("there") }}`: an explicit, visible default.

    The default also stands in for a value that is missing altogether, e.g.
    `{{ sighting.lead["Hiring For"] | fallback("your team") }}` for a lead export without
    that column (an Undefined must be tested before `==`: StrictUndefined raises on it).
    """
    if isinstance(value, jinja2.Undefined) or value is None or value == "":
        return default
    return value


def failed_at(exc: BaseException, templates_dir: str) -> str:
    """'job-seeker/thank-you.txt.j2 line 3': the template line an exception was raised at.

    Jinja2 rewrites a rendering traceback so that its frames point at template lines; the
    innermost one under `templates_dir` is where the template failed (it may be an
    included partial). '' when no frame is a template's.
    """
    base = Path(templates_dir).resolve()
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.suffix == ".j2" and path.resolve().is_relative_to(base):
            found = f"{path.resolve().relative_to(base).as_posix()} line {frame.lineno}"
    return found


def _html_only(name: str | None) -> bool:
    return bool(name and name.endswith(".html.j2"))


@lru_cache(maxsize=8)
def environment(templates_dir: str) -> jinja2.Environment:
    """The one Jinja2 environment for a templates folder."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=_html_only,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fallback"] = fallback
    return env


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


class Renderer:
    """Renders stages from one templates folder.

    Each stage's templates are looked up once per Renderer (one planning run), so every
    message of a run uses the same text and the per-message cost is only rendering.
    """

    def __init__(self, templates_dir: str | Path):
        self.templates_dir = str(templates_dir)
        self.env = environment(self.templates_dir)
        self._loaded: dict[str, jinja2.Template] = {}

    def _template(self, name: str) -> jinja2.Template:
        found = self._loaded.get(name)
        if found is None:
            found = self._loaded[name] = self.env.get_template(name)
        return found

    def render(self, sequence: str, template: str, context: dict[str, Any]) -> Rendered:
        """Render subject, plain text and HTML of one stage for one contact.

        Raises:
            RenderError: a template is missing, prints a value the contact does not have
                or has empty (`None`, blank) outside a guard, or fails while rendering.
        """
        out: dict[str, str] = {}
        context = mark_empty(context)  # an empty value is a hole too, unless guarded
        for part in PARTS:
            name = f"{sequence}/{template}.{part}.j2"
            try:
                out[part] = self._template(name).render(context)
            except jinja2.TemplateNotFound as exc:
                raise RenderError(f"template {self.templates_dir}/{exc.name} is missing") from exc
            except jinja2.UndefinedError as exc:
                raise RenderError(f"{name}: {exc.message}") from exc
            except jinja2.TemplateError as exc:
                raise RenderError(f"{name}: {exc}") from exc
            except Exception as exc:  # one message's failure, never the whole run's
                # A runtime error in the template (1/0, a format filter given text): this
                # message is blocked, the other contacts' messages are still rendered.
                where = failed_at(exc, self.templates_dir) or name
                if not where.startswith(name):
                    where += f" (included by {name})"
                raise RenderError(
                    f"{where}: {type(exc).__name__}: {exc}; fix the template, or the value "
                    "it uses, then plan again"
                ) from exc
        subject = " ".join(out["subject"].split())
        if not subject:
            raise RenderError(f"{sequence}/{template}.subject.j2 rendered an empty subject")
        return Rendered(subject=subject, text=out["txt"].strip() + "\n", html=out["html"])


def render(
    templates_dir: str | Path, sequence: str, template: str, context: dict[str, Any]
) -> Rendered:
    """Render one stage for one contact (a one-off `Renderer`)."""
    return Renderer(templates_dir).render(sequence, template, context)
