"""read_ocel / list_object_types on the OCEL 2.0 spec example and small hand-built logs."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from sc_improve.columns import ACTIVITY, CASE, END, RESOURCE, SOURCE_ROW
from sc_improve.errors import LogImportError
from sc_improve.log.event_log import STRING_DTYPE
from sc_improve.log.readers.ocel import ObjectTypeInfo, list_object_types, read_ocel

DATA = Path(__file__).parent / "data" / "xes_ocel"
SPEC_EXAMPLES = ["ocel20_example.jsonocel", "ocel20_example.xmlocel", "ocel20_example.sqlite"]
SPEC_TYPES = [
    ObjectTypeInfo("Invoice", objects=3, events=9),
    ObjectTypeInfo("Purchase Order", objects=2, events=5),
    ObjectTypeInfo("Payment", objects=3, events=3),
    ObjectTypeInfo("Purchase Requisition", objects=1, events=3),
]


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_spec_example_object_types(name):
    assert list_object_types(DATA / name) == SPEC_TYPES


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_spec_example_default_flattening(name):
    log = read_ocel(DATA / name)
    assert log.mapping["object_type"] == "Invoice"
    assert (log.n_cases, log.n_events) == (3, 9)
    assert (
        "flattened on object type Invoice (3 objects, 9 events); chosen because it has the most events"
        in (log.notes[0])
    )
    assert log.notes[1].startswith("other object types: Purchase Order (2 objects, 5 events)")
    assert log.issues.empty


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_spec_example_purchase_orders(name):
    log = read_ocel(DATA / name, "Purchase Order")
    frame = log.frame
    assert sorted(frame[CASE].unique()) == ["PO1", "PO2"]
    assert sorted(frame[ACTIVITY]) == [
        "Change PO Quantity",
        "Create Purchase Order",
        "Create Purchase Order",
        "Insert Invoice",
        "Insert Invoice",
    ]
    by_case = frame.groupby(CASE).first()
    assert by_case.loc["PO1", "case:po_quantity"] == "600"  # changed from 500: the latest value wins
    assert by_case.loc["PO2", "case:po_product"] == "Notebooks"
    assert any("1 Purchase Order attribute changed over time" in note for note in log.notes)
    assert frame[CASE].dtype == STRING_DTYPE and str(frame[END].dtype) == "datetime64[ns, UTC]"


def test_the_three_serialisations_hold_the_same_events():
    frames = {name: read_ocel(DATA / name, "Purchase Order").frame for name in SPEC_EXAMPLES}
    keys = [CASE, ACTIVITY, "ocel:eid", SOURCE_ROW]
    json_frame, xml_frame, sqlite_frame = (frames[n][[*keys, END]] for n in SPEC_EXAMPLES)
    pd.testing.assert_frame_equal(xml_frame, sqlite_frame)
    pd.testing.assert_frame_equal(json_frame[keys], xml_frame[keys])
    # the JSON export gives the same wall-clock instants one hour earlier (see data/xes_ocel/README.md)
    assert ((xml_frame[END] - json_frame[END]) == pd.Timedelta(hours=1)).all()


def test_ocel2_xml_columns_come_in_the_same_order_every_time():
    """rustxes hands back attribute columns in hash order; the log must not depend on it."""
    xml = next(name for name in SPEC_EXAMPLES if name.endswith("xmlocel"))
    orders = {tuple(read_ocel(DATA / xml, "Purchase Order").frame.columns) for _ in range(4)}
    assert len(orders) == 1
    attributes = [c for c in next(iter(orders)) if c not in (CASE, ACTIVITY, END, SOURCE_ROW)]
    event_attributes = [c for c in attributes if not c.startswith("case:") and not c.startswith("ocel:")]
    assert event_attributes == sorted(event_attributes) and len(event_attributes) >= 3


ORDERS = {
    "objectTypes": [
        {
            "name": "order",
            "attributes": [{"name": "amount", "type": "float"}, {"name": "status", "type": "string"}],
        },
        {"name": "employee", "attributes": []},
        {"name": "item", "attributes": []},
    ],
    "eventTypes": [
        {
            "name": "place",
            "attributes": [{"name": "channel", "type": "string"}, {"name": "priority", "type": "integer"}],
        },
        {"name": "ship", "attributes": []},
    ],
    "objects": [
        {
            "id": "o1",
            "type": "order",
            "attributes": [
                {"name": "amount", "time": "1970-01-01T00:00:00Z", "value": "10.5"},
                {"name": "status", "time": "2024-01-03T00:00:00Z", "value": "closed"},
                {"name": "status", "time": "2024-01-01T00:00:00Z", "value": "open"},
            ],
        },
        {
            "id": "o2",
            "type": "order",
            "attributes": [{"name": "amount", "time": "1970-01-01T00:00:00Z", "value": 7}],
        },
        {"id": "ann", "type": "employee"},
        {"id": "bob", "type": "employee"},
        {"id": "i1", "type": "item"},
    ],
    "events": [
        {
            "id": "e1",
            "type": "place",
            "time": "2024-01-01T10:00:00+02:00",
            "attributes": [{"name": "channel", "value": "web"}, {"name": "priority", "value": 2}],
            "relationships": [
                {"objectId": "o1", "qualifier": "order"},
                {"objectId": "ann", "qualifier": "clerk"},
                {"objectId": "i1", "qualifier": "item"},
            ],
        },
        {
            "id": "e2",
            "type": "place",
            "time": "2024-01-02T09:00:00Z",
            "attributes": [{"name": "channel", "value": "phone"}, {"name": "priority", "value": 1}],
            "relationships": [{"objectId": "o2"}, {"objectId": "bob"}],
        },
        {
            "id": "e3",
            "type": "ship",
            "time": "2024-01-03T12:00:00",
            "relationships": [{"objectId": "o1"}, {"objectId": "o2"}, {"objectId": "i1"}],
        },
        {"id": "e4", "type": "ship", "time": "not a time", "relationships": [{"objectId": "o1"}]},
        {
            "id": "e5",
            "type": "audit",
            "time": "2024-01-04T00:00:00Z",
            "relationships": [{"objectId": "ghost"}],
        },
    ],
}


@pytest.fixture
def orders_json(tmp_path) -> Path:
    path = tmp_path / "orders.jsonocel"
    path.write_text(json.dumps(ORDERS))
    return path


def test_flattening_rules_on_a_hand_built_log(orders_json):
    assert list_object_types(orders_json) == [
        ObjectTypeInfo("order", 2, 4),
        ObjectTypeInfo("employee", 2, 2),
        ObjectTypeInfo("item", 1, 2),
    ]
    log = read_ocel(orders_json)
    frame = log.frame.set_index(["ocel:eid", CASE])
    assert sorted(frame.index) == [("e1", "o1"), ("e2", "o2"), ("e3", "o1"), ("e3", "o2")]
    assert frame.loc[("e1", "o1"), END] == pd.Timestamp("2024-01-01 08:00", tz="UTC")
    assert frame.loc[("e3", "o1"), END] == pd.Timestamp("2024-01-03 12:00", tz="UTC")
    assert frame.loc[("e1", "o1"), SOURCE_ROW] == 1 and frame.loc[("e3", "o2"), SOURCE_ROW] == 3
    assert frame.loc[("e1", "o1"), RESOURCE] == "ann"
    assert frame.loc[("e2", "o2"), RESOURCE] == "bob" and pd.isna(frame.loc[("e3", "o1"), RESOURCE])
    assert frame.loc[("e1", "o1"), "case:status"] == "closed"  # latest by time, not by file order
    assert frame.loc[("e1", "o1"), "case:amount"] == 10.5 and frame.loc[("e2", "o2"), "case:amount"] == 7.0
    assert frame.loc[("e2", "o2"), "priority"] == 1 and str(frame["priority"].dtype) == "Int64"
    assert frame.loc[("e1", "o1"), "ocel:qualifier"] == "order"
    assert log.issues[["source_row", "value", "reason"]].values.tolist() == [
        [4, "not a time", "unparseable timestamp"]
    ]
    notes = " | ".join(log.notes)
    assert "org:resource is the related employee object" in notes
    assert "1 event-object link names an object missing from the object list; ignored" in notes
    assert "1 of 5 events concern no order object" in notes
    assert log.mapping == {
        "format": "OCEL 2.0 JSON",
        "object_type": "order",
        "resource_object_type": "employee",
    }


def test_object_type_and_resource_choices(orders_json):
    items = read_ocel(orders_json, "item")
    assert items.frame[CASE].tolist() == ["i1", "i1"]
    assert items.frame[RESOURCE].tolist() == ["ann", pd.NA]
    assert RESOURCE not in read_ocel(orders_json, resource_object_type=False).frame.columns
    by_item = read_ocel(orders_json, resource_object_type="item").frame
    assert by_item.set_index("ocel:eid").loc[["e1", "e3"], RESOURCE].tolist() == ["i1", "i1", "i1"]


def test_unknown_object_type_lists_the_known_ones(orders_json):
    with pytest.raises(
        LogImportError, match=r"no object type 'orders'; the log has: order \(2 objects, 4 events\)"
    ):
        read_ocel(orders_json, "orders")


def test_object_type_without_events_is_refused(tmp_path):
    idle = dict(ORDERS, objects=[*ORDERS["objects"], {"id": "t1", "type": "truck"}])
    path = tmp_path / "idle.jsonocel"
    path.write_text(json.dumps(idle))
    assert ObjectTypeInfo("truck", 1, 0) in list_object_types(path)
    with pytest.raises(LogImportError, match="no event concerns a truck object"):
        read_ocel(path, "truck")


def test_gzipped_json_gives_the_same_log(orders_json, tmp_path):
    packed = tmp_path / "orders.json.gz"
    packed.write_bytes(gzip.compress(orders_json.read_bytes()))
    pd.testing.assert_frame_equal(read_ocel(orders_json).frame, read_ocel(packed).frame)


OCEL1_JSON = {
    "ocel:global-log": {"ocel:version": ["1.0"], "ocel:object-types": ["order", "item"]},
    "ocel:events": {
        "e1": {
            "ocel:activity": "create",
            "ocel:timestamp": "2021-03-01T09:00:00+01:00",
            "ocel:omap": ["o1", "i1"],
            "ocel:vmap": {"price": 12.5, "code": "007"},
        },
        "e2": {
            "ocel:activity": "pack",
            "ocel:timestamp": "2021-03-02T09:00:00+01:00",
            "ocel:omap": ["i1"],
            "ocel:vmap": {},
        },
    },
    "ocel:objects": {
        "o1": {"ocel:type": "order", "ocel:ovmap": {"customer": "ACME"}},
        "i1": {"ocel:type": "item", "ocel:ovmap": {}},
    },
}

OCEL1_XML = """<?xml version="1.0" encoding="UTF-8"?>
<log>
  <global scope="log"><list key="object-types"><string key="object-type" value="order"/></list></global>
  <events>
    <event>
      <string key="id" value="e1"/><string key="activity" value="create"/>
      <date key="timestamp" value="2021-03-01T09:00:00+01:00"/>
      <list key="omap"><string key="object-id" value="o1"/><string key="object-id" value="i1"/></list>
      <list key="vmap"><float key="price" value="12.5"/><string key="code" value="007"/></list>
    </event>
    <event>
      <string key="id" value="e2"/><string key="activity" value="pack"/>
      <date key="timestamp" value="2021-03-02T09:00:00+01:00"/>
      <list key="omap"><string key="object-id" value="i1"/></list>
      <list key="vmap"/>
    </event>
  </events>
  <objects>
    <object><string key="id" value="o1"/><string key="type" value="order"/>
      <list key="ovmap"><string key="customer" value="ACME"/></list></object>
    <object><string key="id" value="i1"/><string key="type" value="item"/><list key="ovmap"/></object>
  </objects>
