"""What matching decides and the thresholds it decides by (shared by both resolvers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from contacts.matching.levels import Comparison


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores (sum of log2 Bayes factors): merge at or above `merge`, review from `review`."""

    merge: float = 16.0
    review: float = 6.0
    block_cap: int = 100  # a blocking key shared by more records than this is skipped
    # At least this many new records are resolved column-wise. Below, the pair-by-pair
    # path is quicker (the columns cost ~25 ms to set up); above, the columns are: 1,000
    # new sightings against their neighbourhood in a big store, 0.1 s instead of 0.3 s.
    batch_from: int = 200


@dataclass
class Outcome:
    """What a batch decided: final groups, the edge behind each join, pairs to review."""

    groups: dict[int, list[int]] = field(default_factory=dict)  # root rec id -> rec ids
    reasons: dict[int, tuple[int, Comparison]] = field(default_factory=dict)  # new id -> why
    review: list[tuple[int, int, Comparison]] = field(default_factory=list)
    candidate_pairs: int = 0
