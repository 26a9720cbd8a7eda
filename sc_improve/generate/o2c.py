"""Order-to-cash: from the sales order to the customer's payment.

The model follows an SAP SD/FI flow. Its deliberate, detectable patterns are:

* orders come from sales reps in office hours, from key accounts by EDI and from the
  web shop around the clock (weekends too);
* the automatic credit check blocks big orders and risky customers, whose manual
  review waits about a working day and sometimes rejects the order;
* deliveries are mostly created by a nightly batch job, picking and packing follow
  the warehouse shifts, express shipments wait less;
* invoices are created by the nightly billing run and mostly sent by output
  management, some printed by hand the next morning;
* late-paying customers receive dunning reminders from the weekly dunning run;
* a few orders are returned and credited.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_improve.generate.arrivals import Seasonality, arrival_times
from sc_improve.generate.calendar import ALWAYS, DAY, OFFICE, SHIFTS, Schedule
from sc_improve.generate.events import AttributeValues
from sc_improve.generate.partners import categorical, company_names, popularity
from sc_improve.generate.staff import staff_scale
from sc_improve.generate.steps import Delay, Simulation

FIRST_CASE_ID = 1_000_000_001
EVENTS_PER_CASE = 9.4

SALES_ORGS = ("DE10", "NL10", "US10", "SG10")
SALES_ORG_SHARES = (0.45, 0.15, 0.25, 0.15)
SALES_ORG_REGION = ("EMEA", "EMEA", "Americas", "APAC")
SALES_ORG_CURRENCY = ("EUR", "EUR", "USD", "SGD")
SALES_ORG_RATE = (1.0, 1.0, 1.08, 1.45)
"""Currency units per EUR."""

CHANNELS = ("Direct", "Wholesale", "Online")
"""Sales rep in office hours, key account by EDI, web shop."""
CHANNEL_CREATOR = ("sales", "RFC_EDI", "WEBSHOP")

SHIPPING = ("Standard", "Express", "Pickup")
SHIPPING_SHARES = (0.7, 0.2, 0.1)
SHIPPING_WAIT = (1.0, 0.3, 1.0)
"""Multiplier of warehouse waits: express orders jump the queue."""
SHIPPING_HANDOVER = (4.0, 1.0, 24.0)
"""Median working hours from packing until goods issue (carrier or customer pickup)."""

PAYMENT_TERMS = ("NT14", "NT30", "NT45")
PAYMENT_TERM_DAYS = (14, 30, 45)
PAYMENT_TERM_SHARES = (0.25, 0.6, 0.15)

DELIVERY_RUN = Schedule.weekly("delivery due list", range(6), (3,))
BILLING_RUN = Schedule.weekly("billing run", range(1, 6), (1.5,))
BANK_STATEMENT = Schedule.weekly("bank statement import", range(5), (7,))
DUNNING_RUN = Schedule.weekly("dunning run", (0,), (6,))


@dataclass(frozen=True)
class O2CConfig:
    """Rates and thresholds of the order-to-cash model (the tests check them)."""

    customers: int = 300
    customer_popularity: float = 1.0
    key_accounts: int = 20
    online_share: float = 0.3
    risky_customer_share: float = 0.08
    risky_block_rate: float = 0.8
    late_payer_share: float = 0.15
    order_median_eur: float = 2_500.0
    order_sigma: float = 1.1
    credit_review_eur: float = 25_000.0
    reject_rate: float = 0.1
    batch_delivery_share: float = 0.75
    printed_invoice_share: float = 0.3
    return_rate: float = 0.04
    dunning_grace_days: int = 7
    max_reminders: int = 3


def simulate(
    sim: Simulation, n: int, start: int, days: int, config: O2CConfig | None = None
) -> dict[str, AttributeValues]:
    """Add the events of ``n`` order-to-cash cases to ``sim``; return the case attributes."""
    cfg = config or O2CConfig()
    rng = sim.rng
    cases = np.arange(n)
    scale = staff_scale(n, days)
    sales = sim.directory.team(rng, "sales representative", 6 * scale, OFFICE)
    credit = sim.directory.team(rng, "credit analyst", 3 * scale, OFFICE)
    shipping = sim.directory.team(rng, "shipping clerk", 4 * scale, SHIFTS)
    pickers = sim.directory.team(rng, "picker", 8 * scale, SHIFTS)
    packers = sim.directory.team(rng, "packer", 5 * scale, SHIFTS)
    billing = sim.directory.team(rng, "billing clerk", 3 * scale, OFFICE)
    service = sim.directory.team(rng, "customer service agent", 3 * scale, OFFICE)

    customers = _customers(rng, cfg)
    customer = rng.choice(cfg.customers, size=n, p=customers["popularity"])
    channel = customers["channel"][customer]
    arrival = np.empty(n, dtype=np.int64)
    by_hand = channel == 0
    arrival[by_hand] = arrival_times(rng, int(by_hand.sum()), start, days, OFFICE, Seasonality())
    arrival[~by_hand] = arrival_times(
        rng, int((~by_hand).sum()), start, days, ALWAYS, Seasonality(weekend=0.4)
    )
    chronological = np.argsort(arrival, kind="stable")
    arrival, customer, channel = arrival[chronological], customer[chronological], channel[chronological]

    org = customers["sales_org"][customer]
    value_eur = cfg.order_median_eur * np.exp(cfg.order_sigma * rng.standard_normal(n))
    value = np.round(value_eur * np.asarray(SALES_ORG_RATE)[org], 2)
    shipping_condition = rng.choice(len(SHIPPING), size=n, p=SHIPPING_SHARES)
    hurry = np.asarray(SHIPPING_WAIT)[shipping_condition]

    t = np.empty(n, dtype=np.int64)
    for code, creator in enumerate(CHANNEL_CREATOR):
        mine = cases[channel == code]
        by = sales if creator == "sales" else creator
        t[mine] = sim.perform(
            "Create Sales Order", mine, arrival[mine], by, duration=Delay(0.2) if code == 0 else Delay(0)
        )

    # Credit check: automatic, manual review for big orders and risky customers.
    flagged = (value_eur > cfg.credit_review_eur) | (
        customers["risky"][customer] & (rng.random(n) < cfg.risky_block_rate)
    )
    t = sim.record(
        "Credit Check",
        cases,
        t + sim.seconds(2, 60, n),
        "SYS_WF",
        attributes={"credit_status": categorical(flagged.astype(int), ["released", "blocked"])},
    )
    reviewed = cases[flagged]
    t[reviewed] = sim.perform(
        "Manual Credit Review", reviewed, t[reviewed], credit, wait=Delay(10, 1.0), duration=Delay(0.3)
    )
    rejected = reviewed[rng.random(len(reviewed)) < cfg.reject_rate]
    sim.perform("Reject Sales Order", rejected, t[rejected], credit, wait=Delay(0.5), duration=Delay(0.05))
    open_orders = np.setdiff1d(cases, rejected)

    # Logistics.
    batch = open_orders[rng.random(len(open_orders)) < cfg.batch_delivery_share]
    manual = np.setdiff1d(open_orders, batch)
    t[batch] = sim.record(
        "Create Delivery",
        batch,
        DELIVERY_RUN.next_run(t[batch]) + sim.seconds(0, 900, len(batch)),
        "BATCH_JOB",
    )
    t[manual] = sim.perform(
        "Create Delivery", manual, t[manual], shipping, wait=Delay(3, 1.0), duration=Delay(0.1)
    )
    o = open_orders
    t[o] = sim.perform(
        "Pick", o, t[o], pickers, wait=Delay(6, 1.0), duration=Delay(0.4, 0.6), wait_scale=hurry[o]
    )
    t[o] = sim.perform(
        "Pack", o, t[o], packers, wait=Delay(1.5, 1.0), duration=Delay(0.2), wait_scale=hurry[o]
    )
    for code, hours in enumerate(SHIPPING_HANDOVER):
        mine = o[shipping_condition[o] == code]
        t[mine] = sim.perform(
            "Post Goods Issue", mine, t[mine], shipping, wait=Delay(hours, 0.8), duration=Delay(0.05)
        )
    goods_issue = t.copy()

    # Billing.
    t[o] = sim.record(
        "Create Invoice", o, BILLING_RUN.next_run(t[o]) + sim.seconds(0, 1200, len(o)), "BATCH_JOB"
    )
    invoiced = t.copy()
    printed = rng.random(len(o)) < cfg.printed_invoice_share
    by_mail = o[printed]
    sim.perform(
        "Send Invoice",
        by_mail,
        t[by_mail],
        billing,
        wait=Delay(3, 0.8),
        duration=Delay(0.05),
        attributes={"output_medium": categorical(np.zeros(len(by_mail)), ["Print"])},
    )
    electronic = o[~printed]
    sim.record(
        "Send Invoice",
        electronic,
        t[electronic] + sim.seconds(60, 900, len(electronic)),
        "SYS_WF",
        attributes={"output_medium": categorical(np.zeros(len(electronic)), ["Email"])},
    )

    # Payment, with reminders from the weekly dunning run while it is overdue.
    terms = customers["terms"][customer]
    due = invoiced[o] + np.asarray(PAYMENT_TERM_DAYS, dtype=np.int64)[terms[o]] * DAY
    late = customers["late_payer"][customer[o]]
    offset = np.where(
        late,
        Delay(25 * 24, 0.5).draw(rng, len(o)),
        (rng.normal(-1.0, 3.0, len(o)) * DAY).astype(np.int64),
    )
    paid = np.maximum(due + offset, invoiced[o] + DAY)
    reminder = DUNNING_RUN.next_run(due + cfg.dunning_grace_days * DAY)
    for level in range(1, cfg.max_reminders + 1):
        overdue = reminder < paid
        sim.record(
            "Send Payment Reminder",
            o[overdue],
            reminder[overdue] + sim.seconds(0, 900, int(overdue.sum())),
            "BATCH_JOB",
            attributes={"dunning_level": np.full(int(overdue.sum()), level)},
        )
        reminder = DUNNING_RUN.next_run(reminder + 14 * DAY)
    sim.record(
        "Receive Payment", o, BANK_STATEMENT.next_run(paid) + sim.seconds(0, 1800, len(o)), "BATCH_JOB"
    )

    # Returns and credit memos.
    returned = o[rng.random(len(o)) < cfg.return_rate]
    t[returned] = sim.perform(
        "Create Return Order",
        returned,
        goods_issue[returned] + Delay(8 * 24, 0.7).draw(rng, len(returned)),
        service,
        wait=Delay(2, 1.0),
        duration=Delay(0.2),
    )
    sim.perform(
        "Create Credit Memo", returned, t[returned], billing, wait=Delay(16, 0.8), duration=Delay(0.1)
    )

    return {
        "customer": categorical(customer, customers["name"]),
        "sales_org": categorical(org, SALES_ORGS),
        "region": categorical(org, SALES_ORG_REGION),
        "distribution_channel": categorical(channel, CHANNELS),
        "order_value": value,
        "currency": categorical(org, SALES_ORG_CURRENCY),
        "shipping_condition": categorical(shipping_condition, SHIPPING),
        "payment_terms": categorical(terms, PAYMENT_TERMS),
    }


def _customers(rng: np.random.Generator, cfg: O2CConfig) -> dict[str, np.ndarray]:
    """Per-customer properties; index 0 is the biggest customer, the first ``key_accounts`` order by EDI."""
    c = cfg.customers
    channel = np.where(rng.random(c) < cfg.online_share, 2, 0)
    channel[: cfg.key_accounts] = 1
    return {
        "name": company_names(rng, c),
        "popularity": popularity(c, cfg.customer_popularity),
        "channel": channel,
        "sales_org": rng.choice(len(SALES_ORGS), size=c, p=SALES_ORG_SHARES),
        "risky": rng.random(c) < cfg.risky_customer_share,
        "late_payer": rng.random(c) < cfg.late_payer_share,
        "terms": rng.choice(len(PAYMENT_TERMS), size=c, p=PAYMENT_TERM_SHARES),
    }
