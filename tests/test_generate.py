"""The seeded log generator: determinism, size, time logic, configured rates, noise, writers."""

from __future__ import annotations

import gzip
import time

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, START
from sc_improve.generate import KINDS, generate_log, write_log
from sc_improve.generate.calendar import OFFICE, SHIFTS
from sc_improve.generate.command import main
from sc_improve.generate.generator import PROCESSES, simulate
from sc_improve.generate.noise import RELATIVE_RATES, label_variants
from sc_improve.generate.o2c import SALES_ORG_RATE, SALES_ORGS, O2CConfig
from sc_improve.generate.p2p import PER_EUR, P2PConfig
from sc_improve.generate.production import ProductionConfig
from sc_improve.generate.staff import SYSTEM_USERS
from sc_improve.log.event_log import make_event_log

XES = "{http://www.xes-standard.org/}"


@pytest.fixture(scope="module")
def logs() -> dict[str, pd.DataFrame]:
    """A clean 60k-event log per kind, shared by the rate tests."""
    return {kind: generate_log(kind, 60_000, seed=11) for kind in KINDS}


def seconds(series: pd.Series) -> np.ndarray:
    return series.to_numpy().astype("datetime64[s]").astype(np.int64)


def per_case(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.groupby("case_id", observed=True).first()


def within(observed: float, expected: float, n: int, sigmas: float = 5.0) -> bool:
    """Whether a share observed over ``n`` trials is within a few binomial SDs of ``expected``."""
    return abs(observed - expected) <= sigmas * np.sqrt(expected * (1 - expected) / n) + 1e-9


@pytest.mark.parametrize("kind", KINDS)
def test_same_seed_gives_the_same_log_and_another_seed_another(kind):
    first = generate_log(kind, 3_000, seed=7, noise=0.02)
    pd.testing.assert_frame_equal(first, generate_log(kind, 3_000, seed=7, noise=0.02))
    other = generate_log(kind, 3_000, seed=8, noise=0.02)
    assert len(first) != len(other) or not first.equals(other)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("events", [500, 30_000])
def test_event_count_is_the_requested_number_plus_at_most_one_case(kind, events):
    frame = generate_log(kind, events, seed=1)
    assert events <= len(frame) < events + 40
    assert frame["case_id"].nunique() > events / 25


@pytest.mark.parametrize("kind", KINDS)
def test_times_are_ordered_within_cases_and_start_not_after_end(kind, logs):
    frame = logs[kind]
    start, end = seconds(frame["start_time"]), seconds(frame["end_time"])
    case = frame["case_id"].cat.codes.to_numpy()
    same = case[1:] == case[:-1]
    assert np.all(np.diff(case) >= 0)
    assert np.all(end[1:][same] >= end[:-1][same])
    assert np.all(start <= end)
    assert frame[["start_time", "end_time"]].notna().all().all()
    timed = start < end
    assert 0.3 < timed.mean() < 0.95  # people and machines take time, system users none
    assert not frame["resource"][timed].isin(SYSTEM_USERS).any()


@pytest.mark.parametrize("kind", KINDS)
def test_people_and_machines_work_in_their_hours_system_users_around_the_clock(kind):
    simulated = simulate(kind, 20_000, seed=3)
    frame, calendars = simulated.frame, simulated.calendars
    assert {calendars[name] for name in frame["resource"].unique()} >= {OFFICE}
    for column in ("start_time", "end_time"):
        when = frame[column]
        minute = when.dt.hour * 60 + when.dt.minute + when.dt.second / 60
        weekday = when.dt.day_of_week < 5
        office = frame["resource"].map(lambda r: calendars[r] is OFFICE).astype(bool)
        shifts = frame["resource"].map(lambda r: calendars[r] is SHIFTS).astype(bool)
        in_office = weekday & minute.between(8 * 60, 17 * 60) & ~((minute > 12 * 60) & (minute < 13 * 60))
        in_shifts = weekday & minute.between(6 * 60, 22 * 60)
        assert in_office[office].all()
        assert in_shifts[shifts].all()
        system = frame["resource"].isin(SYSTEM_USERS)
        assert (~in_office[system]).mean() > 0.05


def test_p2p_rates_and_detectable_patterns(logs):
    cfg, frame = P2PConfig(), logs["p2p"]
    cases = per_case(frame)
    n = len(cases)
    amount_eur = cases["amount"] / cases["currency"].map(PER_EUR).astype(float)
    approvals = frame[frame["activity"] == "Approve Purchase Requisition"]
    levels = approvals.groupby("case_id", observed=True).size().reindex(cases.index, fill_value=0)
    assert ((levels == 2) == (amount_eur > cfg.second_approval_eur)).all()
    assert (levels >= 1).all()

    def share(activity: str) -> float:
        return frame.loc[frame["activity"] == activity, "case_id"].nunique() / n

    assert within(share("Change Price"), cfg.price_change_rate, n)
    assert within(share("Change Quantity"), cfg.quantity_change_rate, n)
    assert within(share("Delete Purchase Order"), cfg.delete_rate, n)
    receipts = frame[frame["activity"] == "Record Goods Receipt"].groupby("case_id", observed=True).size()
    assert within((receipts >= 2).mean(), cfg.two_receipts_rate + cfg.three_receipts_rate, len(receipts), 6)

    # A few popular vendors cause most price blocks.
    price_blocks = frame[
        (frame["activity"] == "Block Invoice") & (frame["block_reason"] == "price difference")
    ]
    top = price_blocks["vendor"].value_counts()
    assert top.iloc[: len(cfg.problem_vendor_ranks)].sum() > 0.5 * len(price_blocks)
    # Every block is released, and the second approval is a waiting-time bottleneck.
    assert (frame["activity"] == "Release Invoice Block").sum() == len(
        frame[frame["activity"] == "Block Invoice"]
    )
    wait = frame["start_time"] - frame.groupby("case_id", observed=True)["end_time"].shift()
    first_level = wait[(frame["activity"] == "Approve Purchase Requisition") & (frame["release_level"] == 1)]
    second_level = wait[frame["release_level"] == 2]
    assert second_level.median() > 2 * first_level.median()
    # Payment is the Tuesday/Friday evening run of the batch user.
    payments = frame[frame["activity"] == "Clear Invoice"]
    assert (payments["resource"] == "BATCH_JOB").all()
    assert set(payments["start_time"].dt.day_of_week) == {1, 4}
    assert (payments["start_time"] == payments["end_time"]).all()


def test_p2p_orders_peak_at_month_end(logs):
    created = logs["p2p"].loc[logs["p2p"]["activity"] == "Create Purchase Requisition", "start_time"]
    month_end = (created.dt.days_in_month - created.dt.day) < 3
    days_share = 3 / 30.4
    assert month_end.mean() > 1.3 * days_share


def test_o2c_rates_and_detectable_patterns(logs):
    cfg, frame = O2CConfig(), logs["o2c"]
    cases = per_case(frame)
    n = len(cases)
    rate = cases["sales_org"].map(dict(zip(SALES_ORGS, SALES_ORG_RATE, strict=True))).astype(float)
    big = cases["order_value"] / rate > cfg.credit_review_eur
    reviewed = frame.loc[frame["activity"] == "Manual Credit Review", "case_id"].unique()
    assert cases.index[big].isin(reviewed).all()
    blocked = frame.loc[frame["credit_status"] == "blocked", "case_id"].unique()
    assert set(blocked) == set(reviewed)
    rejected = frame.loc[frame["activity"] == "Reject Sales Order", "case_id"]
    assert set(rejected) <= set(reviewed)
    assert within(len(rejected) / len(reviewed), cfg.reject_rate, len(reviewed))
    assert not frame["case_id"].isin(rejected)[frame["activity"] == "Pick"].any()
    shipped = frame.loc[frame["activity"] == "Post Goods Issue", "case_id"].nunique()
    returns = frame.loc[frame["activity"] == "Create Return Order", "case_id"].nunique()
    assert within(returns / shipped, cfg.return_rate, shipped)
    assert (frame["activity"] == "Create Credit Memo").sum() == returns
    # Reminders only for overdue invoices, one level at a time, from the Monday dunning run.
    reminders = frame[frame["activity"] == "Send Payment Reminder"]
    assert set(reminders["start_time"].dt.day_of_week) == {0}
    levels = reminders.groupby("case_id", observed=True)["dunning_level"].agg(["min", "max", "count"])
    assert (levels["min"] == 1).all() and (levels["max"] == levels["count"]).all()
    assert levels["max"].max() <= cfg.max_reminders
    by_customer = reminders["customer"].value_counts()
    assert by_customer.iloc[:20].sum() > 0.5 * len(reminders)
    # Web-shop and EDI orders arrive around the clock, weekends included.
    automatic = frame[
        (frame["activity"] == "Create Sales Order") & frame["resource"].isin(["WEBSHOP", "RFC_EDI"])
    ]
    assert (automatic["start_time"].dt.day_of_week >= 5).mean() > 0.05
    assert n > 5_000


def test_production_rates_and_machine_bottleneck(logs):
    cfg, frame = ProductionConfig(), logs["production"]
    n = frame["case_id"].nunique()
    shortage = frame.loc[frame["activity"] == "Component Shortage", "case_id"].nunique()
    assert within(shortage / n, cfg.shortage_rate, n)
    inspections = frame[frame["activity"] == "Quality Inspection"]
    failed = (inspections["inspection_result"] == "fail").sum()
    assert failed == (frame["activity"] == "Rework").sum() > 0
    per_order = inspections.groupby("case_id", observed=True).size()
    assert per_order.max() <= cfg.max_reworks + 1
    assert (inspections.groupby("case_id", observed=True)["inspection_result"].last() == "pass").all()
    # The single paint line waits longest; machines are the resources of operations.
    wait = frame["start_time"] - frame.groupby("case_id", observed=True)["end_time"].shift()
    median_wait = wait.groupby(frame["activity"], observed=True).median()
    operations = ["Cutting", "Turning", "Milling", "Welding", "Assembly"]
    assert median_wait["Painting"] > 2 * median_wait[operations].max()
    assert frame.loc[frame["activity"] == "Painting", "resource"].str.startswith("PAINT-").all()
    numbers = frame.loc[frame["activity"].isin([*operations, "Painting"]), "operation"]
    assert numbers.notna().all() and set(numbers) <= {"0010", "0020", "0030", "0040", "0050", "0060"}


@pytest.mark.parametrize("kind", KINDS)
def test_case_attributes_are_constant_within_a_case(kind, logs):
    frame = logs[kind]
    attributes = frame.columns[5 : 5 + {"p2p": 9, "o2c": 8, "production": 4}[kind]]
    assert (frame.groupby("case_id", observed=True)[list(attributes)].nunique(dropna=False) == 1).all().all()


def test_noise_injects_each_documented_imperfection_at_about_its_rate():
    rate = 0.05
    clean = generate_log("o2c", 40_000, seed=5)
    noisy = generate_log("o2c", 40_000, seed=5, noise=rate)
    n = len(clean)

    def expect(count: int, kind: str) -> None:
        p = rate * RELATIVE_RATES[kind]
        assert abs(count - p * n) <= 5 * np.sqrt(n * p * (1 - p)) + 1, kind

    expect(len(noisy) - n, "duplicate")
    assert clean.duplicated().sum() == 0
    copies = np.flatnonzero(noisy.duplicated(keep="first").to_numpy())
    assert len(copies) == len(noisy) - n
    assert noisy.iloc[copies].reset_index(drop=True).equals(noisy.iloc[copies - 1].reset_index(drop=True))
    deduplicated = noisy.drop(index=copies).reset_index(drop=True)
    assert (deduplicated["case_id"] == clean["case_id"]).all()

    labels = set(clean["activity"].cat.categories)
    respelled = ~deduplicated["activity"].isin(labels)
    expect(int(respelled.sum()), "label_variant")
    pairs = zip(deduplicated["activity"][respelled], clean["activity"][respelled], strict=True)
    assert all(variant in label_variants(label) for variant, label in pairs)

    outlier = (deduplicated["end_time"].dt.year == 1970) | (deduplicated["end_time"].dt.year > 2100)
    expect(int(outlier.sum()), "outlier_time")
    assert (clean["end_time"].dt.year.between(2024, 2026)).all()
    midnight = (deduplicated["end_time"] == deduplicated["end_time"].dt.normalize()) & ~outlier
    expect(int(midnight.sum()), "date_only")
    assert not (clean["end_time"] == clean["end_time"].dt.normalize()).any()
    expect(int(deduplicated["resource"].isna().sum()), "missing_resource")
    assert clean["resource"].notna().all()


def test_noise_rate_must_be_a_rate():
    with pytest.raises(ValueError, match="between 0 and 1"):
        generate_log("p2p", 100, noise=1.5)
    with pytest.raises(ValueError, match="unknown process kind"):
        generate_log("hr", 100)


def test_csv_round_trips_through_pandas_with_iso_timestamps_and_date_only_fields(tmp_path):
    frame = generate_log("p2p", 4_000, seed=2, noise=0.03)
    path = write_log(frame, tmp_path / "log.csv")
    text = path.read_text().splitlines()
    assert text[0].split(",")[:5] == ["case_id", "activity", "start_time", "end_time", "resource"]
    assert text[1].split(",")[2][10] == "T"
    back = pd.read_csv(path, dtype={"case_id": str, "company_code": str})
    assert len(back) == len(frame)
    assert (back["case_id"] == frame["case_id"].astype(str)).all()
    assert (back["activity"] == frame["activity"].astype(str)).all()
    assert back["resource"].isna().sum() == frame["resource"].isna().sum() > 0
    for column in ("start_time", "end_time"):
        assert (pd.to_datetime(back[column], format="ISO8601") == frame[column]).all()
    date_only = back["end_time"].str.len() == 10
    assert date_only.sum() == (frame["end_time"] == frame["end_time"].dt.normalize()).sum() > 0
    assert np.allclose(back["amount"], frame["amount"])
    assert (back["received_quantity"].isna() == frame["received_quantity"].isna()).all()
    assert (back["company_code"] == frame["company_code"].astype(str)).all()


def test_csv_quotes_only_fields_that_need_it(tmp_path):
    frame = generate_log("p2p", 300, seed=2)
    frame["vendor"] = frame["vendor"].cat.rename_categories(lambda v: f'{v}, "Main"' if "B.V." in v else v)
    path = write_log(frame, tmp_path / "log.csv.gz")
    back = pd.read_csv(path)
    assert (back["vendor"] == frame["vendor"].astype(str)).all()
    with gzip.open(path, "rt") as lines:
        assert '"Create Purchase Order"' not in lines.read()


def test_parquet_round_trip_keeps_the_frame(tmp_path):
    frame = generate_log("production", 2_000, seed=4, noise=0.02)
    back = pd.read_parquet(write_log(frame, tmp_path / "log.parquet"))
    pd.testing.assert_frame_equal(back, frame)


def test_gzip_output_is_byte_for_byte_reproducible(tmp_path):
    frame = generate_log("o2c", 1_000, seed=9)
    first = write_log(frame, tmp_path / "a.xes.gz").read_bytes()
    assert write_log(frame, tmp_path / "b.xes.gz").read_bytes() == first


def test_xes_is_well_formed_with_lifecycle_pairs_trace_attributes_and_escaping(tmp_path):
    frame = generate_log("p2p", 2_000, seed=6, noise=0.02)
    frame["activity"] = frame["activity"].cat.add_categories(['Check <3-way> & "match"'])
    frame.loc[3, "activity"] = 'Check <3-way> & "match"'
    path = write_log(frame, tmp_path / "log.xes")
    root = etree.parse(str(path)).getroot()
    traces = root.findall(f"{XES}trace")
    assert len(traces) == frame["case_id"].nunique()
    events = root.findall(f".//{XES}event")
    paired = (frame["start_time"] < frame["end_time"]).sum()
    assert len(events) == len(frame) + paired

    def values(element: etree._Element) -> dict[str, str]:
        return {child.get("key"): child.get("value") for child in element}

    transitions = [values(e)["lifecycle:transition"] for e in events]
    assert transitions.count("start") == paired
    names = [values(e)["concept:name"] for e in events]
    assert names.count('Check <3-way> & "match"') >= 1
    first = values(traces[0])
    case = frame[frame["case_id"] == first["concept:name"]]
    assert first["vendor"] == case["vendor"].iloc[0]
    assert traces[0].find(f"{XES}float[@key='amount']") is not None
    assert "release_level" not in first and "release_level" in str(etree.tostring(traces[0]))
    stamps = [values(e)["time:timestamp"] for e in traces[0].findall(f"{XES}event")]
    assert stamps == sorted(stamps)
    assert all(s.endswith("+00:00") for s in stamps)
    no_resource = sum("org:resource" not in values(e) for e in events)
    missing = frame["resource"].isna()
    assert no_resource == missing.sum() + (missing & (frame["start_time"] < frame["end_time"])).sum()


def test_generated_frame_builds_a_canonical_event_log():
    frame = generate_log("o2c", 3_000, seed=1, noise=0.01)
    canonical = frame.rename(
        columns={
            "case_id": CASE,
            "activity": ACTIVITY,
            "start_time": START,
            "end_time": END,
            "resource": RESOURCE,
        }
    )
    log = make_event_log(canonical, source="generated")
    assert log.n_events == len(frame)
    assert log.n_cases == frame["case_id"].nunique()
    assert log.has_start and log.has_resource
    assert "customer" in log.event_attributes


def test_command_line_writes_the_file_and_rejects_unknown_formats(tmp_path, capsys):
    target = tmp_path / "p2p.xes.gz"
    assert main(["p2p", "--events", "400", "--seed", "3", "--noise", "0.01", "-o", str(target)]) == 0
    assert target.exists() and "p2p events in" in capsys.readouterr().out
    assert main(["o2c", "-o", str(tmp_path / "log.txt")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["--start", "next monday"], "the start day must be an ISO date"),
        (["--events", "0"], "--events must be a positive number"),
        (["--seed", "-2"], "--seed must not be negative"),
    ],
)
def test_module_command_rejects_bad_arguments_in_one_line(tmp_path, capsys, arguments, expected):
    target = tmp_path / "log.csv"
    assert main(["p2p", "-o", str(target), *arguments]) == 2
    error = capsys.readouterr().err.strip()
    assert expected in error and "\n" not in error
    assert not target.exists()


def test_the_parser_choices_name_every_process_the_generator_knows():
    assert set(PROCESSES) == set(KINDS)


def test_generation_is_vectorised_enough_for_the_benchmark_sizes():
    started = time.perf_counter()
    frame = generate_log("p2p", 300_000, seed=0)
    assert len(frame) >= 300_000
    assert time.perf_counter() - started < 15
