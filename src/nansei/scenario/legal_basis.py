"""The public basis of every cell of the built-in authority sets.

One :class:`Basis` per gated action and authority set says which situations permit the
action, the rule behind it, its public source and a confidence grade (A official text or
record, B press or a mirror of an official text, C an assumption or interpretation of this
model). ``tests/test_legal_basis.py`` checks that the situations listed here are exactly the
ones the sets in :mod:`nansei.scenario.legal` permit, and ``scripts/gen_legal_table.py``
writes the table of ``docs/model.md`` from this module (checked to be current).
"""

from __future__ import annotations

from dataclasses import dataclass

from nansei.scenario.legal import BUILTIN_AUTHORITIES, SITUATIONS

__all__ = ["BASIS", "SOURCES", "Basis", "basis_for", "permitted_situations"]

#: Short names of the public sources, with their addresses.
SOURCES: dict[str, str] = {
    "IIS Act": "重要影響事態法 (Act No. 60 of 1999 as amended 2015), "
    "https://laws.e-gov.go.jp/law/411AC0000000060",
    "Kotobank IIS": "Kotobank 重要影響事態 https://kotobank.jp/word/"
    "%E9%87%8D%E8%A6%81%E5%BD%B1%E9%9F%BF%E4%BA%8B%E6%85%8B-1712514",
    "Sankei 2015": "Sankei 2015-09-18 https://www.sankeibiz.jp/express/news/150918/"
    "exa1509180800003-n2.htm",
    "psaj": "Public statement on the 2015 bills (一体化, 現に戦闘行為が行われている現場) "
    "https://psaj.org/100points42",
    "US Forces Measures Act": "米軍等行動関連措置法 (Act No. 113 of 2004) art. 10, "
    "https://laws.e-gov.go.jp/law/416AC0000000113 ; mirror read: https://iuris.jp/ "
    "(art. 10: goods incl. ammunition, not weapons; services by forces ordered out, or with "
    "the PM's approval; no combat-site clause)",
    "Kotobank USFMA": "Kotobank 米軍行動円滑化法 https://kotobank.jp/word/"
    "%E7%B1%B3%E8%BB%8D%E8%A1%8C%E5%8B%95%E5%86%86%E6%BB%91%E5%8C%96%E6%B3%95-1590284",
    "MOD WP 2024": "MOD white paper 2024, 事態対処法 definitions http://www.clearing.mod.go.jp/"
    "hakusho_data/2024/html/n250202000.html",
    "Civil Protection Act": "国民保護法 (Act No. 112 of 2004) arts. 1-2, 52-54, "
    "https://www.japaneselawtranslation.go.jp/ja/laws/download/5049/08/"
    "h16Aa001120204en17.0_r5A36.txt ; FDMA white paper H22 "
    "https://www.fdma.go.jp/publication/hakusho/h22/3/1931.html",
    "Shugiin 2025": "Shugiin written answer 2025-06 https://www.shugiin.go.jp/internet/"
    "itdb_shitsumon.nsf/html/shitsumon/a217301.htm",
    "Exchange of notes 1960": "Kishi-Herter exchange of notes, 19 Jan 1960 (prior "
    "consultation on combat operations from Japan 'other than those conducted under Article "
    "V') https://books.google.co.kr/books?id=x2focabT9JcC&pg=PA821 ; USFJ compilation "
    "https://www.cia.gov/readingroom/document/cia-rdp07-00469r000100950001-2",
    "Diet 2021-04-27": "House of Councillors, Foreign Affairs and Defense Committee, "
    "2021-04-27 (MOFA: Article V operations are outside prior consultation) "
    "http://kokalog.net/search.html?speech=%22%E6%88%A6%E9%97%98%E4%BD%9C%E6%88%A6%E8%A1%8C"
    "%E5%8B%95%22",
    "Answer 2017-05-16": "Cabinet written answer 193-97, 2017-05-16 (yes or no decided "
    "autonomously, case by case) https://www.sangiin.go.jp/japanese/joho1/kousei/syuisyo/193/"
    "touh/t193097.htm",
    "SOFA": "US-Japan SOFA art. II(4)(b) (joint use of SDF facilities); model assumption",
    "Kyodo 2021": "Kyodo 2021-12-24 (the plan 'would need legal changes'; none named)",
}


@dataclass(frozen=True)
class Basis:
    """Why ``action`` is permitted in ``situations`` (and in no other) under ``authority``."""

    authority: str
    action: str
    situations: tuple[str, ...]
    rule: str
    sources: tuple[str, ...]
    grade: str


