"""Columns found by what they hold, not only by their header; address lines and per-day hours joined.

Every file is written here the way councils, NHS lists and volunteers' spreadsheets lay them out (unusual
headers, semicolons, a column per day, Excel time cells), then read by the real importer into a real
project (``empty_project``: two 1 km squares in British National Grid, in Sale). Expected values are
written out by hand.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from assetmap.core.errors import DataError
from assetmap.core.imports.pipeline import ImportOptions, import_file, prepare_import
from assetmap.core.io.columns import address_role, day_role, find_name_by_values, guess_mapping
from assetmap.core.io.derived import hours_text, week_text
from assetmap.core.model import is_blank
from assetmap.core.project import Project


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def accounted(report) -> None:
    assert report.imported + report.unlocated + report.duplicates + report.updated + report.rejected == report.rows


def assets_by_name(project_path: Path) -> dict[str, dict]:
    with Project.open(project_path, readonly=True) as project:
        frame = project.assets()
    return {r["name"]: r for r in frame.drop(columns="geometry").to_dict("records")}


# --- the name column ----------------------------------------------------------------------------------------

def test_location_holding_names_beside_an_address_column_is_the_name(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "venues.csv",
                 "Location,Address,Postcode,Easting,Northing\n"
                 "Moss Lane Community Centre,\"14 Moss Lane, Sale\",M33 5AA,380200,390300\n"
                 "St Anne's Church Hall,\"Church Road, Sale\",M33 3HQ,380800,390700\n"
                 "Woodheys Park Pavilion,\"Meadows Road, Sale\",M33 3EY,381300,390200\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.mapping["name"] == "Location" and report.mapping["address"] == "Address"
    assert "names from column 'Location': 3 distinct text values" in report.notes
    assets = assets_by_name(empty_project)
    assert assets["St Anne's Church Hall"]["address"] == "Church Road, Sale"


def test_location_names_take_back_the_address_from_an_unnamed_address_column(empty_project: Path,
                                                                              tmp_path: Path) -> None:
    # "Location" is also a word for an address; here it holds the names and "Where to find us" the addresses.
    path = write(tmp_path / "libraries.csv",
                 "Location,Where to find us,Postcode,Lat,Long\n"
                 "Coppice Library,\"Coppice Avenue, Sale\",M33 4ND,53.414091,-2.351126\n"
                 "Sale Library,\"Sale Waterside, Sale\",M33 7ZF,53.42533,-2.31987\n"
                 "Hale Library,\"25 Cecil Road, Hale\",WA15 9NT,53.376032,-2.345594\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert (report.mapping["name"], report.mapping["address"]) == ("Location", "Where to find us")
    assert any("names from column 'Location'" in n and "'Where to find us'" in n for n in report.notes)
    assert assets_by_name(empty_project)["Hale Library"]["address"] == "25 Cecil Road, Hale"


def test_location_that_holds_addresses_stays_the_address(tmp_path: Path) -> None:
    import pandas as pd

    rows = pd.DataFrame({"Venue ref": ["V1", "V2", "V3"],
                         "Location": ["12 High Street, Sale", "3 Cross Street, Sale", "Church Road, Hale"],
                         "Hall": ["Sale Masonic Hall", "Cross Street Chapel", "Hale Methodist Hall"]}, dtype=object)
    mapping = guess_mapping(list(rows.columns))
    assert mapping["address"] == "Location"
    note = find_name_by_values(rows, mapping)
    assert mapping["name"] == "Hall" and mapping["address"] == "Location"
    assert note == "names from column 'Hall': 3 distinct text values"


@pytest.mark.parametrize("header", ["pharmacy_name", "School Name", "Name of premises", "Venue/Location name",
                                    "EstablishmentName", "Name of the group"])
def test_thing_name_headers_are_name_columns(header: str) -> None:
    # Beside them, names of people and places that are not the asset's own.
    columns = ["Ward name", "Head teacher name", header, "Contact name", "Street name", "Postcode"]
    mapping = guess_mapping(columns)
    assert mapping["name"] == header
    assert mapping["contact_name"] == "Contact name"


def test_a_name_of_a_person_or_an_area_alone_is_not_the_name() -> None:
    mapping = guess_mapping(["Ward name", "Manager name", "Local authority name", "Postcode"])
    assert "name" not in mapping


def test_file_with_no_name_like_header_finds_the_names_by_their_values(empty_project: Path, tmp_path: Path) -> None:
    # A volunteers' list of groups: the column of names is called "Group"; the halls they meet in repeat.
    path = write(tmp_path / "groups.csv",
                 "Group,Meets at,Street,Town,Postcode,When,Type of group,Contact e-mail\n"
                 "Sale Knit and Natter,St Paul's Church Hall,Springfield Road,Sale,M33 7XS,Tuesdays 2-4pm,"
                 "Craft group,knit@example.org\n"
                 "Ashton Walkers,Ashton Library,Ashton Lane,Sale,M33 6NR,Saturdays 10am,Walking group,"
                 "walk@example.org\n"
                 "Springfield Tenants,St Paul's Church Hall,Springfield Road,Sale,M33 7XS,First Monday 7pm,"
                 "Tenants association,tenants@example.org\n"
                 "Sale Men's Shed,The Old Depot,Worthington Road,Sale,M33 2JJ,Mon-Fri 10-3,Men's shed,"
                 "shed@example.org\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.mapping["name"] == "Group"
    assert "names from column 'Group': 4 distinct text values" in report.notes
    assert report.mapping["email"] == "Contact e-mail" and report.mapping["kind"] == "Type of group"
    assets = assets_by_name(empty_project)
    assert set(assets) == {"Sale Knit and Natter", "Ashton Walkers", "Springfield Tenants", "Sale Men's Shed"}
    assert assets["Ashton Walkers"]["address"] == "Ashton Lane, Sale"
    assert json.loads(assets["Sale Men's Shed"]["details"]) == {"Meets at": "The Old Depot", "When": "Mon-Fri 10-3"}


def test_codes_numbers_and_dates_are_not_names(tmp_path: Path) -> None:
    import pandas as pd

    rows = pd.DataFrame({"Asset no": ["A0012", "A0013", "A0014", "A0015"],
                         "Opened": ["01/04/1998", "12/06/2003", "30/09/2011", "05/01/2020"],
                         "Web": ["www.sale-hall.org.uk", "https://example.org/b", "example.com", "www.d.org"],
                         "Tel": ["0161 496 0001", "0161 496 0002", "0161 496 0003", "0161 496 0004"],
                         "Building": ["Sale Town Hall", "Waterside Arts", "Moss Lane Hall", "Brooklands Pavilion"],
                         "Street": ["Tatton Road", "Waterside", "Moss Lane", "Brooklands Road"],
                         "Tenure": ["Freehold", "Freehold", "Leasehold", "Freehold"]}, dtype=object)
    mapping = guess_mapping(list(rows.columns))
    assert "name" not in mapping
    assert find_name_by_values(rows, mapping) == "names from column 'Building': 4 distinct text values"


def test_no_column_of_names_still_asks_for_one(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "points.csv", "Postcode,Easting,Northing,Opened\nM33 7ZF,380500,390500,2001\n"
                                          "M33 4ND,380600,390600,1999\n")
    with Project.open(empty_project) as project, pytest.raises(DataError) as err:
        prepare_import(project, path)
    assert "--map name=COLUMN" in str(err.value) and "points.csv" in str(err.value)


# --- header variants ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Type of site", "Site type", "Asset type", "Category of service",
                                    "Provision type", "Facility category", "Type of building"])
def test_type_header_variants_are_the_kind(header: str) -> None:
    assert guess_mapping(["Site name", header, "Postcode"])["kind"] == header


@pytest.mark.parametrize(("field", "header"), [
    ("address", "Street"), ("address", "Address line 1"), ("address", "Address 1"), ("address", "Addr1"),
    ("address", "Building/Street"),
    ("opening_times", "Opening hours"), ("opening_times", "Open times"), ("opening_times", "Hours of opening"),
    ("opening_times", "Times open"),
    ("phone", "Contact telephone"), ("phone", "Tel no"), ("email", "Email address"), ("email", "Contact e-mail"),
    ("contact_name", "Main contact"),
])
def test_common_header_variants(field: str, header: str) -> None:
    assert guess_mapping(["Name", header, "Ward"])[field] == header


def test_header_roles() -> None:
    assert address_role("Address line 2") == pytest.approx(40.2) and address_role("ADDRESS3") == pytest.approx(40.3)
    assert address_role("Town") == 60 and address_role("Post code") is None and address_role("Ward") is None
    assert day_role("Monday") == ((0,), "") and day_role("Mon AM") == ((0,), "am")
    assert day_role("Thursday close") == ((3,), "close") and day_role("Sat_PM") == ((5,), "pm")
    assert day_role("Mon-Fri") == ((0, 1, 2, 3, 4), "") and day_role("Monday opening hours") == ((0,), "")
    assert day_role("Sunday school") is None and day_role("Monday club") is None


# --- the 13 libraries --------------------------------------------------------------------------------------

# Trafford's libraries (name, address lines, postcode, latitude, longitude) from the DCMS public libraries
# dataset as published by Trafford Council, 21 Nov 2023, via github.com/traffordDataLab/open_data
# (libraries). Open Government Licence v3.0. Laid out here as a council's semicolon-separated export.
LIBRARIES = [
    ("Altrincham Library", "2 Pott Street", "Altrincham", "WA14 1AH", 53.387055, -2.352157),
    ("Coppice Library", "Coppice Avenue", "Sale", "M33 4ND", 53.414091, -2.351126),
    ("Hale Library", "25 Cecil Road", "Hale", "WA15 9NT", 53.376032, -2.345594),
    ("Lostock Library", "Selby Road", "Stretford", "M32 9PL", 53.454859, -2.330413),
    ("Old Trafford Library at Limelight", "1 St Brides Way", "Old Trafford", "M16 9NW", 53.461415, -2.261906),
    ("Partington Library and Wellbeing Centre", "91 Central Road", "Partington", "M31 4FY", 53.417677, -2.425432),
    ("Sale Library", "Sale Waterside", "Sale", "M33 7ZF", 53.42533, -2.31987),
    ("Stretford Library", "Kingsway", "Stretford", "M32 8AP", 53.44607, -2.312512),
    ("Timperley Library", "405 Stockport Road", "Timperley", "WA15 7XR", 53.398259, -2.316245),
    ("Trafford Local Studies Centre", "Sale Waterside", "Sale", "M33 7ZF", 53.425528, -2.319808),
    ("Trafford Town Hall Library", "Ground Floor, Trafford Town Hall, Talbot Road", "Stretford", "M32 0TH",
     53.45874, -2.287278),
    ("Urmston Library", "Unit 34, Golden Way", "Urmston", "M41 0NA", 53.449577, -2.35352),
    ("Woodsend Library", "Woodsend Road", "Flixton", "M41 8GN", 53.453354, -2.393166),
]


def test_thirteen_libraries_in_a_semicolon_file_all_come_in(empty_project: Path, tmp_path: Path) -> None:
    lines = ["Location;Type of site;Address line 1;Address line 2;Post code;Ward;Latitude;Longitude"]
    for name, line1, line2, postcode, lat, lon in LIBRARIES:
        lines.append(f"{name};Local authority run library;{line1};{line2};{postcode};Trafford;{lat};{lon}")
    path = write(tmp_path / "library_sites.csv", "\r\n".join(lines) + "\r\n", "cp1252")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert (report.rows, report.imported, report.rejected, report.duplicates) == (13, 13, 0, 0)
    assert report.mapping["kind"] == "Type of site" and report.mapping["name"] == "Location"
    assets = assets_by_name(empty_project)
    assert set(assets) == {lib[0] for lib in LIBRARIES}
    assert {a["kind"] for a in assets.values()} == {"institutions/library"}
    assert assets["Urmston Library"]["address"] == "Unit 34, Golden Way, Urmston"
    assert assets["Sale Library"]["address"] == "Sale Waterside, Sale"
    assert assets["Sale Library"]["postcode"] == "M33 7ZF"


# --- address lines --------------------------------------------------------------------------------------------

def test_address_lines_join_without_blanks_repeats_or_the_postcode(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "halls.csv",
                 "Site name,Address1,Address2,Address3,Town,County,Postcode\n"
                 "Sale Lions Hall,12 High St,,Sale,Sale,Cheshire,M33 7ZF\n"      # a blank line, a repeated town
                 "Stretford Scout Hut,Unit 4,Stretford Mall,M32 9BD,Stretford,,M32 9BD\n"  # the postcode in a line
                 "Ashton Cricket Pavilion,Ashton Lane,,,,,M33 6NR\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(category="physical"))
    accounted(report)
    assert report.mapping["postcode"] == "Postcode"
    assets = assets_by_name(empty_project)
    assert assets["Sale Lions Hall"]["address"] == "12 High St, Sale, Cheshire"
    assert assets["Stretford Scout Hut"]["address"] == "Unit 4, Stretford Mall, Stretford"
    assert assets["Stretford Scout Hut"]["postcode"] == "M32 9BD"
    assert assets["Ashton Cricket Pavilion"]["address"] == "Ashton Lane"
    for asset in assets.values():  # no address part is kept again as a detail
        assert asset["details"] is None


def test_house_number_street_and_town_columns_join(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "register.csv",
                 "Property name,House number,Street,Locality,Post town,Postcode,Tenure\n"
                 "Brooklands Pavilion,12,Brooklands Road,Brooklands,Sale,M33 3SQ,Leasehold\n"
                 "Moss Lane Hall,3-5,Moss Lane,,Sale,M33 5AA,\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(category="physical"))
    accounted(report)
    assets = assets_by_name(empty_project)
    assert assets["Brooklands Pavilion"]["address"] == "12 Brooklands Road, Brooklands, Sale"
    assert assets["Moss Lane Hall"]["address"] == "3-5 Moss Lane, Sale"
    assert any(n.startswith("address joined from columns 'House number', 'Street', 'Locality', 'Post town'")
               for n in report.notes)


def test_a_whole_address_gets_its_town_column_added(tmp_path: Path, empty_project: Path) -> None:
    path = write(tmp_path / "clubs.csv", "Club,Address,Town,Postcode\n"
                                         "Sale Harriers,\"Crossford Bridge, Danefield Road\",Sale,M33 7WR\n"
                                         "Altrincham Aces,\"Oakfield Road, Altrincham\",Altrincham,WA15 8EW\n")
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="associations"))
    assets = assets_by_name(empty_project)
    assert assets["Sale Harriers"]["address"] == "Crossford Bridge, Danefield Road, Sale"
    assert assets["Altrincham Aces"]["address"] == "Oakfield Road, Altrincham"  # not "..., Altrincham, Altrincham"


def test_no_address_asked_for_joins_nothing(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "halls.csv", "Site name,Address line 1,Address line 2,Postcode\n"
                                         "Sale Lions Hall,12 High St,Sale,M33 7ZF\n")
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="physical", mapping={"address": ""}))
    asset = assets_by_name(empty_project)["Sale Lions Hall"]
    assert asset["address"] is None
    assert json.loads(asset["details"]) == {"Address line 1": "12 High St", "Address line 2": "Sale"}


# --- opening hours ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("9am - 5pm", "09:00-17:00"), ("09:00-17:00", "09:00-17:00"), ("9-5", "09:00-17:00"),
    ("9.30am-4pm", "09:30-16:00"), ("1-4pm", "13:00-16:00"), ("0900 to 1230", "09:00-12:30"),
    ("9am-12 noon", "09:00-12:00"), ("9-12, 1-4pm", "09:00-12:00, 13:00-16:00"), ("Closed", "closed"),
    ("By appointment", "By appointment"), ("", None), ("TBC", None),
])
def test_one_days_hours_are_tidied(cell: str, expected: str | None) -> None:
    assert hours_text(cell) == expected


def test_a_week_merges_consecutive_identical_days() -> None:
    day = "09:00-17:00"
    assert week_text([day, day, day, day, day, "10:00-13:00", "closed"]) == \
        "Mon-Fri 09:00-17:00; Sat 10:00-13:00; Sun closed"
    assert week_text([day, None, day, None, None, None, None]) == "Mon 09:00-17:00; Wed 09:00-17:00"
    assert week_text([None] * 7) is None


def test_a_column_per_day_becomes_opening_times(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "centres.csv",
                 "Centre,Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday,Postcode\n"
                 "Sale West Hub,9am-5pm,9am-5pm,09:00 - 17:00,9am-8pm,9am-5pm,Closed,,M33 4QJ\n"
                 "Partington Hope Centre,9.30am-4pm,9.30am-4pm,9.30am-6pm,9.30am-4pm,9.30am-1pm,closed,closed,"
                 "M31 4LT\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(category="physical"))
    accounted(report)
    assets = assets_by_name(empty_project)
    assert assets["Sale West Hub"]["opening_times"] == "Mon-Wed 09:00-17:00; Thu 09:00-20:00; Fri 09:00-17:00; " \
                                                       "Sat closed"
    assert assets["Partington Hope Centre"]["opening_times"] == \
        "Mon-Tue 09:30-16:00; Wed 09:30-18:00; Thu 09:30-16:00; Fri 09:30-13:00; Sat-Sun closed"
    assert report.mapping["opening_times"] == "Monday"
    assert all(a["details"] is None for a in assets.values())


def test_open_and_close_time_cells_in_excel(empty_project: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name of premises", "Monday open", "Monday close", "Tuesday open", "Tuesday close",
               "Saturday open", "Saturday close", "Sunday open", "Sunday close", "Post code"])
    nine, half_five = datetime.time(9, 0), datetime.time(17, 30)
    ws.append(["Boots Sale", nine, half_five, nine, half_five, datetime.time(9, 30), datetime.time(13, 0),
               "Closed", None, "M33 7ZF"])
    ws.append(["Cohens Chemist", datetime.time(8, 30), datetime.time(18, 0), datetime.time(8, 30),
               datetime.time(18, 0), None, None, None, None, "M33 7XY"])
    path = tmp_path / "pharmacies.xlsx"
    wb.save(path)
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="institutions"))
    assets = assets_by_name(empty_project)
    assert assets["Boots Sale"]["opening_times"] == "Mon-Tue 09:00-17:30; Sat 09:30-13:00; Sun closed"
    assert assets["Cohens Chemist"]["opening_times"] == "Mon-Tue 08:30-18:00"


def test_morning_and_afternoon_sessions(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "sessions.csv",
                 "Venue,Mon AM,Mon PM,Tue AM,Tue PM,Wed AM,Wed PM,Postcode\n"
                 "Woodheys Play Centre,Y,Y,Y,N,N,N,M33 3EY\n"
                 "Ashton Toddler Group,9:30-11:30,,9:30-11:30,,,1-3pm,M33 6NR\n")
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="associations"))
    assets = assets_by_name(empty_project)
    assert assets["Woodheys Play Centre"]["opening_times"] == "Mon morning, afternoon; Tue morning; Wed closed"
    assert assets["Ashton Toddler Group"]["opening_times"] == "Mon-Tue 09:30-11:30; Wed 13:00-15:00"


def test_an_opening_hours_column_wins_over_day_columns(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "hubs.csv", "Hub name,Opening hours,Monday,Tuesday,Postcode\n"
                                        "Old Trafford Hub,\"Monday to Friday, 9.30am-4pm\",9.30-4,9.30-4,M16 7GX\n")
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="physical"))
    asset = assets_by_name(empty_project)["Old Trafford Hub"]
    assert asset["opening_times"] == "Monday to Friday, 9.30am-4pm"
    assert json.loads(asset["details"]) == {"Monday": "9.30-4", "Tuesday": "9.30-4"}


def test_an_access_column_of_free_text_is_a_detail_and_one_of_features_is_accessibility(empty_project: Path,
                                                                                         tmp_path: Path) -> None:
    """A defibrillator register's "Access" says when the cabinet opens, not whether the place is step-free."""
    path = write(tmp_path / "aeds.csv",
                 "Name,Easting,Northing,Access\n"
                 "Moss Lane Community Centre,380200,390300,24/7 external cabinet\n"
                 "St Anne's Church Hall,380800,390700,Opening hours only\n")
    features = write(tmp_path / "halls.csv",
                     "Name,Easting,Northing,Access\n"
                     "Woodheys Park Pavilion,381300,390200,Step free; hearing loop\n"
                     "Ashton Lane Hall,381700,390900,wheelchair\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        import_file(project, features)
    assert "accessibility" not in report.mapping
    assert any("column 'Access' holds text rather than accessibility features" in n for n in report.notes)
    assets = assets_by_name(empty_project)
    cabinet = assets["Moss Lane Community Centre"]
    assert is_blank(cabinet["accessibility"])
    assert json.loads(cabinet["details"]) == {"Access": "24/7 external cabinet"}
    assert assets["Woodheys Park Pavilion"]["accessibility"] == "step_free, hearing_loop"
    assert assets["Ashton Lane Hall"]["accessibility"] == "step_free"
