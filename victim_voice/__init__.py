"""Victim Voice: the OPCC victims' survey pipeline. One sub-package per layer: delivery,
protection, ingestion, outputs and demo; settings.py and the CLI at the root."""