</log>
"""


@pytest.mark.parametrize("name", ["legacy.jsonocel", "legacy.xmlocel"])
def test_ocel1_json_and_xml(tmp_path, name):
    path = tmp_path / name
    path.write_text(json.dumps(OCEL1_JSON) if name.endswith("jsonocel") else OCEL1_XML)
    assert list_object_types(path) == [ObjectTypeInfo("item", 1, 2), ObjectTypeInfo("order", 1, 1)]
    log = read_ocel(path, "order")
    row = log.frame.iloc[0]
    assert (row[CASE], row[ACTIVITY], row[END]) == (
        "o1",
        "create",
        pd.Timestamp("2021-03-01 08:00", tz="UTC"),
    )
    assert row["case:customer"] == "ACME" and row["price"] == 12.5
    assert row["code"] == "007"  # text stays text (the XML declares it a string; JSON has it quoted)
    assert log.mapping["format"] == ("OCEL 1.0 JSON" if name.endswith("jsonocel") else "OCEL 1.0 XML")


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonocel"
    path.write_text('{\n  "events": [\n    {"id": "e1",, "type": "a"}\n  ]\n}\n')
    with pytest.raises(LogImportError, match="JSON is broken") as error:
        read_ocel(path)
    assert error.value.row == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"case,activity\n1,a\n", "not an OCEL file"),
        (b'{"a": 1}', "not an OCEL log"),
        (b"<?xml version='1.0'?><log><object-types/><events/><objects/></log>", "has no objects"),
    ],
)
def test_files_that_are_not_ocel_are_refused(tmp_path, content, message):
    path = tmp_path / "x.ocel"
    path.write_bytes(content)
    with pytest.raises(LogImportError, match=message):
        read_ocel(path)


def test_sqlite_without_ocel_tables_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE orders (id TEXT)")
    connection.close()
    with pytest.raises(LogImportError, match="not an OCEL 2.0 log"):
        read_ocel(path)


TYPED_XML = """<?xml version="1.0" encoding="UTF-8"?>
<log>
  <object-types>
    <object-type name="order"><attributes>
      <attribute name="amount" type="float"/><attribute name="qty" type="integer"/>
      <attribute name="due" type="time"/><attribute name="code" type="string"/>
    </attributes></object-type>
  </object-types>
  <event-types>
    <event-type name="place"><attributes><attribute name="prio" type="integer"/></attributes></event-type>
  </event-types>
  <objects>
    <object id="o1" type="order"><attributes>
      <attribute name="amount" time="1970-01-01T00:00:00Z">10.5</attribute>
      <attribute name="qty" time="2024-01-02T00:00:00Z">4</attribute>
      <attribute name="qty" time="1970-01-01T00:00:00Z">3</attribute>
      <attribute name="due" time="1970-01-01T00:00:00Z">2024-02-01T00:00:00+01:00</attribute>
      <attribute name="code" time="1970-01-01T00:00:00Z">007 &amp; co</attribute>
    </attributes></object>
  </objects>
  <events>
    <event id="e1" type="place" time="2024-01-01T10:00:00+02:00">
      <attributes><attribute name="prio">2</attribute></attributes>
      <objects><relationship object-id="o1" qualifier="q"/></objects>
    </event>
  </events>
