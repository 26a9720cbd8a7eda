"""Purchase-to-pay: from purchase requisition to the payment run.

The model follows an SAP MM/FI flow. Its deliberate, detectable patterns are:

* requisitions above ``second_approval_eur`` need a controller's approval, which waits
  days (an amount-driven bottleneck);
* purchase orders above ``release_eur`` need a release (release strategy), and price
  or quantity changes after sending are rework that may need re-approval and re-sending;
* slow vendors deliver ``slow_vendor_factor`` times later than the rest;
* a few popular "problem" vendors cause most invoice blocks (price differences in the
  3-way match), which wait days for the buyer to clarify;
* invoices posted before the goods arrived are blocked for quantity and released by a
  nightly job once the goods receipt is posted (vendors invoice partial deliveries
  one by one, so later partial receipts cause no block);
* payment is a batch run on Tuesdays and Fridays that pays invoices close to their due
  date, so blocked invoices released late are paid late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sc_improve.generate.arrivals import Seasonality, arrival_times
from sc_improve.generate.calendar import DAY, OFFICE, SHIFTS, Schedule
from sc_improve.generate.events import AttributeValues
from sc_improve.generate.partners import categorical, company_names, popularity
from sc_improve.generate.staff import Team, staff_scale
from sc_improve.generate.steps import Assigned, Delay, Simulation

FIRST_CASE_ID = 4_500_000_001
EVENTS_PER_CASE = 8.05

PLANTS = ("DE01", "DE02", "NL01", "PL01", "US01")
PLANT_SHARES = (0.35, 0.2, 0.15, 0.12, 0.18)
PLANT_COMPANY = ("1000", "1000", "2000", "3000", "4000")
PLANT_CURRENCY = ("EUR", "EUR", "EUR", "PLN", "USD")
PER_EUR = {"EUR": 1.0, "PLN": 4.3, "USD": 1.08}
"""Exchange rates: amounts are drawn in EUR and converted to the company's currency."""
PLANT_RATE = tuple(PER_EUR[currency] for currency in PLANT_CURRENCY)

MATERIAL_GROUPS = (
    "Raw Materials", "Packaging", "Electronic Parts", "Chemicals",
    "MRO Supplies", "Office Supplies", "IT Hardware", "Services",
)  # fmt: skip
MATERIAL_GROUP_SHARES = (0.25, 0.12, 0.12, 0.08, 0.15, 0.1, 0.1, 0.08)
MATERIAL_GROUP_AMOUNT = (1.6, 0.6, 1.2, 1.0, 0.5, 0.2, 1.8, 2.2)
"""Multiplier of the median order amount per material group."""
PURCHASING_GROUPS = ("P01", "P02", "P03")
MATERIAL_GROUP_PURCHASING = (0, 0, 0, 0, 1, 1, 2, 2)
"""Direct material (P01), indirect material (P02), IT and services (P03)."""

PAYMENT_TERMS = ("NT14", "NT30", "NT45", "NT60")
PAYMENT_TERM_DAYS = (14, 30, 45, 60)
PAYMENT_TERM_SHARES = (0.2, 0.5, 0.15, 0.15)

BLOCK_REASONS = ("price difference", "quantity difference")

PAYMENT_RUN = Schedule.weekly("payment run", (1, 4), (20,))
RELEASE_RUN = Schedule.weekly("release of blocked invoices", range(7), (2,))


@dataclass(frozen=True)
class P2PConfig:
    """Rates and thresholds of the purchase-to-pay model (the tests check them)."""

    vendors: int = 120
    vendor_popularity: float = 1.1
    slow_vendor_share: float = 0.12
    slow_vendor_factor: float = 2.5
    vendor_lead_days: float = 6.0
    edi_vendor_share: float = 0.4
    automatic_receipt_vendor_share: float = 0.15
    problem_vendor_ranks: tuple[int, ...] = (2, 5, 11)
    problem_block_rate: float = 0.5
    block_rate: float = 0.02
    amount_median_eur: float = 1_500.0
    amount_sigma: float = 1.3
    second_approval_eur: float = 5_000.0
    release_eur: float = 10_000.0
    price_change_rate: float = 0.10
    quantity_change_rate: float = 0.06
    quantity_change_reapproval: float = 0.5
    delete_rate: float = 0.03
    two_receipts_rate: float = 0.15
    three_receipts_rate: float = 0.05
    early_invoice_rate: float = 0.05


