"""Readers: a file in, raw records out. Format sniffing and header profiles live here."""
