"""Detection of technical users by name, SAP user type and behaviour, with user corrections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sc_improve.automation.system_users import detect_system_users, read_usr02
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import make_event_log
from tests.conftest import build_log


def _log_with_users(users: list[str]):
    rows = [(str(i), "a", f"2024-01-01 {8 + i % 10:02d}:00", user) for i, user in enumerate(users)]
    return build_log(rows, ("case", "activity", "end", "resource"))


@pytest.mark.parametrize(
    "user",
    [
        "BATCH_JOB",
        "SYS_WF",
        "RFC_EDI",
        "WF-BATCH",
        "System",
        "NONE",
        "ALEREMOTE",
        "INVOICE_BOT",
        "AUTO_POST",
        "ddic",
    ],
)
def test_technical_names_are_recognised(user):
    detected = detect_system_users(_log_with_users([user, "MEIER"]))
    assert detected.names == {user}
    row = detected.table.set_index("user").loc[user]
    assert row["decided_by"] == "name"
    assert "name contains" in row["reason"]


@pytest.mark.parametrize("user", ["EDITH", "ABBOTT", "JOBSON", "SYSKA", "MEDINA", "Sara"])
def test_people_whose_names_contain_a_short_word_are_not_matched(user):
    assert detect_system_users(_log_with_users([user])).names == frozenset()


def test_name_patterns_are_configurable():
    log = _log_with_users(["WEBSHOP", "BATCH_JOB"])
    assert detect_system_users(log, name_patterns=[r"shop"]).names == {"WEBSHOP"}


def test_corrections_win():
    log = _log_with_users(["BATCH_JOB", "MEIER", "KUNZ"])
    detected = detect_system_users(log, force_human=["BATCH_JOB"], force_system=["KUNZ"])
    assert detected.names == {"KUNZ"}
    table = detected.table.set_index("user")
    assert table.loc["BATCH_JOB", "reason"] == "set to person by the user"
    assert table.loc["KUNZ", "decided_by"] == "user"
    assert not table.loc["MEIER", "system"]


def test_sap_user_types():
    log = _log_with_users(["ZINTERFACE01", "ZX_SRV", "MEIER"])
    types = read_usr02(pd.DataFrame({"bname": ["ZX_SRV", "MEIER"], "ustyp": ["s", "A"]}))
    detected = detect_system_users(log, user_types=types, name_patterns=[])
    assert detected.names == {"ZX_SRV"}
    assert detected.table.set_index("user").loc["ZX_SRV", "reason"] == "SAP user type S (service)"


def test_usr02_from_a_file(tmp_path):
    path = tmp_path / "usr02.csv"
    path.write_text("BNAME;USTYP;GLTGB\nWF-BATCH;B;\nMEIER;A;\n", encoding="utf-8")
    assert read_usr02(path) == {"WF-BATCH": "B", "MEIER": "A"}
    bad = tmp_path / "bad.csv"
    bad.write_text("USER,TYPE\nX,B\n", encoding="utf-8")
    with pytest.raises(LogImportError, match="BNAME"):
        read_usr02(bad)


def _behaviour_log(fast_user: str = "", night_user: str = "", night_volume: int = 0):
    """People work 10-minute steps in office hours on weekdays; optional machine-like users."""
    rng = np.random.default_rng(1)
    rows = []
    people = ["ANNA", "BEN", "CARL", "DORA"]
    for day in range(30):
        date = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for person in people:
            for step in range(4):
                end = date + pd.Timedelta(hours=9 + 2 * step, minutes=int(rng.integers(0, 50)))
                rows.append((f"{person}{day}{step}", "work", end - pd.Timedelta(minutes=10), end, person))
        if fast_user:
            for step in range(4):
                end = date + pd.Timedelta(hours=10 + step)
                rows.append((f"F{day}{step}", "post", end, end, fast_user))
    if night_user:
        for day in range(30):
            date = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)
            for step in range(night_volume):
                end = date + pd.Timedelta(minutes=int(step * 1440 / night_volume))
                rows.append((f"N{day}{step}", "sync", end - pd.Timedelta(minutes=5), end, night_user))
    frame = pd.DataFrame(
        rows,
        columns=["case:concept:name", "concept:name", "start_timestamp", "time:timestamp", "org:resource"],
    )
    return make_event_log(frame)


def test_subsecond_executions_mark_a_machine():
    detected = detect_system_users(_behaviour_log(fast_user="ZSHOP"))
    assert detected.names == {"ZSHOP"}
    row = detected.table.set_index("user").loc["ZSHOP"]
    assert row["decided_by"] == "behaviour"
    assert "took a second or less" in row["reason"]


def test_inhuman_volume_around_the_clock_marks_a_machine():
    detected = detect_system_users(_behaviour_log(night_user="ZSYNC1", night_volume=200))
    assert detected.names == {"ZSYNC1"}
    assert "at night or at weekends" in detected.table.set_index("user").loc["ZSYNC1", "reason"]


def test_around_the_clock_alone_is_a_shift_worker_not_a_machine():
    # 4 events a day around the clock: odd hours, but a human volume
    assert detect_system_users(_behaviour_log(night_user="NIGHTSHIFT", night_volume=4)).names == frozenset()


def test_event_mask_and_logs_without_resources(simple_log):
    log = _log_with_users(["BATCH_JOB", "MEIER", "BATCH_JOB"])
    mask = detect_system_users(log).event_mask(log.codes)
    by_user = log.frame["org:resource"].to_numpy()
    assert mask.tolist() == [u == "BATCH_JOB" for u in by_user]
    detected = detect_system_users(simple_log)
    assert detected.table.empty
    assert detected.event_mask(simple_log.codes) is None


def test_every_user_is_listed_with_its_events():
    detected = detect_system_users(_log_with_users(["BATCH_JOB", "MEIER", "MEIER"]))
    table = detected.table.set_index("user")
    assert table.loc["MEIER", "events"] == 2
    assert table.loc["MEIER", "reason"] == ""
    assert list(detected.table.columns) == ["user", "events", "system", "reason", "decided_by"]
