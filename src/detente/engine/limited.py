"""Limited-move stability L_h (Kilgour, 1985; Fang, Hipel & Kilgour, 1993), any number of DMs.

Two DMs: G_h(i, s), the state DM i anticipates when it is i's turn at s with h moves left:
G_0(i, s) = s; for h >= 1, i looks at each t in R_i(s) and the state G_{h-1}(j, t) the opponent
j would then bring about; if the best of these for i is strictly better for i than s, i moves and
G_h(i, s) is that state, else G_h(i, s) = s. s is L_h stable for i when G_h(i, s) = s.

n DMs (detente's own extension, docs/concepts-extended.md): A^i_m(k, s) is the state the focal
DM i anticipates from s, k having moved last, with m moves left. A^i_0(k, s) = s; for m >= 1
each DM j != k looks at each t in R_j(s) and A^i_{m-1}(j, t), and *would move* when the best of
these for j is strictly better for j than s; if none would, A^i_m(k, s) = s, else it is the
outcome of the would-be mover that is worst for i (i cannot tell who answers first, and plans
for the worst). s is L_h stable for i when no t in R_i(s) has A^i_{h-1}(i, t) strictly better
for i than s. With two DMs only the opponent can answer and this is G_h exactly.

Ties: among equally good moves the anticipated state is the one with the lowest state number;
among equally bad would-be movers for i, too (documented, deterministic choices; the literature
leaves them open).
"""

from __future__ import annotations

import hashlib

import numpy as np

from detente.engine.layout import DMLayout
from detente.engine.moves import reach_max
from detente.model.errors import AnalysisError, ModelTooLargeError

#: Steps of the anticipation iteration kept before giving up on finding its cycle.
_MAX_STEPS = 10_000
#: Most positions (focal DM x last mover x state x move left) the n-DM anticipation may visit.
MAX_POSITIONS = 2_000_000_000
#: Positions per second of the n-DM anticipation, for the time a refusal quotes: about what
#: benchmarks/bench_limited.py gives with 4 DMs (3 DMs run faster).
POSITIONS_PER_SECOND = 10_000_000


def anticipated(
    layouts: list[DMLayout], utilities: list[np.ndarray], horizon: int
) -> list[np.ndarray]:
    """[G_h(0, ·), G_h(1, ·)] as indices into the feasible states (two DMs)."""
    if len(layouts) != 2:
        raise AnalysisError(
            f"the two-DM anticipation G_h needs two decision makers; this model has "
            f"{len(layouts)} (use limited_move_stable)"
        )
    _check_horizon(horizon)
    n = utilities[0].size
    ident = np.arange(n)
    g = [ident, ident]  # G_0
    # G_h depends on G_{h-1} only, so the sequence repeats once a pair recurs: stop there and
    # read G_horizon off the cycle (the work is bounded by the model, not by the horizon).
    seen: dict[bytes, int] = {}
    history: list[list[np.ndarray]] = []
    for step in range(horizon):
        digest = hashlib.sha256(g[0].tobytes() + g[1].tobytes()).digest()
        if digest in seen:
            first = seen[digest]
            return history[first + (horizon - first) % (step - first)]
        seen[digest] = step
        history.append(g)
        if len(history) > _MAX_STEPS:
            raise _no_cycle(horizon)
        new = []
        for i in (0, 1):
            j = 1 - i
            outcome = g[j]  # G_{h-1}(j, t) for every t
            # rank by i's payoff of the outcome, ties to the lowest state number
            key = utilities[i][outcome] * n + (n - 1 - outcome)
            best = reach_max(layouts[i], key)
            moves = np.isfinite(best)
            best_idx = np.where(moves, n - 1 - np.mod(np.where(moves, best, 0), n), 0)
            best_idx = best_idx.astype(np.int64)
            better = moves & (utilities[i][best_idx] > utilities[i])
            new.append(np.where(better, best_idx, ident))
        g = new
    return g


def positions(n_dms: int, n_states: int, horizon: int) -> int:
    """Most positions (focal DM, last mover, state, moves left) the n-DM anticipation visits:
    the nodes of the game tree it evaluates, each once per step (at most min(h - 1, the step
    cap) steps, twice over when the cycle is read back)."""
    return 2 * n_dms * n_dms * n_states * max(1, min(horizon - 1, _MAX_STEPS))


