"""Shared by the matching benchmarks: fast normalization to `Rec`, pairwise scoring, memory."""

from __future__ import annotations

import resource
from collections import Counter
from collections.abc import Iterable

from contacts.matching.records import Rec, make_rec
from contacts.normalize import canonical_linkedin, company_key, normalize_phone

_PHONES: dict[str, str] = {}


def email_key(address: str) -> str:
    """Canonical key as `contacts.normalize.normalize_email` makes it (Gmail folded)."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.split("+", 1)[0].replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def phone_key(text: str) -> str:
    if text not in _PHONES:
        _PHONES[text] = normalize_phone(text, "US") or ""
    return _PHONES[text]


def to_rec(i: int, row: dict) -> Rec:
    """A generated row as the matcher sees it (same keys as the ingest path produces)."""
    return make_rec(
        i,
        first=row["first"],
        last=row["last"],
        emails=[email_key(row["email"])] if row["email"] else [],
        phones=[p for p in [phone_key(row["phone"])] if p] if row["phone"] else [],
        company=company_key(row["company"]),
        title=row["title"],
        linkedin=canonical_linkedin(row["linkedin"]),
    )


def pair_count(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(clusters: Iterable[list[int]], truth: list[int]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of predicted clusters (lists of row indexes)."""
    predicted = correct = 0
    for members in clusters:
        predicted += pair_count(len(members))
        correct += sum(pair_count(c) for c in Counter(truth[m] for m in members).values())
    actual = sum(pair_count(c) for c in Counter(truth).values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs": actual}


def after_review(
    clusters: Iterable[list[int]], review: Iterable[tuple[int, int]], truth: list[int]
) -> tuple[dict[str, float], int]:
    """Scores once a reviewer has merged every review pair that is truly one person.

    `review` holds one row index from each side of a possible duplicate. Returns the
    pairwise scores of the clusters after those merges and how many review pairs were true.
    """
    groups = list(clusters)
    parent = {m: i for i, members in enumerate(groups) for m in members}
    joined = list(range(len(groups)))

    def root(x: int) -> int:
        while joined[x] != x:
            joined[x] = joined[joined[x]]
            x = joined[x]
        return x

    true = 0
    for a, b in review:
        if truth[a] == truth[b]:
            true += 1
            joined[root(parent[a])] = root(parent[b])
    merged: dict[int, list[int]] = {}
    for member, cluster in parent.items():
        merged.setdefault(root(cluster), []).append(member)
    return pairwise(merged.values(), truth), true


def rss_gb() -> float:
    """Resident memory of this process now, in GB (from /proc; 0.0 where there is none)."""
    try:
        with open("/proc/self/status") as status:
            line = next(x for x in status if x.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024**2


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far, in GB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def blocking_recall(recs: list[Rec], truth: list[int], cap: int) -> float:
    """Share of true pairs that share at least one blocking key used by the matcher."""
    from contacts.matching.records import block_keys

    index: dict[str, list[int]] = {}
    for i, rec in enumerate(recs):
        for key in block_keys(rec):
            index.setdefault(key, []).append(i)
    reached: set[tuple[int, int]] = set()
    for members in index.values():
        if len(members) > cap:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                if truth[a] == truth[b]:
                    reached.add((a, b))
    actual = sum(pair_count(c) for c in Counter(truth).values())
    return len(reached) / actual if actual else 1.0
