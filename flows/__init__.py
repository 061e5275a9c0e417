"""Prefect flows: thin orchestration around the plain functions in schemas/ and warehouse/."""
