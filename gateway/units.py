"""The bureau's police units: departments × jurisdictions, as configured in `config/units.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gateway.config import DEFAULT_CONFIG_DIR, read_toml


@dataclass(frozen=True)
class Department:
    code: str
    name_zh: str
    name_en: str
    only_city: bool = False


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name_zh: str
    name_en: str
    unit_prefix_zh: str
    unit_prefix_en: str


@dataclass(frozen=True)
class Unit:
    code: str
    department: str
    jurisdiction: str
    name_zh: str
    name_en: str
    duty_number: str | None = None

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


@dataclass(frozen=True)
class Bureau:
    name_zh: str
    name_en: str
    hotline: str
    case_prefix: str
    timezone: str
    default_region: str


def unit_code(department: str, jurisdiction: str) -> str:
    return f"{jurisdiction}.{department}"


@dataclass(frozen=True)
class Units:
    bureau: Bureau
    departments: dict[str, Department]
    jurisdictions: dict[str, Jurisdiction]
    units: dict[str, Unit] = field(default_factory=dict)
    city_supervisor: str = "city.inspection"
    county_supervisor_jurisdiction: str = "city"

    def unit_for(self, department: str, jurisdiction: str) -> Unit:
        """The unit that handles `department` in `jurisdiction`.

        Departments that exist only at the city bureau (inspection) ignore the jurisdiction:
        that is what keeps a complaint about officers away from the unit complained about.
        """
        if department not in self.departments:
            raise KeyError(f"unknown department {department!r}")
        if jurisdiction not in self.jurisdictions:
            raise KeyError(f"unknown jurisdiction {jurisdiction!r}")
        if self.departments[department].only_city:
            jurisdiction = "city"
        return self.units[unit_code(department, jurisdiction)]

    def get(self, code: str) -> Unit | None:
        return self.units.get(code)

    def supervisor_of(self, code: str) -> Unit:
        """Where escalations (督办) of `code`'s cases go."""
        unit = self.units[code]
        if unit.jurisdiction != self.county_supervisor_jurisdiction:
            return self.unit_for(unit.department, self.county_supervisor_jurisdiction)
        return self.units[self.city_supervisor]


def load_units(config_dir: Path | str = DEFAULT_CONFIG_DIR) -> Units:
    raw = read_toml(config_dir, "units.toml")
    b = raw["bureau"]
    bureau = Bureau(
        name_zh=b["name_zh"],
        name_en=b["name_en"],
        hotline=str(b["hotline"]),
        case_prefix=b["case_prefix"],
        timezone=b["timezone"],
        default_region=b.get("default_region", "CN"),
    )
    departments = {
        code: Department(code, d["name_zh"], d["name_en"], bool(d.get("only_city", False)))
        for code, d in raw["departments"].items()
    }
    jurisdictions = {
        code: Jurisdiction(code, j["name_zh"], j["name_en"], j["unit_prefix_zh"], j["unit_prefix_en"])
        for code, j in raw["jurisdictions"].items()
    }
    duty = raw.get("duty_numbers", {})
    units: dict[str, Unit] = {}
    for dep in departments.values():
        for jur in jurisdictions.values():
            if dep.only_city and jur.code != "city":
                continue
            code = unit_code(dep.code, jur.code)
            units[code] = Unit(
                code=code,
                department=dep.code,
                jurisdiction=jur.code,
                name_zh=f"{jur.unit_prefix_zh}{dep.name_zh}",
                name_en=f"{jur.unit_prefix_en} {dep.name_en}",
                duty_number=duty.get(code) or None,
            )
    esc = raw.get("escalation", {})
    return Units(
        bureau=bureau,
        departments=departments,
        jurisdictions=jurisdictions,
        units=units,
        city_supervisor=esc.get("city_supervisor", "city.inspection"),
        county_supervisor_jurisdiction=esc.get("county_supervisor", "city"),
    )


@lru_cache(maxsize=8)
def cached_units(config_dir: str) -> Units:
    return load_units(config_dir)
