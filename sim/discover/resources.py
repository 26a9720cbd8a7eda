"""Pools with their people and each person's working calendar.

A person's calendar comes from their own activity when they have enough of it, and
from their pool's otherwise (a newcomer with five events should not get a calendar
with five working hours). A technical user's pool is one of its jobs (sim.discover.pools),
so it works the hours that job was seen running.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.discover.calendars import ALWAYS, activity_slots, calendar_name, calendars_from_counts, slot_counts
from sim.discover.instances import Instances
from sim.discover.pools import Pools
from sim.model import Resource, ResourcePool, WeeklyCalendar


@dataclass(frozen=True)
class DiscoveredResources:
    pools: dict[str, ResourcePool]
    calendars: dict[str, WeeklyCalendar]
    calendar_table: np.ndarray
    """One 0/1 row per calendar, in the order of ``calendars``."""
    instance_calendar: np.ndarray
    """Row of ``calendar_table`` of the resource (or pool) that did each instance."""


def discover_resources(
    instances: Instances, pools: Pools, *, min_share: float, min_events: int
) -> DiscoveredResources:
    slots, timed = activity_slots(instances.start, instances.end)
    n_resources = max(len(instances.resources), 1)
    resource_twice = np.concatenate([instances.resource, instances.resource])
    pool_twice = np.concatenate([pools.instance_pool, pools.instance_pool])
    known = (resource_twice >= 0) & timed
    per_resource = slot_counts(resource_twice[known], slots[known], n_resources)
    pooled = (pool_twice >= 0) & timed
    per_pool = slot_counts(pool_twice[pooled], slots[pooled], max(len(pools.names), 1))
    pool_calendars = calendars_from_counts(per_pool, min_share)
    own_calendars = calendars_from_counts(per_resource, min_share)
    enough = per_resource.sum(axis=1) >= 2 * min_events

    names: dict[str, int] = {}
    rows: list[np.ndarray] = []

    def calendar_row(hours: np.ndarray) -> str:
        name = calendar_name(hours)
        if name not in names:
            names[name] = len(rows)
            rows.append(hours)
        return name

    resource_calendar = np.zeros(n_resources, dtype=np.int64)
    pool_calendar = np.zeros(max(len(pools.names), 1), dtype=np.int64)
    result: dict[str, ResourcePool] = {}
    for p, (pool_name, members) in enumerate(zip(pools.names, pools.members, strict=True)):
        pool_hours = pool_calendars[p]
        pool_calendar[p] = names[calendar_row(pool_hours)]
        people = []
        for k, code in enumerate(members):
            if code < 0:
                people.append(Resource(f"{pool_name} #{k + 1}", calendar_row(pool_hours)))
                continue
            if pools.system[p]:
                people.append(Resource(instances.resources[code], calendar_row(pool_hours)))
                continue
            name = calendar_row(own_calendars[code] if enough[code] else pool_hours)
            resource_calendar[code] = names[name]
            people.append(Resource(instances.resources[code], name))
        result[pool_name] = ResourcePool(pool_name, tuple(people))
    always = names[calendar_row(ALWAYS)]
    instance_pool = pools.instance_pool
    by_pool = np.asarray((*pools.system, False), dtype=bool)[np.maximum(instance_pool, 0)]
    by_pool |= instances.resource < 0
    instance_calendar = np.where(
        by_pool,
        np.where(instance_pool >= 0, pool_calendar[np.maximum(instance_pool, 0)], always),
        resource_calendar[np.maximum(instances.resource, 0)],
    )
    calendars = {name: WeeklyCalendar(name, tuple(float(h) for h in rows[i])) for name, i in names.items()}
    return DiscoveredResources(result, calendars, np.array(rows), instance_calendar)
