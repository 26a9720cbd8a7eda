"""Duration distributions: sampling against scipy's own distributions, exact means, checks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.distributions import mean, quantile, sample, validate_distribution
from sim.model import DISTRIBUTION_FAMILIES, Distribution

PROBABILITIES = np.array([0.05, 0.25, 0.5, 0.75, 0.95])

CASES = [
    (Distribution("fixed", {"value": 42.0}), None),
    (Distribution("exponential", {"mean": 300.0}), stats.expon(scale=300.0)),
    (Distribution("uniform", {"low": 60.0, "high": 180.0}), stats.uniform(loc=60.0, scale=120.0)),
    (Distribution("normal", {"mean": 100.0, "std": 80.0}), stats.truncnorm(-100 / 80, np.inf, 100.0, 80.0)),
    (Distribution("lognormal", {"mu": 4.0, "sigma": 0.8}), stats.lognorm(s=0.8, scale=np.exp(4.0))),
    (Distribution("gamma", {"shape": 2.5, "scale": 40.0}), stats.gamma(a=2.5, scale=40.0)),
    (Distribution("weibull", {"shape": 1.7, "scale": 90.0}), stats.weibull_min(c=1.7, scale=90.0)),
]


def test_every_family_is_covered() -> None:
    covered = {dist.family for dist, _ in CASES} | {"empirical"}
    assert covered == set(DISTRIBUTION_FAMILIES)


@pytest.mark.parametrize(("dist", "reference"), CASES, ids=[d.family for d, _ in CASES])
def test_sample_matches_the_reference_distribution(dist: Distribution, reference) -> None:
    draws = sample(dist, np.random.default_rng(7), 200_000)
    assert np.all(draws >= 0)
    if reference is None:
        assert np.all(draws == dist.params["value"])
        assert mean(dist) == dist.params["value"]
        return
    assert mean(dist) == pytest.approx(reference.mean(), rel=1e-9)
    standard_error = reference.std() / np.sqrt(draws.size)
    assert abs(draws.mean() - reference.mean()) < 4 * standard_error
    np.testing.assert_allclose(np.quantile(draws, PROBABILITIES), reference.ppf(PROBABILITIES), rtol=0.02)
    np.testing.assert_allclose(quantile(dist, PROBABILITIES), reference.ppf(PROBABILITIES), rtol=1e-6)


def test_empirical_interpolates_between_equally_spaced_quantiles() -> None:
    dist = Distribution("empirical", quantiles=(0.0, 10.0, 30.0))  # 0 %, 50 %, 100 %
    np.testing.assert_allclose(quantile(dist, np.array([0.25, 0.5, 0.75, 1.0])), [5.0, 10.0, 20.0, 30.0])
    assert mean(dist) == pytest.approx((5.0 + 20.0) / 2)
    draws = sample(dist, np.random.default_rng(1), 100_000)
    assert draws.min() >= 0 and draws.max() <= 30
    assert np.mean(draws < 10.0) == pytest.approx(0.5, abs=0.01)
    assert (
        sample(Distribution("empirical", quantiles=(7.0,)), np.random.default_rng(1), 3).tolist() == [7.0] * 3
    )


def test_normal_far_below_zero_stays_small_and_finite() -> None:
    dist = Distribution("normal", {"mean": -500.0, "std": 10.0})
    draws = sample(dist, np.random.default_rng(3), 10_000)
    assert np.all(np.isfinite(draws)) and np.all(draws >= 0)
    # truncated far in the tail the distribution is nearly exponential with mean std^2/|mean|
    assert mean(dist) == pytest.approx(0.2, rel=0.01)
    assert draws.mean() == pytest.approx(0.2, rel=0.05)


def test_quantile_is_monotone_for_common_random_numbers() -> None:
    u = np.linspace(0.001, 0.999, 500)
    for dist, _ in CASES[1:]:
        assert np.all(np.diff(quantile(dist, u)) >= 0), dist.family


def test_same_generator_seed_gives_the_same_draws() -> None:
    dist = Distribution("gamma", {"shape": 2.0, "scale": 3.0})
    first = sample(dist, np.random.default_rng(11), 50)
    again = sample(dist, np.random.default_rng(11), 50)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("dist", "message"),
    [
        (Distribution("beta", {"a": 1.0}), "unknown distribution family 'beta'"),
        (Distribution("exponential", {}), "needs parameter(s) mean"),
        (Distribution("exponential", {"mean": 1.0, "rate": 2.0}), "unknown parameter(s) rate"),
        (Distribution("exponential", {"mean": -1.0}), "mean must not be negative"),
        (Distribution("gamma", {"shape": 0.0, "scale": 1.0}), "shape must be positive"),
        (Distribution("uniform", {"low": 5.0, "high": 1.0}), "low (5.0) is above high (1.0)"),
        (Distribution("lognormal", {"mu": 1.0, "sigma": float("nan")}), "sigma must be a finite number"),
        (Distribution("fixed", {"value": "ten"}), "value must be a finite number"),
        (Distribution("empirical"), "has no quantiles"),
        (Distribution("empirical", quantiles=(1.0, 3.0, 2.0)), "must be ascending"),
        (Distribution("empirical", quantiles=(-1.0, 3.0)), "must not be negative"),
        (Distribution("fixed", {"value": 1.0}, quantiles=(1.0,)), "only used by the empirical family"),
    ],
)
def test_bad_distributions_are_named_in_the_error(dist: Distribution, message: str) -> None:
    with pytest.raises(ValueError, match="activity 'x' duration") as error:
        validate_distribution(dist, "activity 'x' duration")
    assert message in str(error.value)


def test_negative_location_parameters_are_allowed_where_they_make_sense() -> None:
    validate_distribution(Distribution("lognormal", {"mu": -2.0, "sigma": 1.0}))
    validate_distribution(Distribution("normal", {"mean": -2.0, "std": 1.0}))