def simulate(
    sim: Simulation, n: int, start: int, days: int, config: P2PConfig | None = None
) -> dict[str, AttributeValues]:
    """Add the events of ``n`` purchase-to-pay cases to ``sim``; return the case attributes."""
    cfg = config or P2PConfig()
    rng = sim.rng
    cases = np.arange(n)
    scale = staff_scale(n, days)
    requesters = sim.directory.team(rng, "requester", 10 * scale, OFFICE)
    approvers = sim.directory.team(rng, "cost center manager", 4 * scale, OFFICE)
    controllers = sim.directory.team(rng, "controller", 2 * scale, OFFICE)
    group_buyers = [sim.directory.team(rng, "buyer", 3 * scale, OFFICE) for _ in PURCHASING_GROUPS]
    managers = sim.directory.team(rng, "purchasing manager", 2 * scale, OFFICE)
    warehouse = sim.directory.team(rng, "warehouse clerk", 6 * scale, SHIFTS)
    accountants = sim.directory.team(rng, "accounts payable clerk", 5 * scale, OFFICE)

    vendors = _vendors(rng, cfg)
    vendor = rng.choice(cfg.vendors, size=n, p=vendors["popularity"])
    plant = rng.choice(len(PLANTS), size=n, p=PLANT_SHARES)
    material_group = rng.choice(len(MATERIAL_GROUPS), size=n, p=MATERIAL_GROUP_SHARES)
    group = np.asarray(MATERIAL_GROUP_PURCHASING)[material_group]
    amount_eur = (
        cfg.amount_median_eur
        * np.asarray(MATERIAL_GROUP_AMOUNT)[material_group]
        * np.exp(cfg.amount_sigma * rng.standard_normal(n))
    )
    amount = np.round(amount_eur * np.asarray(PLANT_RATE)[plant], 2)
    quantity = np.maximum(1, np.round(np.exp(np.log(40) + 1.0 * rng.standard_normal(n)))).astype(np.int64)
    buyer_codes = np.empty(n, dtype=np.int32)
    for index, team in enumerate(group_buyers):
        mine = group == index
        buyer_codes[mine] = team.pick(rng, int(mine.sum()))

    def buyer(of: np.ndarray) -> Assigned:
        return Assigned(buyer_codes[of], OFFICE)

    # Requisition and its approval: one level, or two above the amount threshold.
    arrival = arrival_times(rng, n, start, days, OFFICE, Seasonality())
    t = sim.perform("Create Purchase Requisition", cases, arrival, requesters, duration=Delay(0.15))
    t = sim.perform(
        "Approve Purchase Requisition",
        cases,
        t,
        approvers,
        wait=Delay(4, 1.0),
        duration=Delay(0.05),
        attributes={"release_level": np.full(n, 1)},
    )
    big = cases[amount_eur > cfg.second_approval_eur]
    t[big] = sim.perform(
        "Approve Purchase Requisition",
        big,
        t[big],
        controllers,
        wait=Delay(20, 0.8),
        duration=Delay(0.1),
        attributes={"release_level": np.full(len(big), 2)},
    )

    # Purchase order, its release above the threshold, transmission to the vendor.
    released = amount_eur > cfg.release_eur
    t = sim.perform("Create Purchase Order", cases, t, buyer(cases), wait=Delay(6, 1.0), duration=Delay(0.25))
    rel = cases[released]
    t[rel] = sim.perform(
        "Approve Purchase Order", rel, t[rel], managers, wait=Delay(12, 0.9), duration=Delay(0.05)
    )
    edi = vendors["edi"][vendor]

    def send(of: np.ndarray, ready: np.ndarray) -> np.ndarray:
        done = np.empty(len(of), dtype=np.int64)
        by_edi = edi[of]
        done[by_edi] = sim.perform(
            "Send PO to Vendor",
            of[by_edi],
            ready[by_edi],
            "RFC_EDI",
            wait=Delay(0.1),
            attributes={"output_medium": categorical(np.zeros(int(by_edi.sum())), ["EDI"])},
        )
        other = of[~by_edi]
        done[~by_edi] = sim.perform(
            "Send PO to Vendor",
            other,
            ready[~by_edi],
            buyer(other),
            wait=Delay(2, 1.0),
            duration=Delay(0.05),
            attributes={"output_medium": categorical(np.zeros(len(other)), ["Email"])},
        )
        return done

    t = send(cases, t)
    sent = t.copy()

    # Rework after the vendor's order confirmation: change, maybe re-approve, re-send.
    for label, rate, reapproval in (
        ("Change Price", cfg.price_change_rate, 1.0),
        ("Change Quantity", cfg.quantity_change_rate, cfg.quantity_change_reapproval),
    ):
        changed = cases[rng.random(n) < rate]
        t[changed] = sim.perform(
            label, changed, t[changed], buyer(changed), wait=Delay(16, 1.0), duration=Delay(0.1)
        )
        again = changed[released[changed] & (rng.random(len(changed)) < reapproval)]
        t[again] = sim.perform(
            "Approve Purchase Order", again, t[again], managers, wait=Delay(12, 0.9), duration=Delay(0.05)
        )
        t[changed] = send(changed, t[changed])

    deleted = rng.random(n) < cfg.delete_rate
    gone = cases[deleted]
    sim.perform(
        "Delete Purchase Order", gone, t[gone], buyer(gone), wait=Delay(40, 0.8), duration=Delay(0.05)
    )

    active = cases[~deleted]
    first_receipt = _goods_receipts(sim, cfg, active, sent[active], vendor, vendors, quantity, warehouse)

    # Invoice: usually a few days after the goods, sometimes before them.
    m = len(active)
    invoice_arrival = first_receipt + (Delay(48, 0.8).draw(rng, m))
    early = rng.random(m) < cfg.early_invoice_rate
    invoice_arrival[early] = np.maximum(
        sent[active][early] + DAY, first_receipt[early] - Delay(48, 0.6).draw(rng, int(early.sum()))
    )
    t_invoice = sim.perform(
        "Record Invoice Receipt",
        active,
        invoice_arrival,
        accountants,
        wait=Delay(8, 1.0),
        duration=Delay(0.15),
    )
    price = rng.random(m) < vendors["block_rate"][vendor[active]]
    quantity_block = ~price & (t_invoice < first_receipt)
    blocked = price | quantity_block
    reason = categorical(np.where(price, 0, 1)[blocked], BLOCK_REASONS)
    block_time = sim.record(
        "Block Invoice",
        active[blocked],
        t_invoice[blocked] + sim.seconds(1, 30, int(blocked.sum())),
        "SYS_WF",
        attributes={"block_reason": reason},
    )
    payable = t_invoice.copy()
    by_buyer = price[blocked]
    clarified = active[blocked][by_buyer]
    payable[np.flatnonzero(blocked)[by_buyer]] = sim.perform(
        "Release Invoice Block",
        clarified,
        block_time[by_buyer],
        buyer(clarified),
        wait=Delay(30, 0.9),
        duration=Delay(0.1),
        attributes={"block_reason": reason[by_buyer]},
    )
    automatic = np.flatnonzero(blocked)[~by_buyer]
    payable[automatic] = sim.record(
        "Release Invoice Block",
        active[automatic],
        RELEASE_RUN.next_run(np.maximum(block_time[~by_buyer], first_receipt[automatic]))
        + sim.seconds(0, 600, len(automatic)),
        "BATCH_JOB",
        attributes={"block_reason": reason[~by_buyer]},
    )

    # Payment run: pays what is released and due within the next days.
    due = invoice_arrival + vendors["term_days"][vendor[active]] * DAY
    run = PAYMENT_RUN.next_run(np.maximum(payable, due - 3 * DAY))
    sim.record("Clear Invoice", active, run + sim.seconds(0, 1800, m), "BATCH_JOB")

    return {
        "vendor": categorical(vendor, vendors["name"]),
        "company_code": categorical(plant, PLANT_COMPANY),
        "plant": categorical(plant, PLANTS),
        "material_group": categorical(material_group, MATERIAL_GROUPS),
        "purchasing_group": categorical(group, PURCHASING_GROUPS),
        "quantity": quantity,
        "amount": amount,
        "currency": categorical(plant, PLANT_CURRENCY),
        "payment_terms": categorical(vendors["terms"][vendor], PAYMENT_TERMS),
    }


