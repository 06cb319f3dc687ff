"""The convening mixer's local search, compiled (numba, single thread, no Django).

``networkmaps/graph/mixer.py`` builds a seating's state as arrays and these kernels do what
the search repeats hundreds of thousands of times: a swap's gain, the swap itself, the
repair of broken hard constraints and one pass of hill climbing. They decide exactly as
the pure-Python search they replace did (every weight is a multiple of 0.5, so sums are
exact in any order): the same seed gives the same plan, only sooner. The gain is checked
against ``mix_score`` in tests/networkmaps/graph/test_mixer.py.

The state, for n people at t tables (D balanced dimensions of at most V values each):

- ``weight`` (CSR ``w_ptr``, ``w_idx`` sorted, ``w_val``): the weight of each pair that is
  not new or may not share a table (see ``_Seating``); ``tie_ptr``/``tie_idx``: ties;
- ``table_of[n]``, ``members[t, largest]`` with ``place[n]`` (a person's seat in their
  table's row) and ``sizes[t]``;
- ``cost[n, t]``: the weight between a person and everyone at a table; ``tie_count[n, t]``
  how many people they know there;
- ``community[n]`` (-1: unknown, matches nobody), ``community_count[t, C]``;
- ``dims[D, n]`` (-1: unknown), ``caps[D, t, V]`` each table's fair share of a value,
  ``value_count[D, t, V]``.

Compiled functions are cached on disk (``cache=True``): the first call in a fresh
environment compiles them (a few seconds), later processes load the cache.
"""

from __future__ import annotations

import numba
import numpy as np

CROSS_COMMUNITY_WEIGHT = 0.5
EPSILON = 1e-9


