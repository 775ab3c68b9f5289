"""Outreach: sequences, planning, rendering, the outbox and the mailer."""
