"""IAM wildcard matching without regular expressions.

IAM patterns know two wildcards, `*` (any run of characters) and `?` (one
character), plus policy variables (`${aws:username}`) whose value is only known
at request time, so offline they match like `*`. The escapes `${*}`, `${?}` and
`${$}` stand for the literal characters.

Patterns come from scanned templates, i.e. from untrusted input: a regex with
backtracking can take exponential time on `a*a*a*...b`. Matching here splits the
pattern at its stars and places every piece at its leftmost possible position,
which is correct for globs (a star can always absorb what lies before the next
piece) and takes time linear in the value for star-free pieces (`str.find`).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["Piece", "covers", "globs_intersect", "has_wildcard", "match", "tokenize"]

# A token is a literal character, or one of these markers.
ANY = "\x00?"  # exactly one character
STAR = "\x00*"  # any run of characters, possibly empty
SEGMENT = "\x00s"  # any run of characters without ':' (an ARN template placeholder)

_ESCAPES = {"${*}": "*", "${?}": "?", "${$}": "$"}

Piece = tuple["str | None", ...]  # characters, None standing for `?`


@lru_cache(maxsize=4096)
def tokenize(pattern: str, *, placeholders_as: str = STAR) -> tuple[str, ...]:
    """The pattern as tokens: characters, `ANY`, `STAR`; `${...}` becomes `placeholders_as`."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "$" and pattern.startswith("${", i):
            end = pattern.find("}", i + 2)
            if end != -1:
                whole = pattern[i : end + 1]
                if whole in _ESCAPES:
                    out.append(_ESCAPES[whole])
                elif not out or out[-1] != placeholders_as or placeholders_as != STAR:
                    out.append(placeholders_as)
                i = end + 1
                continue
        if char == "*":
            if not out or out[-1] != STAR:
                out.append(STAR)
        elif char == "?":
            out.append(ANY)
        else:
            out.append(char)
        i += 1
    return tuple(out)


@lru_cache(maxsize=16384)
def has_wildcard(pattern: str) -> bool:
    """Whether the pattern matches more than one literal string."""
    return any(token in (ANY, STAR, SEGMENT) for token in tokenize(pattern))


@lru_cache(maxsize=4096)
def _pieces(pattern: str, folded: bool) -> tuple[bool, bool, tuple[Piece, ...]]:
    """(starts with a star, ends with a star, the star-free pieces between stars)."""
    tokens = tokenize(pattern.lower() if folded else pattern)
    pieces: list[Piece] = []
    current: list[str | None] = []
    for token in tokens:
        if token == STAR:
            pieces.append(tuple(current))
            current = []
        else:
            current.append(None if token == ANY else token)
    pieces.append(tuple(current))
    starts = bool(tokens) and tokens[0] == STAR
    ends = bool(tokens) and tokens[-1] == STAR
    return starts, ends, tuple(pieces)


def _fits_at(piece: Piece, value: str, at: int) -> bool:
    if at + len(piece) > len(value):
        return False
    return all(char is None or value[at + k] == char for k, char in enumerate(piece))


def _find(piece: Piece, value: str, start: int) -> int:
    """Leftmost position >= start where the piece fits, or -1."""
    if None not in piece:
        return value.find("".join(piece), start)  # type: ignore[arg-type]
    # Anchor on the longest literal run so the scan mostly runs in C.
    best, best_at, run, run_at = "", 0, "", 0
    for k, char in enumerate((*piece, None)):
        if char is None:
            if len(run) > len(best):
                best, best_at = run, run_at
            run, run_at = "", k + 1
        else:
            run += char
    if not best:
        for at in range(start, len(value) - len(piece) + 1):
            if _fits_at(piece, value, at):
                return at
        return -1
    at = value.find(best, start + best_at)
    while at != -1:
        if at - best_at + len(piece) > len(value):
            return -1
        if _fits_at(piece, value, at - best_at):
            return at - best_at
        at = value.find(best, at + 1)
    return -1


def match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """Whether `value` is one of the strings `pattern` stands for."""
    if not case_sensitive:
        value = value.lower()
    _, _, pieces = _pieces(pattern, not case_sensitive)
    if len(pieces) == 1:
        return len(pieces[0]) == len(value) and _fits_at(pieces[0], value, 0)
    first, last = pieces[0], pieces[-1]
    if len(first) + len(last) > len(value):
        return False
    if not _fits_at(first, value, 0) or not _fits_at(last, value, len(value) - len(last)):
        return False
    position, head = len(first), value[: len(value) - len(last)]
    for piece in pieces[1:-1]:
        found = _find(piece, head, position)
        if found == -1:
            return False
        position = found + len(piece)
    return True


def covers(general: str, specific: str, *, case_sensitive: bool = True) -> bool:
    """Whether every string `specific` stands for is also matched by `general` (sound, not complete).

    When `general` has no `?`, matching it against the text of `specific` (its
    wildcards read as plain characters) proves containment: each wildcard of
    `specific` falls inside the run absorbed by some star of `general`.
    """
    if general == specific or tokenize(general) == (STAR,):
        return True
    if "${" in general or "${" in specific:
        return False
    if not has_wildcard(specific):
        return match(general, specific, case_sensitive=case_sensitive)
    if "?" in general:
        return False
    return match(general, specific, case_sensitive=case_sensitive)


def _accepts(token: str, char: str) -> bool:
    """Whether a token can consume the (literal) character."""
    if token in (ANY, STAR):
        return True
    if token == SEGMENT:
        return char != ":"
    return token == char


@lru_cache(maxsize=65536)
def globs_intersect(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether two token sequences can match a common string (product-automaton search).

    Used to ask whether a policy resource pattern can name a resource of a given
    ARN template; states are pairs of positions, so the cost is len(left) * len(right).
    """
    starry = (STAR, SEGMENT)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(left) and j == len(right):
            return True
        nexts: list[tuple[int, int]] = []
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        if a in starry:
            nexts.append((i + 1, j))
        if b in starry:
            nexts.append((i, j + 1))
        if a is not None and b is not None:
            if a not in (ANY, STAR, SEGMENT):
                can = _accepts(b, a)
            elif b not in (ANY, STAR, SEGMENT):
                can = _accepts(a, b)
            else:
                can = True  # two wildcards share any character other than ':'
            if can:
                nexts.append((i if a in starry else i + 1, j if b in starry else j + 1))
        stack.extend(nexts)
    return False
