"""The self-inspection checklists (日管控·周排查), kept as data: a school uses the defaults.

The items follow the national 食品安全日管控检查清单 and 周排查 list of 《企业落实食品安全主体
责任监督管理规定》 (市场监管总局令第60号) as school canteens apply them. Each item's code is
stored with the answer, so a later change of wording does not rewrite old inspections.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DAILY: tuple[tuple[str, object], ...] = (
    ("staff_health", _("Staff morning check done; nobody ill or without a valid certificate")),
    ("staff_hygiene", _("Work clothes, caps and masks worn; hands washed, no jewellery")),
    ("receiving", _("Deliveries inspected, vouchers kept, from designated suppliers")),
    ("storage", _("Food stored by kind, off the floor and wall, nothing past its date")),
    ("cold_chain", _("Fridges 0–8 °C and freezers ≤ −12 °C, temperatures recorded")),
    ("raw_cooked", _("Raw and cooked kept apart in tools, containers and areas")),
    ("cooking", _("Food cooked through; cold dishes and high-risk food not served")),
    ("additives", _("Additives kept under lock, weighed and recorded (五专)")),
    ("tableware", _("Tableware cleaned and disinfected, kept in a clean cabinet")),
    ("samples", _("Every dish of every meal sampled, ≥ 125 g, in the sample fridge")),
    ("pests", _("Screens, fly killers and rat guards in place; no pests seen")),
    ("cleaning", _("Floors, drains and surfaces clean; waste bins covered")),
    ("waste", _("Kitchen waste in covered bins, collected by the licensed hauler")),
    ("accompanied", _("A school leader accompanied the meal")),
)

WEEKLY: tuple[tuple[str, object], ...] = (
    ("licences", _("Canteen licence and suppliers' licences valid")),
    ("certificates", _("Every staff member's health certificate valid")),
    ("daily_findings", _("This week's daily findings corrected")),
    ("stock_dates", _("Stock checked for expiry; nothing past its date")),
    ("equipment", _("Fridges, disinfection and sample equipment working")),
    ("pest_control", _("Pest control checked and recorded")),
    ("training", _("Staff trained on this week's food-safety points")),
    ("emergency", _("Incident plan known; emergency contacts up to date")),
)

CHECKLISTS = {"daily": DAILY, "weekly": WEEKLY}


def item_label(kind: str, code: str) -> str:
    return str(dict(CHECKLISTS.get(kind, ())).get(code, code))