_IIS_ON = SITUATIONS[SITUATIONS.index("important_influence") :]
_SUPPLY_RULE = (
    "IIS: rear-area support to US forces (supply incl. ammunition since 2015, fuel, "
    "transport; no weapons); (anticipated) armed attack and survival-threatening: measures "
    "for US forces acting under the treaty. Peacetime: not modelled (C)."
)

_LAW_2021 = (
    Basis(
        "law-2021",
        "sdf_supply_ammunition",
        _IIS_ON,
        _SUPPLY_RULE,
        ("IIS Act", "Kotobank IIS", "Sankei 2015", "US Forces Measures Act"),
        "B",
    ),
    Basis(
        "law-2021",
        "sdf_supply_fuel",
        _IIS_ON,
        _SUPPLY_RULE,
        ("IIS Act", "Kotobank IIS", "US Forces Measures Act"),
        "B",
    ),
    Basis(
        "law-2021",
        "sdf_transport",
        _IIS_ON,
        _SUPPLY_RULE,
        ("IIS Act", "Kotobank IIS", "US Forces Measures Act"),
        "B",
    ),
    Basis(
        "law-2021",
        "sdf_logistics_in_combat_zone",
        ("armed_attack", "survival_threatening"),
        "IIS: not 'where combat is actually taking place' (現に戦闘行為が行われている現場, the "
        "2015 wording; before 2015 only in a 'rear area' where no combat was expected at all); "
        "the SDF suspends or withdraws. Armed attack, survival-threatening: Japan itself uses "
        "force and art. 10 of the US Forces Measures Act has no combat-site clause. "
        "Anticipated: no use of force yet, so the IIS restriction is kept (interpretation, C).",
        ("IIS Act", "Kotobank IIS", "psaj", "US Forces Measures Act"),
        "B (anticipated: C)",
    ),
    Basis(
        "law-2021",
        "us_fires_from_japan",
        _IIS_ON,
        "Not a Japanese situation-law permission: US combat operations from bases in Japan "
        "need prior consultation (modelled by legal.prior_consultation), except Article V "
        "operations once Japan is attacked (the model waives consultation when the armed "
        "attack situation permits the fires). That Japan would consent only from the IIS on "
        "is an assumption.",
        ("Exchange of notes 1960", "Diet 2021-04-27", "Answer 2017-05-16"),
        "A (IIS threshold: C)",
    ),
    Basis(
        "law-2021",
        "sdf_use_of_force",
        ("armed_attack", "survival_threatening"),
        "Defence operations with the use of force: armed attack situation (individual) and "
        "survival-threatening situation (collective self-defence); none in the IIS or the "
        "anticipated situation.",
        ("MOD WP 2024",),
        "A",
    ),
    Basis(
        "law-2021",
        "evacuation_order",
        ("anticipated_armed_attack", "armed_attack"),
        "Civil Protection Act measures apply in 武力攻撃事態等 (armed attack and anticipated "
        "armed attack situations), not in the IIS or the survival-threatening situation alone.",
        ("Civil Protection Act", "Shugiin 2025", "MOD WP 2024"),
        "A",
    ),
    Basis(
        "law-2021",
        "us_temporary_bases",
        _IIS_ON,
        "Temporary sites outside US facilities (joint use of SDF facilities) assumed possible "
        "from the IIS on.",
        ("SOFA",),
        "C",
    ),
)

_AMENDED_CHANGES = (
    Basis(
        "amended",
        "sdf_logistics_in_combat_zone",
        _IIS_ON,
        "CHANGE: SDF logistics continue where combat is taking place from the IIS on (no "
        "suspension or withdrawal). The plan is reported to need 'legal changes'; none is "
        "named, so this change is an assumption.",
        ("Kyodo 2021",),
        "C",
    ),
)


def _amended() -> tuple[Basis, ...]:
    changed = {b.action for b in _AMENDED_CHANGES}
    same = tuple(
        Basis("amended", b.action, b.situations, b.rule, b.sources, b.grade)
        for b in _LAW_2021
        if b.action not in changed
    )
    return same + _AMENDED_CHANGES


#: Every cell's basis, per built-in authority set (one row per action).
BASIS: tuple[Basis, ...] = _LAW_2021 + _amended()


def basis_for(authority: str, action: str) -> Basis:
    """The basis of ``action`` under the built-in set ``authority``."""
    for b in BASIS:
        if b.authority == authority and b.action == action:
            return b
    raise KeyError(f"no basis for {action!r} under {authority!r}")


def permitted_situations(authority: str, action: str) -> tuple[str, ...]:
    """Situations that permit ``action`` in the built-in set, in escalation order."""
    permits = BUILTIN_AUTHORITIES[authority].permits
    return tuple(s for s in SITUATIONS if action in permits.get(s, ()))
