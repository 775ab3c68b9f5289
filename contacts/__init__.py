"""Contacts: the data model, normalization, matching and the store."""
