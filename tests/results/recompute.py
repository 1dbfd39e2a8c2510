"""Recompute every figure of a published year from its open data alone.

    python recompute.py YEAR.json

Standard library only, nothing from the platform: what any reader of the open
data can write from the data dictionary. Prints each figure that differs from the
published one and exits 1 when any does.
"""

import json
import sys


def mean(pairs):
    total = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / total if pairs and total else None


def weight(weights, code):
    return float(weights.get(code, 0)) if weights else 1.0


def unit_figures(unit, d):
    """[(name, recomputed, published)] of one unit, and its recomputed index."""
    checks, elements = [], []
    for element in d["elements"]:
        rates = []
        for criterion in element["criteria"]:
            c = unit["criteria"].get(criterion["code"])
            answered = sum(c["counts"][1:]) if c else 0
            if answered:
                sat = sum(c["counts"][level] for level in d["satisfied_levels"])
                rate = 100.0 * sat / answered
                checks.append((criterion["code"], rate, c["rate"]))
                rates.append((weight(d["criterion_weights"], criterion["code"]), rate))
        value = mean(rates)
        checks.append((element["code"], value, unit["elements"][element["code"]]))
        if value is not None:
            elements.append((weight(d["element_weights"], element["code"]), value))
    index = mean(elements)
    checks.append(("index", index, unit["index"]))
    return checks, index


def recompute(document):
    d = document["definition"]
    checks, index = [], {}
    for unit in document["figures"]:
        mine, index[unit["level"], unit["code"]] = unit_figures(unit, d)
        checks += [(unit["level"], unit["code"], *check) for check in mine]
    provinces = [u for u in document["figures"] if u["level"] == "province"]
    national = sum(index["province", u["code"]] for u in provinces) / len(provinces)
    checks.append(("nation", "", "national_mean", national, document["national_mean"]))
    shown = {
        u["code"]: round(index["province", u["code"]], d["decimals"]) for u in provinces
    }
    target = document["target"]
    for u in provinces:
        code, mine = u["code"], shown[u["code"]]
        rank = 1 + sum(other > mine for other in shown.values())
        checks.append(("province", code, "rank", rank, u["rank_national"]))
        if u["region_code"]:
            peers = [
                shown[p["code"]]
                for p in provinces
                if p["region_code"] == u["region_code"]
            ]
            rank = 1 + sum(other > mine for other in peers)
            checks.append(("province", code, "region rank", rank, u["rank_region"]))
        gap = index["province", code] - national
        checks.append(("province", code, "gap", gap, u["gap_to_mean"]))
        if target is None:
            status = "no_target"
        else:
            status = "below" if index["province", code] < target else "meets"
        checks.append(("province", code, "status", status, u["status"]))
    return checks


def differs(mine, published):
    if isinstance(mine, float) or isinstance(published, float):
        return mine is None or published is None or abs(mine - published) > 1e-9
    return mine != published


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        checks = recompute(json.load(f))
    bad = [check for check in checks if differs(*check[3:])]
    for level, code, name, mine, published in bad:
        print(level, code, name, "recomputed", mine, "published", published)
    print(f"{len(checks)} figures recomputed, {len(bad)} differ")
    sys.exit(1 if bad else 0)
