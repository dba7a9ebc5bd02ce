"""Fault injection for the sandbox: random rates (deterministic under a seed) and scripted rules.

Kinds:
- ``5xx``: answer with the platform's own server-error body; nothing is applied.
- ``429``: answer with the platform's rate-limit body and reset headers; nothing is applied.
- ``expired``: answer with the platform's expired-token error; nothing is applied.
- ``ambiguous``: apply the action, then drop the connection before answering.
- ``permanent``: answer with the platform's own "invalid request" error; nothing is applied.

A SPEC for ``--faults`` is a comma list of KIND=RATE, e.g. ``5xx=0.05,429=0.02,ambiguous=0.02``.
Scripted rules (``POST /_sandbox/faults``) fire first, in order, on matching requests.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

FAULT_KINDS = ("5xx", "429", "expired", "ambiguous", "permanent")


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultRule:
    """Inject `fault` on the next `count` requests to `platform`/`action` ("*" matches all)."""

    fault: str
    platform: str = "*"
    action: str = "*"
    count: int = 1
    retry_after: int = 2  # seconds, for 429 resets

    def matches(self, platform: str, action: str) -> bool:
        return self.platform in ("*", platform) and self.action in ("*", action)


def parse_fault_spec(spec: str | None) -> dict[str, float]:
    """Parse ``KIND=RATE,...``; raise FaultSpecError with one clear line on anything else."""
    rates: dict[str, float] = {}
    if not spec:
        return rates
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        kind, sep, value = item.partition("=")
        kind = kind.strip()
        if not sep or kind not in FAULT_KINDS:
            raise FaultSpecError(
                f"--faults: {item!r} is not KIND=RATE with KIND one of {', '.join(FAULT_KINDS)}"
            )
        try:
            rate = float(value)
        except ValueError:
            raise FaultSpecError(f"--faults: rate {value!r} for {kind} is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"--faults: rate {rate} for {kind} must be between 0 and 1")
        rates[kind] = rate
    if sum(rates.values()) > 1.0:
        raise FaultSpecError("--faults: the rates add up to more than 1")
    return rates


@dataclass
class Fault:
    kind: str
    retry_after: int = 2


class FaultPlan:
    """Decides, per faultable request, whether to inject a fault and which."""

    def __init__(self, seed: int = 0, rates: dict[str, float] | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._random = random.Random(seed)
        self.rates: dict[str, float] = dict(rates or {})
        self.rules: list[FaultRule] = []
        self.injected: dict[str, int] = {}

    def decide(self, platform: str, action: str) -> Fault | None:
        with self._lock:
            for rule in self.rules:
                if rule.count > 0 and rule.matches(platform, action):
                    rule.count -= 1
                    self.rules = [r for r in self.rules if r.count > 0]
                    return self._count(Fault(rule.fault, rule.retry_after))
            if not self.rates:
                return None
            roll = self._random.random()
            edge = 0.0
            for kind in FAULT_KINDS:
                edge += self.rates.get(kind, 0.0)
                if roll < edge:
                    return self._count(Fault(kind))
            return None

    def _count(self, fault: Fault) -> Fault:
        self.injected[fault.kind] = self.injected.get(fault.kind, 0) + 1
        return fault

    def configure(self, payload: dict[str, Any]) -> None:
        """Apply a ``POST /_sandbox/faults`` body: {"rates": {...}, "rules": [...], "seed": N}."""
        with self._lock:
            if "seed" in payload:
                self._seed = int(payload["seed"])
                self._random = random.Random(self._seed)
            if "rates" in payload:
                spec = ",".join(f"{k}={v}" for k, v in dict(payload["rates"]).items())
                self.rates = parse_fault_spec(spec)
            for raw in payload.get("rules", []):
                rule = FaultRule(**raw)
                if rule.fault not in FAULT_KINDS:
                    raise FaultSpecError(f"unknown fault {rule.fault!r}")
                self.rules.append(rule)
            if payload.get("clear_rules"):
                self.rules = []

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self._seed,
                "rates": dict(self.rates),
                "rules": [asdict(r) for r in self.rules],
                "injected": dict(self.injected),
            }