def _vendors(rng: np.random.Generator, cfg: P2PConfig) -> dict[str, np.ndarray]:
    """Per-vendor properties; index 0 is the most popular vendor."""
    v = cfg.vendors
    slow = rng.random(v) < cfg.slow_vendor_share
    block_rate = np.full(v, cfg.block_rate)
    block_rate[[rank - 1 for rank in cfg.problem_vendor_ranks if rank <= v]] = cfg.problem_block_rate
    terms = rng.choice(len(PAYMENT_TERMS), size=v, p=PAYMENT_TERM_SHARES)
    return {
        "name": company_names(rng, v),
        "popularity": popularity(v, cfg.vendor_popularity),
        "lead_days": cfg.vendor_lead_days
        * np.exp(0.4 * rng.standard_normal(v))
        * np.where(slow, cfg.slow_vendor_factor, 1),
        "slow": slow,
        "edi": rng.random(v) < cfg.edi_vendor_share,
        "automatic_receipt": rng.random(v) < cfg.automatic_receipt_vendor_share,
        "block_rate": block_rate,
        "terms": terms,
        "term_days": np.asarray(PAYMENT_TERM_DAYS, dtype=np.int64)[terms],
    }


def _goods_receipts(
    sim: Simulation,
    cfg: P2PConfig,
    active: np.ndarray,
    sent: np.ndarray,
    vendor: np.ndarray,
    vendors: dict[str, np.ndarray],
    quantity: np.ndarray,
    warehouse: Team,
) -> np.ndarray:
    """One to three (partial) deliveries per order; returns when the first was posted."""
    rng = sim.rng
    m = len(active)
    u = rng.random(m)
    ordered = quantity[active]
    receipts = np.minimum(
        1 + (u < cfg.two_receipts_rate + cfg.three_receipts_rate) + (u < cfg.three_receipts_rate), ordered
    )
    # Each receipt gets one unit, the rest is split at random; the last takes the remainder.
    used = np.arange(3)[None, :] < receipts[:, None]
    shares = (rng.random((m, 3)) + 0.3) * used
    rest = ordered - receipts
    split = used + np.floor(rest[:, None] * shares / shares.sum(axis=1, keepdims=True)).astype(np.int64)
    split[np.arange(m), receipts - 1] += ordered - split.sum(axis=1)

    lead = vendors["lead_days"][vendor[active]] * np.exp(0.4 * rng.standard_normal(m)) * DAY
    delivered = SHIFTS.start_after(sent + lead.astype(np.int64))
    automatic = vendors["automatic_receipt"][vendor[active]]
    first = np.zeros(m, dtype=np.int64)
    last = np.zeros(m, dtype=np.int64)
    for j in range(3):
        now = receipts > j
        if j > 0:
            delivered = SHIFTS.start_after(last + Delay(6 * 24, 0.6).draw(rng, m))
        for by_system in (True, False):
            sub = now & (automatic == by_system)
            which = active[sub]
            last[sub] = sim.perform(
                "Record Goods Receipt",
                which,
                delivered[sub],
                "RFC_EDI" if by_system else warehouse,
                wait=Delay(0.2) if by_system else Delay(2, 1.0),
                duration=Delay(0.0) if by_system else Delay(0.1),
                attributes={"received_quantity": split[sub, j]},
            )
        if j == 0:
            first = last.copy()
    return first
