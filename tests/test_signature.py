"""The end of every shipped email: a sign-off with the sender's name once, then the RFC 3676
signature separator `-- ` (dash, dash, space) and the signature block, then the opt-out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outreach.config import load_config
from outreach.render import render
from outreach.senders import default_sender, profile, signature_block
from tests.conftest import ROOT
from tests.test_outreach import CONTEXT, _shipped

OPT_OUT = (
    "You're getting this because we met at Spring Fair. If you'd rather not hear from me "
    'again, reply "unsubscribe" and I won\'t write again.\n'
)


def _context(signature: str, name: str = "Priya Sharma") -> dict[str, object]:
    sender = default_sender(load_config(ROOT / "followup.toml"))
    return {**CONTEXT, "sender": replace(sender, name=name, signature=signature).as_context()}


def test_thank_you_ends_with_the_name_once_then_the_signature() -> None:
    sender = default_sender(load_config(ROOT / "followup.toml"))
    out = render(
        ROOT / "templates", "job-seeker", "thank-you", {**CONTEXT, "sender": sender.as_context()}
    )
    assert out.text.endswith(
        "Thanks again,\nPriya Sharma\n\n-- \n"
        "B.S. Computer Science, Bellows College, class of 2026\n"
        "portfolio: https://priya.example/portfolio\n\n" + OPT_OUT
    )
    assert out.text.count("Priya Sharma") == 1
    assert out.html.endswith(
        "<p>Thanks again,<br>Priya Sharma</p>\n"
        '<p style="white-space: pre-line">-- <br>'
        "B.S. Computer Science, Bellows College, class of 2026\n"
        "portfolio: https://priya.example/portfolio</p>\n"
        '<p style="color:#666;font-size:12px">' + OPT_OUT.rstrip("\n") + "</p>\n"
    )


@pytest.mark.parametrize(("sequence", "template"), _shipped())
def test_every_shipped_template_signs_once(sequence: str, template: str) -> None:
    # A signature that still starts with the name (an older followup.toml) is not repeated.
    context = _context("Priya Sharma\nBellows College")
    out = render(ROOT / "templates", sequence, template, context)
    assert out.text.count("Priya Sharma") == 1 and out.html.count("Priya Sharma") == 1
    assert "\nPriya Sharma\n\n-- \nBellows College\n\n" in out.text
    assert "<br>Priya Sharma</p>" in out.html and "-- <br>Bellows College</p>" in out.html


def test_no_signature_means_no_separator() -> None:
    out = render(ROOT / "templates", "recruiter", "next-steps", _context(""))
    assert out.text.endswith("Best regards,\nPriya Sharma\n\n" + OPT_OUT)
    assert "-- " not in out.text and "-- " not in out.html


def test_signature_block() -> None:
    assert signature_block("Priya Sharma\nBellows College", "priya  sharma") == "Bellows College"
    assert signature_block("Bellows College\nPriya Sharma", "Priya Sharma") == (
        "Bellows College\nPriya Sharma"
    )
    assert signature_block("Priya Sharma", "") == "Priya Sharma"
    dana = profile(load_config(ROOT / "followup.toml"), "dana")
    assert dana.as_context()["signature"] == (
        "University Recruiting, Contoso\ncareers: https://contoso.example/careers"
    )
