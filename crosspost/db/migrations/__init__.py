"""Alembic migrations for the crosspost database."""
