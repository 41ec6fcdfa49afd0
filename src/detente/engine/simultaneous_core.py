"""The one definition of simultaneous sanctioning (SIM), for every variant of the check.

A UI s1 of DM i from s is sanctioned when the others, each acting *at the same time from s*
(every other DM j stays or takes one of its own UIs from s), produce together with i's move a
feasible joint outcome that i does not prefer to s. Here, once:

* :func:`outcome`: a DM's options set to one of its choices (i's move, each response);
* :func:`sanctions`: the joint outcome is feasible and ranked by i at most u_i(s);
* :func:`unsanctionable`: the bound (no state with i's options as in s1 is ranked that low);
* :func:`next_response`: the joint responses, fewest movers first (subsets in order, each
  mover's choices last-fastest);
* :func:`first_response` (that enumeration until a sanction) and :func:`by_candidates` (the
  states with i's options as in s1, each checked for being such an outcome): the two exact
  searches, and :func:`scan_candidates`, the rule picking the cheaper;
* :func:`state_sanctioned`: one state decided for DM i (every UI sanctioned?): the bound,
  nobody able to respond, then per UI the cheaper search.

The functions are plain Python over scalars and arrays, so nothing here imports numba. The
compiled kernels (:mod:`.simultaneous_kernel` for the engine, :mod:`.profile_kernels` per
profile) call them compiled (:func:`detente.engine.compiled.compile_calls`); the numpy
backend (:mod:`.simultaneous_numpy`) calls the rules on arrays; the witness search
(:mod:`.witness`: the response found) and the local checks (:mod:`.local_checks`: every
response of one state, per profile) call :func:`first_response` and :func:`next_response`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Int = Any  # a Python/numpy integer, or an int array (the rules broadcast)


def outcome(code: Int, mask: Int, bits: Int) -> Int:
    """``code`` with the options of ``mask`` set to ``bits`` (a DM's choice)."""
    return (code & ~mask) | bits


def sanctions(position: Int, u_outcome: Any, target: Any) -> Any:
    """Whether a joint outcome sanctions: feasible (``position >= 0``) and ranked by i at
    most ``target`` = u_i(s)."""
    return (position >= 0) & (u_outcome <= target)


def unsanctionable(lowest: Any, target: Any) -> Any:
    """The bound: when no state with i's options as after its UI is ranked by i as low as
    ``target`` (``lowest`` the least such rank), nothing can sanction the UI."""
    return lowest > target


def scan_candidates(search: int, candidates: Any, responses: Any) -> Any:
    """Scan the ``candidates`` (states that could be the outcome) rather than enumerate the
    ``responses`` (their joint product) when there are fewer of them. ``search``: 0 that
    rule, 1 always the responses, 2 always the candidates (1 and 2 for tests)."""
    return (search == 2) | ((search == 0) & (candidates < responses))


def position(code: int, table: np.ndarray, codes: np.ndarray) -> int:
    """Position of a state code among the feasible states, -1 when infeasible: the dense
    ``table`` when it is given (non-empty), else a binary search of the sorted ``codes``."""
    if table.size > 0:
        return int(table[code])
    k = np.searchsorted(codes, code)
    if k < codes.size and codes[k] == code:
        return int(k)
    return -1


def responders(i: int, count: np.ndarray, movers: np.ndarray) -> tuple[int, int]:
    """The DMs other than i with a UI (``count[j] > 0``) into ``movers``: their number, and
    the number of joint responses (the product of 1 + their UIs, capped at 2**40)."""
    k = 0
    combos = 1
    for j in range(count.size):
        if j != i and count[j] > 0:
            movers[k] = j
            k += 1
            combos = min(combos * (count[j] + 1), 1 << 40)
    return k, combos


def next_response(
    k: int, count: np.ndarray, movers: np.ndarray, pick: np.ndarray, digits: np.ndarray, size: int
) -> int:
    """Advance to the next joint response of the ``k`` movers: ``size`` of them move, the
    movers ``movers[pick[:size]]`` (``pick`` ascending), mover ``pick[m]`` taking its choice
    ``digits[m]`` (0-based among its ``count``). Fewest movers first, the subsets of one size
    in lexicographic order, the choices last-fastest. Start from ``size`` 0; returns the new
    size, 0 when every response has been given."""
    if size > 0:
        m = size - 1
        while m >= 0:  # the next choice of the same movers
            digits[m] += 1
            if digits[m] < count[movers[pick[m]]]:
                return size
            digits[m] = 0
            m -= 1
        m = size - 1
        while m >= 0 and pick[m] == k - size + m:  # the next subset of this size
            m -= 1
        if m >= 0:
            pick[m] += 1
            for q in range(m + 1, size):
                pick[q] = pick[q - 1] + 1
            return size
    size += 1
    if size > k:
        return 0
    for q in range(size):
        pick[q] = q
        digits[q] = 0
    return size


def first_response(
    base: int,
    k: int,
    movers: np.ndarray,
    count: np.ndarray,
    parts: np.ndarray,
    unpack: np.ndarray,
    masks: np.ndarray,
    table: np.ndarray,
    codes: np.ndarray,
    ui: np.ndarray,
    target: Any,
    pick: np.ndarray,
    digits: np.ndarray,
) -> int:
    """The responses search: from ``base`` (s with i's options as after its UI), the first
    joint response (:func:`next_response` order) whose outcome sanctions. Mover j's q-th
    choice sets its options to ``unpack[j, parts[j, q]]``. Returns how many move (their
    choices left in ``pick``/``digits``), 0 when no response sanctions."""
    size = next_response(k, count, movers, pick, digits, 0)
    while size > 0:
        partial = base  # every mover but the last, whose choices vary fastest: a tight loop
        for m in range(size - 1):
            j = movers[pick[m]]
            partial = outcome(partial, masks[j], unpack[j, parts[j, digits[m]]])
        last = size - 1
        j = movers[pick[last]]
        for q in range(digits[last], count[j]):
            x = position(outcome(partial, masks[j], unpack[j, parts[j, q]]), table, codes)
            if x >= 0 and sanctions(x, ui[x], target):
                digits[last] = q
                return size
        digits[last] = count[j] - 1
        size = next_response(k, count, movers, pick, digits, size)
    return 0


def by_candidates(
    i: int,
    s: int,
    states: np.ndarray,
    lo: int,
    hi: int,
    ui: np.ndarray,
    target: Any,
    locals_: Any,
    parts: np.ndarray,
    count: np.ndarray,
    allowed: np.ndarray,
) -> bool:
    """The candidates search: is one of ``states[lo:hi]`` (feasible states with i's column as
    after its UI) ranked by i at most ``target`` and a joint outcome of the others' responses from
    s: each other DM j's column that of s or one of ``parts[j, :count[j]]`` (its UIs)?

    ``locals_[j]`` is DM j's column of every state (a tuple or a (DMs, N) array); ``allowed``
    is (DMs, widest) scratch, all False, and left so."""
    d = len(locals_)
    for j in range(d):
        if j != i:
            allowed[j, locals_[j][s]] = True
            for m in range(count[j]):
                allowed[j, parts[j, m]] = True
    hit = False
    for x in states[lo:hi]:
        if ui[x] > target:
            continue
        good = True
        for j in range(d):
            if j != i and not allowed[j, locals_[j][x]]:
                good = False
                break
        if good:
            hit = True
            break
    for j in range(d):  # leave the scratch clean
        if j != i:
            allowed[j, locals_[j][s]] = False
            for m in range(count[j]):
                allowed[j, parts[j, m]] = False
    return hit


def bound_holds(lowest: np.ndarray, n_own: int, target: Any) -> bool:
    """Whether none of i's ``n_own`` UIs is :func:`unsanctionable` (``lowest[q]``: the least
    u_i with i's options as after UI q); only then do the others' UIs matter."""
    for q in range(n_own):  # noqa: SIM110 (a loop numba compiles; all() of a generator not)
        if unsanctionable(lowest[q], target):
            return False
    return True


def state_sanctioned(
    i: int,
    s: int,
    own: np.ndarray,
    n_own: int,
    lowest: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    candidates: np.ndarray,
    candidates_u: np.ndarray,
    target: Any,
    k: int,
    combos: int,
    movers: np.ndarray,
    count: np.ndarray,
    parts: np.ndarray,
    locals_: Any,
    allowed: np.ndarray,
    codes: np.ndarray,
    table: np.ndarray,
    masks: np.ndarray,
    unpack: np.ndarray,
    ui: np.ndarray,
    search: int,
    pick: np.ndarray,
    digits: np.ndarray,
) -> bool:
    """SIM for DM i at state s: is every UI of i from s sanctioned? The UIs: i's columns
    ``own[:n_own]``; for UI q, ``lowest[q]`` the least u_i with i's options so and
    ``candidates[lo[q]:hi[q]]`` those states (those ranked above ``target`` = u_i(s) are
    skipped); when ``candidates_u`` (their u_i) is given, each run is sorted by u_i and is
    cut at ``target`` first (one bisection). ``k``/``combos``/``movers`` from
    :func:`responders` over ``parts``/``count``, the others' UIs from s as columns (needed
    only when :func:`bound_holds`). The bound, nobody able to respond, then per UI the
    cheaper search."""
    if not bound_holds(lowest, n_own, target):
        return False
    if k == 0 and n_own > 0:
        return False  # nobody can respond: i's move stands
    for q in range(n_own):
        end = hi[q]
        if candidates_u.size > 0:
            end = lo[q] + np.searchsorted(candidates_u[lo[q] : end], target, side="right")
        if scan_candidates(search, end - lo[q], combos):
            hit = by_candidates(
                i, s, candidates, lo[q], end, ui, target, locals_, parts, count, allowed
            )
        else:
            base = outcome(codes[s], masks[i], unpack[i, own[q]])
            hit = (
                first_response(
                    base,
                    k,
                    movers,
                    count,
                    parts,
                    unpack,
                    masks,
                    table,
                    codes,
                    ui,
                    target,
                    pick,
                    digits,
                )
                > 0
            )
        if not hit:
            return False
    return True


#: The functions the compiled kernels call (compiled into them, each calling the others).
COMPILED = (
    "outcome",
    "sanctions",
    "unsanctionable",
    "scan_candidates",
    "position",
    "responders",
    "next_response",
    "first_response",
    "by_candidates",
    "bound_holds",
    "state_sanctioned",
)
#: Those inlined into the compiled drivers (a call per state or response costs more than it
#: does); :func:`next_response`, inlined twice into :func:`first_response`, stays a call.
INLINE = tuple(n for n in COMPILED if n != "next_response")

__all__ = [
    "COMPILED",
    "INLINE",
    "bound_holds",
    "by_candidates",
    "first_response",
    "next_response",
    "outcome",
    "position",
    "responders",
    "sanctions",
    "scan_candidates",
    "state_sanctioned",
    "unsanctionable",
]
