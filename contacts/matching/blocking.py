"""Candidate pairs of a `Table` with array operations: the keys of `records.block_keys`.

Every key of `block_keys` becomes an integer (one range per kind of key), records are
sorted by key, and the pairs inside each group of 2..cap records are read off at offsets
1, 2, ... of that order. The result is the sorted, de-duplicated set of position pairs
(lower id first) with at least one new record, the same pairs `Matcher` compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from contacts.matching.table import Table, codes, email_parts, sorted_unique

KINDS = ("linkedin", "emails", "local", "phones", "name", "initial", "company")
Space = dict[str, pd.Index]


def block_entries(table: Table, space: Space | None = None) -> tuple[np.ndarray, np.ndarray, Space]:
    """(position, key, key space) for every blocking key of every record; keys are int64.

    Keys are numbered in a key space: the table's own values, or, given the `space` of
    another (stored) table, that table's numbering, so the keys of new records can be
    looked up among stored ones; a key holding a value the space has never seen is left
    out (it cannot be shared with a stored record).
    """
    own = space is None
    space = {} if space is None else space

    def coded(kind: str, found: np.ndarray, uniques: np.ndarray) -> np.ndarray:
        if own:
            space[kind] = pd.Index(uniques)
            return found
        return space[kind].get_indexer(uniques)[found] if len(found) else found

    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column in ("linkedin", "emails", "phones"):
        pos, found, uniques = table.idents(column)
        parts[column] = (pos, coded(column, found, uniques))
        if column == "emails":
            split = (
                table.email_parts() if uniques is table.code("emails")[1] else email_parts(uniques)
            )
            chosen = ((split["local_len"] >= 5) & ~split["role"])[found]
            local = coded("local", split["local_code"][found[chosen]], split["local_uniques"])
            parts["local"] = (pos[chosen], local)
    n = len(table)
    fk, last_text = table.first_keys(), table.text["last"]
    # the name key folds the surname slot like a given name too ('Johnson, Kate')
    last_key = table.last_keys()
    all_codes, vocab_words = codes(np.concatenate([fk, last_text, last_key]))
    all_codes = coded("name", all_codes, vocab_words)
    fk_code, last, lk_code = all_codes[:n], all_codes[n : 2 * n], all_codes[2 * n :]
    first, names = table.code("first")
    initial, initials = codes(np.asarray([u[:1] for u in names], dtype=object))
    initial = coded("initial", initial[first], initials)
    company = coded("company", *table.code("company"))
    vocab, width = len(space["name"]) + 1, len(space["company"]) + 1
    has_fk = (fk != "") & (fk_code >= 0)
    has_last = (last_text != "") & (last >= 0)
    has_company = (table.text["company"] != "") & (company >= 0)
    both = has_fk & has_last
    low, high = np.minimum(fk_code, lk_code), np.maximum(fk_code, lk_code)
    composite = [
        (both & (lk_code >= 0), low * vocab + high, vocab * vocab),
        (both & (initial >= 0), initial * vocab + last, vocab * vocab),
        (has_last & has_company, last * width + company, vocab * width),
        (has_fk & has_company, fk_code * width + company, vocab * width),
    ]
    positions, keys = [], []
    offset = 0
    for kind in ("linkedin", "emails", "local", "phones"):
        pos, key = parts[kind]
        seen = key >= 0
        positions.append(pos[seen])
        keys.append(key[seen] + offset)
        offset += len(space[kind])
    for mask, key, size in composite:
        positions.append(np.flatnonzero(mask))
        keys.append(key[mask] + offset)
        offset += size
    return np.concatenate(positions), np.concatenate(keys), space


def stored_neighbours(stored: tuple[np.ndarray, np.ndarray, Space], new: Table,
                      cap: int) -> np.ndarray:  # fmt: skip
    """Stored positions sharing a blocking key with a new record (keys held by <= cap).

    `stored` is (keys sorted, their positions, key space) of the stored table; this is the
    in-memory counterpart of `storage.neighbourhood`'s look-up in the key index.
    """
    sorted_key, sorted_pos, space = stored
    _, key, _ = block_entries(new, space)
    key = np.unique(key)
    lo = np.searchsorted(sorted_key, key, "left")
    hi = np.searchsorted(sorted_key, key, "right")
    ok = (hi > lo) & (hi - lo <= cap)
    if not ok.any():
        return np.zeros(0, np.int64)
    return np.unique(np.concatenate([sorted_pos[a:b] for a, b in zip(lo[ok], hi[ok], strict=True)]))


def sorted_entries(table: Table) -> tuple[np.ndarray, np.ndarray, Space]:
    """A table's blocking keys sorted, with their positions and key space."""
    pos, key, space = block_entries(table)
    order = np.argsort(key)
    return key[order], pos[order], space


def candidate_pairs(table: Table, cap: int) -> np.ndarray:
    """Sorted unique pair keys lo * n + hi (positions, lower id first), one side new."""
    key, pos, _ = sorted_entries(table)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, len(key)])
    good = (sizes >= 2) & (sizes <= cap)
    pos = pos[np.repeat(good, sizes)]
    kept = sizes[good]
    size = np.repeat(kept, kept)
    rank = np.arange(len(pos)) - np.repeat(np.cumsum(kept) - kept, kept)
    n = len(table)
    out = []
    by_position = bool(np.all(np.diff(table.ids) > 0))  # ids rise with position
    all_new = bool(table.new.all())
    active = np.flatnonzero(size - rank > 1)
    step = 1
    while len(active):
        a, b = pos[active], pos[active + step]
        ok = a != b if all_new else (a != b) & (table.new[a] | table.new[b])
        a, b = a[ok], b[ok]
        if by_position:
            lo, hi = np.minimum(a, b), np.maximum(a, b)
        else:
            swap = table.ids[a] > table.ids[b]
            lo, hi = np.where(swap, b, a), np.where(swap, a, b)
        out.append(lo.astype(np.int64) * n + hi)
        step += 1
        active = active[size[active] - rank[active] > step]
    if not out:
        return np.zeros(0, np.int64)
    return sorted_unique(np.concatenate(out))
