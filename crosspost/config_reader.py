"""Reading one TOML table for crosspost.config: every problem noted with its file, key, the
TOML type expected and the fix, and reading goes on, so one run reports them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# How each expected Python type is written in TOML, for "must be …" messages.
TOML_TYPES: Mapping[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    dict: "a table",
    list: "a list",
}


def toml_type(value: object) -> str:
    """What a value read from TOML is, in TOML's words."""
    if isinstance(value, bool):
        return "a boolean"
    for kind in (str, int, float, dict, list):
        if isinstance(value, kind):
            return TOML_TYPES[kind]
    return "a date or time"


def expected_type(key: str, value: object, expected: type | tuple[type, ...]) -> str:
    """'must be …' for a value of the wrong TOML type, with the fix where there is one."""
    kinds = expected if isinstance(expected, tuple) else (expected,)
    names = (TOML_TYPES.get(k, k.__name__) for k in kinds)
    wanted = "a number" if float in kinds else " or ".join(names)
    text = f"{value!r} is {toml_type(value)}; it must be {wanted}"
    if str in kinds and isinstance(value, int | float) and not isinstance(value, bool):
        return f'{text}: quote it ({key} = "{value}")'
    if isinstance(value, str) and kinds and str not in kinds:
        return f"{text}: remove the quotes"
    return text


class Reader:
    """Reads one table of the file, naming the file and key in every problem; a problem is
    noted and reading goes on with the default, so one run reports them all."""

    def __init__(
        self, source: str, table: str, data: Mapping[str, Any], problems: list[str]
    ) -> None:
        self.source = source
        self.table = table
        self.data = data
        self.problems = problems

    def where(self, key: str) -> str:
        prefix = f"[{self.table}] " if self.table else ""
        return f"{self.source}: {prefix}{key}"

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.where(key)}: {message}")

    def child(self, table: str, data: Mapping[str, Any]) -> Reader:
        return Reader(self.source, table, data, self.problems)

    def only(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                allowed_text = ", ".join(sorted(allowed))
                self.fail(key, f"unknown key; allowed here: {allowed_text}")

    def number(
        self, key: str, default: float, *, minimum: float, maximum: float, integer: bool = False
    ) -> Any:
        value = self.data.get(key, default)
        kind = "an integer" if integer else "a number"
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type or not minimum <= value <= maximum:
            hint = "; remove the quotes" if isinstance(value, str) else ""
            self.fail(key, f"{value!r} must be {kind} from {minimum:g} to {maximum:g}{hint}")
            return default
        return value

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and not isinstance(value, str):
            self.fail(key, expected_type(key, value, str))
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.fail(key, f"{value!r} must be true or false (without quotes)")
            return default
        return value

    def table_of(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, f"{value!r} is {toml_type(value)}; it must be a table ([{key}])")
            return {}
        return value