</log>
"""


@pytest.mark.parametrize("name", ["typed.xmlocel", "typed.xml.gz"])
def test_ocel2_xml_attributes_follow_their_declared_types(tmp_path, name):
    path = tmp_path / name
    data = TYPED_XML.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    row = read_ocel(path).frame.iloc[0]
    assert row[END] == pd.Timestamp("2024-01-01 08:00", tz="UTC")
    assert row["case:amount"] == 10.5 and row["case:qty"] == 4  # the later value, whatever the file order
    assert row["case:due"] == pd.Timestamp("2024-01-31 23:00", tz="UTC")
    assert row["case:code"] == "007 & co" and row["prio"] == 2


def test_broken_ocel2_xml_names_the_line(tmp_path, capfd):
    path = tmp_path / "broken.xmlocel"
    path.write_text(TYPED_XML.replace("</event>", "</evnt>"))
    with pytest.raises(LogImportError, match="XML is broken") as error:
        read_ocel(path)
    assert error.value.row == TYPED_XML.splitlines().index("    </event>") + 1
    assert "panicked" not in capfd.readouterr().err


def test_truncated_ocel2_xml_is_refused_not_read_in_part(tmp_path):
    path = tmp_path / "cut.xmlocel"
    path.write_bytes((DATA / "ocel20_example.xmlocel").read_bytes()[:6000])
    with pytest.raises(LogImportError, match="XML is broken"):
        read_ocel(path)
