"""Fit a template's output into a platform's limit by shortening its fields, never the layout.

The template is rendered again with shorter fields until the result fits, so whatever the
template adds (labels, the link, line breaks) survives and is counted. Priority:

1. everything, if it fits;
2. otherwise the title and link alone (the title cut at a word boundary with "…" if even
   that is too long); then hashtags in order while they fit;
3. then the fill fields in order (summary, then body): each whole if it fits, else cut at
   a word boundary with "…" to the room left, and the rest left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from crosspost.render.fields import Fields
from crosspost.render.text import word_count, word_cutter

Render = Callable[[Fields], str]
Fits = Callable[[str], bool]


def _with(fields: Fields, **changes: Any) -> Fields:
    """`fields` with text fields named at run time replaced."""
    return replace(fields, **changes)


def fit(
    render: Render, fields: Fields, fits: Fits, fill: Sequence[str] = ("summary", "body")
) -> str:
    """The longest rendering of `fields` that `fits`, by the priority above.

    When even a one-word title does not fit, that rendering is returned and the caller, which
    measures the result, reports the problem.
    """
    full = render(fields)
    if fits(full):
        return full
    current = _with(fields, hashtags=(), **{name: "" for name in fill})
    if not fits(render(current)):
        return render(_cut(render, current, "title", fields.title, fits, keep_one=True))
    for count in range(1, len(fields.hashtags) + 1):
        candidate = replace(current, hashtags=fields.hashtags[:count])
        if not fits(render(candidate)):
            break
        current = candidate
    for name in fill:
        value = getattr(fields, name)
        if not value:
            continue
        candidate = _with(current, **{name: value})
        if fits(render(candidate)):
            current = candidate
            continue
        current = _cut(render, current, name, value, fits, keep_one=False)
        break
    return render(current)


def _cut(
    render: Render, fields: Fields, name: str, value: str, fits: Fits, *, keep_one: bool
) -> Fields:
    """`fields` with `name` cut to the most words that fit.

    A galloping search (1, 2, 4… words, then halving between the last fit and the first
    misfit) measures texts no longer than about twice the answer, so a 100,000-character
    field costs about what the post that fits does, not log(n) measures of the whole.
    """
    cut = word_cutter(value)
    total = word_count(value)  # the whole value is known not to fit

    def ok(count: int) -> bool:
        return fits(render(_with(fields, **{name: cut(count)})))

    low, high = 0, 1
    while high < total and ok(high):
        low, high = high, min(high * 2, total)
    high -= 1  # high does not fit (or is the whole value, known not to)
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return _with(fields, **{name: cut(1) if keep_one else ""})
    return _with(fields, **{name: cut(low)})
