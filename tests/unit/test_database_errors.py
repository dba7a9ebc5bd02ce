"""A database failure is told in one line; "cannot reach" only when the connection failed."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from crosspost.db.engine import describe_database_error

URL = "postgresql://crosspost:hemmelig@db.internal/crosspost"


def error(message: str) -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception(message))


def test_a_connection_that_failed_is_cannot_reach_without_the_password():
    text = describe_database_error(URL, error('connection to server at "db.internal" failed'))
    assert text.startswith("cannot reach the database postgresql+psycopg://crosspost:***@")
    assert "hemmelig" not in text


def test_anything_else_says_what_the_database_said():
    text = describe_database_error(URL, error("number of parameters must be between 0 and 65535"))
    assert text == (
        "the database postgresql+psycopg://crosspost:***@db.internal/crosspost refused the "
        "request: number of parameters must be between 0 and 65535"
    )
