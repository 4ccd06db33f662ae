"""Reading the runner's unit trace (``tests/durability/settings.py`` turns it on): which
worker held which row over which revisions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LINE = re.compile(r"^(?P<at>[0-9.]+) (?P<pid>\d+) (?P<cluster>\S+) advanced (?P<model>\w+) (?P<pk>\d+) revisions (?P<first>\d+)-(?P<last>\d+)$")


@dataclass(frozen=True)
class Claim:
    """One unit of work: a worker (of cluster number ``cluster``) held ``model`` row ``pk``
    from revision ``first`` to ``last``."""

    pid: int
    cluster: str
    model: str
    pk: int
    first: int
    last: int


def read_claims(path: Path) -> list[Claim]:
    if not path.exists():
        return []
    claims = []
    for line in path.read_text().splitlines():
        found = _LINE.match(line)
        if found:
            claims.append(Claim(int(found["pid"]), found["cluster"], found["model"], int(found["pk"]), int(found["first"]), int(found["last"])))
    return claims


def overlapping(claims: list[Claim]) -> list[tuple[Claim, Claim]]:
    """Pairs of claims on one row whose revision ranges overlap: two workers at once."""
    by_row: dict[tuple[str, int], list[Claim]] = {}
    for claim in claims:
        by_row.setdefault((claim.model, claim.pk), []).append(claim)
    clashes = []
    for row in by_row.values():
        row.sort(key=lambda claim: claim.first)
        clashes += [(a, b) for a, b in zip(row, row[1:]) if b.first <= a.last]
    return clashes