def check_size(n_dms: int, n_states: int, horizon: int) -> None:
    """Refuse, before any step, an n-DM anticipation above :data:`MAX_POSITIONS`."""
    need = positions(n_dms, n_states, horizon)
    if need > MAX_POSITIONS:
        seconds = need / POSITIONS_PER_SECOND
        took = f"about {seconds:,.0f} s" if seconds >= 1 else "under 1 s"
        raise ModelTooLargeError(
            f"limited-move stability L{horizon} for {n_dms} decision makers over {n_states:,} "
            f"states may visit up to {need:,} positions of the game tree (focal DM × last "
            f"mover × state × move left; {took}), more than the {MAX_POSITIONS:,} allowed; a "
            "shorter horizon or a smaller model needs fewer"
        )


def anticipated_by(
    layouts: list[DMLayout], utilities: list[np.ndarray], focal: int, moves_left: int
) -> np.ndarray:
    """(DMs, states) A^focal_m(k, ·) for m = ``moves_left``: row k is the state the focal DM
    anticipates from each state when DM k moved last (indices into the feasible states)."""
    n_dms, n = len(layouts), utilities[0].size
    ident = np.arange(n)
    a = np.tile(ident, (n_dms, 1))  # A_0
    seen: dict[bytes, int] = {}
    for step in range(moves_left):
        digest = hashlib.sha256(a.tobytes()).digest()
        if digest in seen:  # periodic from here: replay to the step that equals moves_left
            first = seen[digest]
            return anticipated_by(
                layouts, utilities, focal, first + (moves_left - first) % (step - first))
        seen[digest] = step
        if step > _MAX_STEPS:
            raise _no_cycle(moves_left + 1)
        a = _step(layouts, utilities, focal, a, ident)
    return a


def _step(
    layouts: list[DMLayout], utilities: list[np.ndarray], focal: int, a: np.ndarray,
    ident: np.ndarray,
) -> np.ndarray:
    """A_m from A_{m-1} for one focal DM."""
    n_dms, n = a.shape
    worst = np.full((n_dms, n), np.inf)  # per would-be mover j: focal's key of j's outcome
    for j in range(n_dms):
        u = utilities[j]
        outcome = a[j]  # A_{m-1}(j, t): j has just moved to t
        best = reach_max(layouts[j], u[outcome] * n + (n - 1 - outcome))
        moves = np.isfinite(best)
        best_idx = np.where(moves, n - 1 - np.mod(np.where(moves, best, 0), n), 0).astype(np.int64)
        would = moves & (u[best_idx] > u)
        worst[j] = np.where(would, utilities[focal][best_idx] * n + best_idx, np.inf)
    # A_m(k, s): the worst for the focal DM over would-be movers j != k (lowest state on ties)
    arg = np.argmin(worst, axis=0)
    cols = np.arange(n)
    first = worst[arg, cols]
    rest = worst.copy()
    rest[arg, cols] = np.inf
    second = rest.min(axis=0)
    out = np.empty_like(a)
    for k in range(n_dms):
        key = np.where(arg == k, second, first)
        found = np.isfinite(key)
        out[k] = np.where(found, np.mod(np.where(found, key, 0), n).astype(np.int64), ident)
    return out


def limited_move_stable(
    layouts: list[DMLayout], utilities: list[np.ndarray], horizon: int
) -> np.ndarray:
    """(DMs, states) bool: L_h stability for each DM (the two-DM G_h where there are two)."""
    _check_horizon(horizon)
    n = utilities[0].size
    if len(layouts) == 2:
        g = anticipated(layouts, utilities, horizon)
        return np.stack([g[i] == np.arange(n) for i in (0, 1)])
    return limited_move_stable_n(layouts, utilities, horizon)


def limited_move_stable_n(
    layouts: list[DMLayout], utilities: list[np.ndarray], horizon: int
) -> np.ndarray:
    """(DMs, states) bool by the n-DM anticipation (any number of DMs, two included)."""
    _check_horizon(horizon)
    check_size(len(layouts), utilities[0].size, horizon)
    out = []
    for i, (lay, u) in enumerate(zip(layouts, utilities, strict=True)):
        after = anticipated_by(layouts, utilities, i, horizon - 1)[i]  # i has just moved
        out.append(reach_max(lay, u[after]) <= u)
    return np.stack(out)


def _check_horizon(horizon: int) -> None:
    if horizon < 1:
        raise AnalysisError(f"the horizon must be at least 1, got {horizon}")


def _no_cycle(horizon: int) -> AnalysisError:
    return AnalysisError(
        f"limited-move stability with horizon {horizon}: the anticipation did not repeat "
        f"within {_MAX_STEPS} steps; use a horizon of at most {_MAX_STEPS}"
    )
