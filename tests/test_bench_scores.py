"""The benchmark's scoring helpers: pairwise precision / recall and the 'after review' figure."""

from __future__ import annotations

from bench.common import after_review, pairwise


def test_pairwise_counts_pairs_within_clusters() -> None:
    truth = [1, 1, 1, 2, 2]
    scores = pairwise([[0, 1], [2], [3, 4]], truth)
    assert scores["pairs"] == 4  # three pairs of person 1, one of person 2
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5


def test_after_review_merges_only_the_true_review_pairs() -> None:
    truth = [1, 1, 1, 2, 2]
    clusters = [[0, 1], [2], [3], [4]]
    review = [(1, 2), (2, 3), (3, 4)]  # true, false, true
    scores, true = after_review(clusters, review, truth)
    assert true == 2
    assert scores["precision"] == 1.0
    assert scores["recall"] == 1.0


def test_after_review_keeps_a_wrong_join_it_was_given() -> None:
    truth = [1, 1, 2]
    scores, true = after_review([[0, 2], [1]], [(1, 0)], truth)
    assert true == 1
    assert scores["precision"] == 1 / 3  # the three pairs of {0, 1, 2}: only 0-1 is right
    assert scores["recall"] == 1.0