@numba.njit(cache=True, nogil=True)
def _slot(ptr, idx, i, j):  # pragma: no cover - compiled
    """Where j is in CSR row i (sorted), or -1."""
    lo, hi = ptr[i], ptr[i + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        v = idx[mid]
        if v < j:
            lo = mid + 1
        elif v > j:
            hi = mid
        else:
            return mid
    return -1


@numba.njit(cache=True, nogil=True)
def _familiar_change(a, b, ta, tb, tie_ptr, tie_idx, table_of, tie_count):  # pragma: no cover
    """Change in how many people know someone at their table, if a and b swap."""
    ab = 1 if _slot(tie_ptr, tie_idx, a, b) >= 0 else 0
    # a moves to tb (where b no longer sits), b to ta.
    change = int(tie_count[a, tb] - ab >= 1) - int(tie_count[a, ta] >= 1)
    change += int(tie_count[b, ta] - ab >= 1) - int(tie_count[b, tb] >= 1)
    if tie_count[a, ta] + tie_count[a, tb] + tie_count[b, ta] + tie_count[b, tb] == 0:
        return change  # neither has a friend at either table: nobody else is affected
    # Only people who know a or b (and sit at ta or tb) can gain or lose a familiar face;
    # someone who knows both keeps as many as before.
    change += _friends_change(tie_ptr, tie_idx, tie_count, table_of, a, b, ta, tb)
    change += _friends_change(tie_ptr, tie_idx, tie_count, table_of, b, a, tb, ta)
    return change


@numba.njit(cache=True, nogil=True)
def _friends_change(tie_ptr, tie_idx, tie_count, table_of, mover, other, left, joined):
    """Familiar faces gained minus lost among `mover`'s friends (not `other`'s too) when
    `mover` leaves table `left` for `joined` and `other` makes the opposite move."""
    change = 0
    for k in range(tie_ptr[mover], tie_ptr[mover + 1]):
        p = tie_idx[k]
        tp = table_of[p]
        if p == other or (tp != left and tp != joined) or _slot(tie_ptr, tie_idx, other, p) >= 0:
            continue
        old = tie_count[p, tp]
        if tp == left:  # the mover leaves p's table
            change += int(old - 1 >= 1) - int(old >= 1)
        else:  # the mover arrives at p's table
            change += int(old + 1 >= 1) - int(old >= 1)
    return change


@numba.njit(cache=True, nogil=True)
def swap_gain(
    a, b, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, cost, tie_count,
    community, community_count, dims, caps, value_count, over_penalty, hard, familiar,
):  # fmt: skip  # pragma: no cover - compiled
    """How much mix_score rises if a and b (at different tables) swap seats."""
    ta, tb = table_of[a], table_of[b]
    k = _slot(w_ptr, w_idx, a, b)
    both = 2.0 * w_val[k] if k >= 0 else 0.0
    fewer = cost[a, ta] + cost[b, tb] - (cost[a, tb] + cost[b, ta] - both)
    ca, cb = community[a], community[b]
    same = 0
    if ca < 0 or ca != cb:
        # An unknown community is a person's own: 1 at their table, 0 anywhere else.
        if ca >= 0:
            same += community_count[tb, ca] - (community_count[ta, ca] - 1)
        if cb >= 0:
            same += community_count[ta, cb] - (community_count[tb, cb] - 1)
    over = 0
    for d in range(dims.shape[0]):
        va, vb = dims[d, a], dims[d, b]
        if va == vb:
            continue
        # Table ta: va leaves, vb arrives; table tb: the other way round.
        if va >= 0:
            over -= int(value_count[d, ta, va] > caps[d, ta, va])
            over += int(value_count[d, tb, va] >= caps[d, tb, va])
        if vb >= 0:
            over += int(value_count[d, ta, vb] >= caps[d, ta, vb])
            over -= int(value_count[d, tb, vb] > caps[d, tb, vb])
    gain = fewer - CROSS_COMMUNITY_WEIGHT * same - over_penalty * over
    if familiar:
        gain += hard / 4 * _familiar_change(a, b, ta, tb, tie_ptr, tie_idx, table_of, tie_count)
    return gain


@numba.njit(cache=True, nogil=True)
def swap_seats(
    a, b, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, members, place, cost, tie_count,
    community, community_count, dims, value_count,
):  # fmt: skip  # pragma: no cover - compiled
    """a and b (at different tables) change seats; every count follows."""
    ta, tb = table_of[a], table_of[b]
    sa, sb = place[a], place[b]
    members[ta, sa] = b
    members[tb, sb] = a
    place[a], place[b] = sb, sa
    for person, old, new in ((a, ta, tb), (b, tb, ta)):
        table_of[person] = new
        for k in range(w_ptr[person], w_ptr[person + 1]):
            j = w_idx[k]
            cost[j, old] -= w_val[k]
            cost[j, new] += w_val[k]
        for k in range(tie_ptr[person], tie_ptr[person + 1]):
            j = tie_idx[k]
            tie_count[j, old] -= 1
            tie_count[j, new] += 1
        c = community[person]
        if c >= 0:
            community_count[old, c] -= 1
            community_count[new, c] += 1
        for d in range(dims.shape[0]):
            v = dims[d, person]
            if v >= 0:
                value_count[d, old, v] -= 1
                value_count[d, new, v] += 1


@numba.njit(cache=True, nogil=True)
def _broken(i, tie_ptr, table_of, cost, tie_count, hard, familiar):  # pragma: no cover
    t = table_of[i]
    if cost[i, t] >= hard - EPSILON:
        return True
    return familiar and tie_ptr[i + 1] > tie_ptr[i] and tie_count[i, t] == 0


@numba.njit(cache=True, nogil=True)
def repair(
    passes, budget, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, members, place, cost,
    tie_count, community, community_count, dims, caps, value_count, over_penalty, hard,
    familiar,
):  # fmt: skip  # pragma: no cover - compiled
    """Up to `passes` times: give each person who breaks a hard constraint the swap that
    raises the score most (the first such partner in index order); stop when nobody is
    broken, a pass repairs nothing or `budget` swaps have been weighed (each person
    repaired weighs everyone). Returns the budget left."""
    n = table_of.shape[0]
    broken = np.empty(n, np.int64)
    for _ in range(passes):
        count = 0
        for i in range(n):
            if _broken(i, tie_ptr, table_of, cost, tie_count, hard, familiar):
                broken[count] = i
                count += 1
        if count == 0:
            return budget
        repaired = False
        for k in range(count):
            a = broken[k]
            if not _broken(a, tie_ptr, table_of, cost, tie_count, hard, familiar):
                continue
            if budget <= 0:
                return budget
            budget -= n
            best, partner = EPSILON, -1
            for b in range(n):
                if table_of[a] != table_of[b]:
                    g = swap_gain(
                        a, b, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, cost,
                        tie_count, community, community_count, dims, caps, value_count,
                        over_penalty, hard, familiar,
                    )  # fmt: skip
                    if g > best:
                        best, partner = g, b
            if partner >= 0:
                swap_seats(
                    a, partner, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, members,
                    place, cost, tie_count, community, community_count, dims, value_count,
                )  # fmt: skip
                repaired = True
        if not repaired:
            return budget
    return budget


@numba.njit(cache=True, nogil=True)
def climb(
    order, partners, budget, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, members, place,
    cost, tie_count, community, community_count, dims, caps, value_count, over_penalty, hard,
    familiar,
):  # fmt: skip  # pragma: no cover - compiled
    """One pass of first-improvement hill climbing: each person ``order[k]`` tries the
    partners ``partners[k]`` in turn and swaps with each that raises the score. Each person
    spends their row's length of `budget`, and the pass ends once it is spent. Returns
    (improved, budget)."""
    improved = False
    for k in range(order.shape[0]):
        a = order[k]
        budget -= partners.shape[1]
        for m in range(partners.shape[1]):
            b = partners[k, m]
            if table_of[a] != table_of[b]:
                g = swap_gain(
                    a, b, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, cost, tie_count,
                    community, community_count, dims, caps, value_count, over_penalty, hard,
                    familiar,
                )  # fmt: skip
                if g > EPSILON:
                    swap_seats(
                        a, b, w_ptr, w_idx, w_val, tie_ptr, tie_idx, table_of, members,
                        place, cost, tie_count, community, community_count, dims, value_count,
                    )  # fmt: skip
                    improved = True
        if budget <= 0:
            return improved, budget
    return improved, budget


# --- the seeded draws ---------------------------------------------------------------------
# Python's own random.shuffle and random.sample, fed the same 32-bit Mersenne Twister words
# (random.getrandbits(32 × m) hands them over in order, least significant word first): the
# plan stays the one the seed always gave, without a Python call per number drawn.


@numba.njit(cache=True, nogil=True)
def _below(m, words, at):  # pragma: no cover - compiled
    """random.Random._randbelow_with_getrandbits(m) on `words[at:]`: (value, next at), or
    (-1, at) when the words run out."""
    bits = 0
    while (m >> bits) > 0:
        bits += 1
    while at < words.shape[0]:
        r = np.int64(words[at] >> np.uint32(32 - bits))
        at += 1
        if r < m:
            return r, at
    return -1, at


@numba.njit(cache=True, nogil=True)
def draw_pass(words, n, reach, k, set_size, order, partners, pool, taken):  # pragma: no cover
    """One soft pass's draws: ``order`` = random.shuffle(list(range(n))), then ``reach``
    rows of random.sample(range(n), k) into ``partners``. Returns the words used, or -1 if
    `words` ran out (draw more and call again)."""
    at = 0
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        j, at = _below(i + 1, words, at)
        if j < 0:
            return -1
        order[i], order[j] = order[j], order[i]
    for row in range(reach):
        if n <= set_size:
            # random.sample's pool method: an n-long list is smaller than a k-long set.
            for i in range(n):
                pool[i] = i
            for i in range(k):
                j, at = _below(n - i, words, at)
                if j < 0:
                    return -1
                partners[row, i] = pool[j]
                pool[j] = pool[n - i - 1]
        else:
            # random.sample's selection set (marks in `taken`, cleared after each row).
            drawn = 0
            while drawn < k:
                j, at = _below(n, words, at)
                if j < 0:
                    break
                if not taken[j]:
                    taken[j] = True
                    partners[row, drawn] = j
                    drawn += 1
            for i in range(drawn):
                taken[partners[row, i]] = False
            if drawn < k:
                return -1
    return at
