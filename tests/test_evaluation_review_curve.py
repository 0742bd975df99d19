"""The review trade-off curve and the threshold choice on a hand-made list."""

from __future__ import annotations

import pytest

from extractor.evaluation.review_curve import choose_threshold, frontier, review_curve

# two wrong rows (0.1 and 0.5) among five
CONF = [0.1, 0.3, 0.5, 0.7, 0.9]
RIGHT = [False, True, False, True, True]


def _by_threshold(curve):
    return {p["threshold"]: (p["queue_size"], p["errors_caught"]) for p in curve}


def test_curve_has_a_point_per_distinct_confidence_plus_0_and_1():
    curve = review_curve(CONF, RIGHT)
    assert _by_threshold(curve) == {
        0.0: (0, 0.0),
        0.1: (0, 0.0),  # queued means confidence strictly below the threshold
        0.3: (1, 0.5),
        0.5: (2, 0.5),
        0.7: (3, 1.0),
        0.9: (4, 1.0),
        1.0: (5, 1.0),
    }
    point = curve[4]
    assert point["queue_share"] == pytest.approx(0.6)
    assert point["caught"] == 2 and point["missed_error_rate"] == 0.0
    assert curve[3]["missed_error_rate"] == pytest.approx(1 / 3)  # 0.5 is left out, with 0.7 and 0.9


def test_smallest_queue_catching_the_target():
    curve = review_curve(CONF, RIGHT)
    chosen = choose_threshold(curve)
    assert (chosen["threshold"], chosen["queue_share"], chosen["errors_caught"]) == (0.7, pytest.approx(0.6), 1.0)
    assert chosen["reached"] and chosen["target"] == 0.95
    assert choose_threshold(curve, target=0.5)["threshold"] == 0.3


def test_no_wrong_rows_means_an_empty_queue():
    chosen = choose_threshold(review_curve([0.4, 0.8, 0.99], [True, True, True]))
    assert (chosen["threshold"], chosen["queue_size"], chosen["errors_caught"]) == (0.0, 0, 1.0)


def test_wrong_rows_at_confidence_one_cannot_all_be_caught():
    chosen = choose_threshold(review_curve([0.5, 1.0, 1.0], [False, False, True]))
    assert not chosen["reached"]
    assert chosen["errors_caught"] == 0.5 and chosen["threshold"] == 1.0


def test_explicit_thresholds_and_frontier():
    assert _by_threshold(review_curve(CONF, RIGHT, thresholds=[0.5, 0.95])) == {0.5: (2, 0.5), 0.95: (5, 1.0)}
    assert [p["threshold"] for p in frontier(review_curve(CONF, RIGHT))] == [0.0, 0.3, 0.7, 1.0]


def test_empty_input():
    curve = review_curve([], [])
    assert [p["threshold"] for p in curve] == [0.0, 1.0]
    assert choose_threshold(curve)["threshold"] == 0.0
