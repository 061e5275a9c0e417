"""Victim Voice: the OPCC victims' survey pipeline (CLI, delivery files, demo data)."""
