"""Resource pools: roles discovered from who does what.

People whose activity profiles (how often they do each activity) correlate strongly
share a role, as in Simod's role discovery: average-linkage clustering on one minus
the Pearson correlation, cut at the similarity threshold. Technical users (batch jobs,
interfaces, bots) get one pool per user and activity, each with as many parallel slots
as runs were seen at once, since queueing behind a machine is not what holds work up. A log without
resources gets one pool per activity, as large as the most instances of that activity
the log shows running at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from sim.discover.instances import Instances


@dataclass(frozen=True)
class Pools:
    """Pool of every instance and the members of every pool.

    ``members[p]`` are resource codes of the log, or -1 for a stand-in resource (pools
    of logs without resources, extra capacity of a system pool); ``instance_pool`` is -1
    for instances that need no resource.
    """

    names: tuple[str, ...]
    members: tuple[tuple[int, ...], ...]
    system: tuple[bool, ...]
    instance_pool: np.ndarray
    notes: tuple[str, ...] = ()


def discover_pools(instances: Instances, system_names: frozenset[str], similarity: float) -> Pools:
    """Roles of the log's people plus a pool for its technical users."""
    if not instances.resources or not (instances.resource >= 0).any():
        return _pools_per_activity(instances)
    n_resources = len(instances.resources)
    n_activities = len(instances.activities)
    known = instances.resource >= 0
    profile = np.bincount(
        instances.resource[known].astype(np.int64) * n_activities + instances.activity[known],
        minlength=n_resources * n_activities,
    ).reshape(n_resources, n_activities)
    active = profile.sum(axis=1) > 0
    is_system = np.array([name in system_names for name in instances.resources]) & active
    people = np.flatnonzero(active & ~is_system)
    groups = _role_groups(profile[people], similarity)
    names: list[str] = []
    members: list[tuple[int, ...]] = []
    system: list[bool] = []
    pool_of_resource = np.full(n_resources, -1, dtype=np.int64)
    for group in groups:
        codes = people[group]
        pool_of_resource[codes] = len(names)
        names.append(_unique(_role_name(profile[codes].sum(axis=0), instances.activities), names))
        members.append(tuple(int(c) for c in codes))
        system.append(False)
    instance_pool = np.where(known, pool_of_resource[np.maximum(instances.resource, 0)], -1)
    notes = []
    if is_system.any():
        jobs = _system_jobs(instances, np.flatnonzero(is_system), len(names))
        instance_pool[jobs.instances] = jobs.pool_of_instance
        names.extend(jobs.names)
        members.extend(jobs.members)
        system.extend([True] * len(jobs.names))
        codes = np.flatnonzero(is_system)
        notes.append(
            f"{len(codes)} technical user(s) ({', '.join(instances.resources[c] for c in codes[:5])}"
            f"{', ...' if len(codes) > 5 else ''}) form {len(jobs.names)} pool(s), one per user and "
            "activity ('system: USER (ACTIVITY)'), each in the hours that job was seen running and with as "
            "many parallel slots as runs seen at once: a batch job runs on its own schedule and work "
            "never queues behind a machine."
        )
    return Pools(tuple(names), tuple(members), tuple(system), instance_pool, tuple(notes))


@dataclass(frozen=True)
class _SystemJobs:
    names: list[str]
    members: list[tuple[int, ...]]
    instances: np.ndarray
    pool_of_instance: np.ndarray


def _system_jobs(instances: Instances, codes: np.ndarray, first_pool: int) -> _SystemJobs:
    """One pool per technical user and activity.

    A technical user is a label for many programs (the payment run, the nightly release
    job, the EDI inbox), each on its own schedule; pooled together, work of one job would
    run in another's hours, e.g. invoices cleared whenever the EDI interface is up instead
    of at the Tuesday and Friday payment runs.
    """
    rows = np.flatnonzero(np.isin(instances.resource, codes))
    n_activities = len(instances.activities)
    job = instances.resource[rows].astype(np.int64) * n_activities + instances.activity[rows]
    keys, job_index = np.unique(job, return_inverse=True)
    peaks = _peak_per_group(instances.start[rows], instances.end[rows], job_index, len(keys))
    names, members = [], []
    for key, peak in zip(keys, peaks, strict=True):
        code, activity = divmod(int(key), n_activities)
        user = instances.resources[code]
        names.append(f"system: {user} ({instances.activities[activity]})")
        members.append((code,) + (-1,) * max(int(peak) - 1, 0))
    return _SystemJobs(names, members, rows, first_pool + job_index)


def _role_groups(profile: np.ndarray, similarity: float) -> list[np.ndarray]:
    """Indices of resources per role, largest role first."""
    if len(profile) == 1:
        return [np.array([0])]
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.corrcoef(profile.astype(np.float64))
    correlation = np.nan_to_num(correlation, nan=0.0)
    np.fill_diagonal(correlation, 1.0)
    distance = np.clip(1.0 - correlation, 0.0, 2.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method="average")
    labels = hierarchy.fcluster(tree, t=1.0 - similarity, criterion="distance")
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    return sorted(groups, key=lambda g: (-len(g), int(g[0])))


def _role_name(activity_counts: np.ndarray, activities: tuple[str, ...]) -> str:
    top = np.argsort(-activity_counts, kind="stable")
    shown = [activities[i] for i in top[:2] if activity_counts[i] > 0]
    return "role: " + " / ".join(shown)


def _unique(name: str, taken: list[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"


def _pools_per_activity(instances: Instances) -> Pools:
    names = tuple(f"pool: {activity}" for activity in instances.activities)
    sizes = _peak_concurrency_per_activity(instances)
    members = tuple((-1,) * int(max(size, 1)) for size in sizes)
    note = (
        "The log names no resources, so every activity got its own pool sized by the most instances of it "
        "seen running at once; set the real team sizes in the model to get realistic queueing."
    )
    return Pools(names, members, (False,) * len(names), instances.activity.astype(np.int64), (note,))


def _peak_concurrency(instances: Instances, mask: np.ndarray) -> int:
    """The most instances among ``mask`` running at the same moment."""
    if not mask.any():
        return 0
    return int(
        _peak_per_group(instances.start[mask], instances.end[mask], np.zeros(int(mask.sum()), int), 1)[0]
    )


def _peak_concurrency_per_activity(instances: Instances) -> np.ndarray:
    return _peak_per_group(instances.start, instances.end, instances.activity, len(instances.activities))


def _peak_per_group(start: np.ndarray, end: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sweep line per group: +1 at each start, -1 at each end (ends first at equal times)."""
    times = np.concatenate([start, end])
    change = np.concatenate([np.ones(len(start)), -np.ones(len(end))])
    groups = np.concatenate([group, group])
    order = np.lexsort((change, times, groups))
    running = np.cumsum(change[order])
    peaks = np.zeros(n_groups)
    np.maximum.at(peaks, groups[order], running)
    return peaks.astype(np.int64)
