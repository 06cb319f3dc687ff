"""A fictional fellowship ("Northwind Fellows") shaped like real program networks.

Pure Python, no Django: `generate()` returns plain data that `services.demo_program_seed`
writes with bulk inserts, and that `bench/` reuses to build programs of any size.

The shape follows what program networks look like in practice: ties are dense inside a
cohort (people met in the same class) and inside an organisation, thinner across cohorts
within a sector, rare across sectors; a couple of hubs know people everywhere; a few
members are isolates. The second round is denser, with most new ties crossing cohorts or
sectors — the change a weaving program hopes to see.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

SECTORS = (
    "education",
    "health",
    "environment",
    "housing",
    "philanthropy",
    "government",
    "business",
)
SECTOR_WEIGHTS = (18, 17, 15, 14, 10, 13, 13)
REGIONS = ("North Coast", "Lakeside", "Capital District", "Riverlands", "High Plains", "Southport")
ISSUE_AREAS = (
    "youth",
    "climate",
    "affordable housing",
    "public health",
    "early childhood",
    "workforce",
    "racial equity",
    "rural development",
    "immigration",
    "civic participation",
    "food systems",
    "mental health",
)
SECTOR_ISSUES = {
    "education": ("youth", "early childhood", "workforce"),
    "health": ("public health", "mental health", "food systems"),
    "environment": ("climate", "food systems", "rural development"),
    "housing": ("affordable housing", "racial equity", "civic participation"),
    "philanthropy": ("racial equity", "civic participation", "youth"),
    "government": ("civic participation", "workforce", "immigration"),
    "business": ("workforce", "climate", "rural development"),
}
ORG_WORDS = {
    "education": ("Academy", "Learning Collaborative", "School Network", "Literacy Project"),
    "health": ("Health Partners", "Community Clinic", "Wellness Alliance", "Care Network"),
    "environment": ("Watershed Trust", "Green Futures", "Land Conservancy", "Climate Lab"),
    "housing": ("Housing Coalition", "Homes Trust", "Tenant Alliance", "Neighborhood Works"),
    "philanthropy": ("Community Foundation", "Giving Circle", "Fund", "Philanthropy Hub"),
    "government": ("County Office", "City Department", "Public Service Institute", "Agency"),
    "business": ("Cooperative", "Ventures", "Trading Company", "Works"),
}
PLACE_WORDS = (
    "Northwind",
    "Riverside",
    "Cedar",
    "Harbor",
    "Summit",
    "Prairie",
    "Bayview",
    "Oakridge",
    "Maple",
    "Granite",
    "Willow",
    "Silverlake",
    "Elmwood",
    "Redstone",
    "Clearwater",
    "Pinecrest",
)
GIVEN_NAMES = (
    "Ana",
    "Ben",
    "Chiara",
    "Dmitri",
    "Esi",
    "Farah",
    "Gustavo",
    "Hana",
    "Ibrahim",
    "Jia",
    "Kofi",
    "Leila",
    "Mateo",
    "Nadia",
    "Oren",
    "Priya",
    "Quinn",
    "Rosa",
    "Samir",
    "Tamsin",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zanele",
    "Aiko",
    "Bruno",
    "Carmen",
    "Deepa",
    "Emeka",
    "Fiona",
    "Goran",
    "Helga",
    "Isabel",
    "Jonas",
    "Kalani",
    "Lucia",
    "Malik",
    "Noor",
    "Olga",
    "Pablo",
    "Rania",
    "Sione",
    "Teresa",
    "Ulrich",
    "Valeria",
    "Wanjiru",
    "Yara",
    "Zoltan",
)
FAMILY_NAMES = (
    "Abara",
    "Bergstrom",
    "Castillo",
    "Dubois",
    "Eze",
    "Fontaine",
    "Gupta",
    "Haddad",
    "Ibsen",
    "Jovanovic",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Silva",
    "Tanaka",
    "Urquhart",
    "Varga",
    "Whitaker",
    "Xu",
    "Yilmaz",
    "Zamora",
    "Achterberg",
    "Bianchi",
    "Chowdhury",
    "Delacroix",
    "Esposito",
    "Ferreira",
    "Gallagher",
    "Hoang",
    "Iyer",
    "Jansen",
    "Kariuki",
    "Lima",
    "Moreau",
    "Nieminen",
    "Osei",
    "Park",
    "Rossi",
    "Santos",
    "Thorne",
    "Ueda",
    "Vasquez",
    "Wojcik",
    "Yamada",
    "Zhou",
)
TITLES = (
    "Executive Director",
    "Program Manager",
    "Director of Operations",
    "Policy Lead",
    "Community Organizer",
    "Chief Executive",
    "Research Lead",
    "Deputy Director",
    "Development Director",
    "Founder",
)
RELATIONSHIP_TYPES = (("knows", False), ("collaborates with", False), ("seeks advice from", True))


@dataclass(frozen=True)
class DemoMember:
    name: str
    email: str
    organisation: int
    title: str
    cohort: int
    sector: str
    region: str
    issue_areas: list[str]


@dataclass(frozen=True)
class DemoTie:
    source: int  # index into DemoProgram.members
    target: int
    type: int  # index into RELATIONSHIP_TYPES
    strength: int


@dataclass
class DemoProgram:
    cohorts: list[tuple[str, int]] = field(default_factory=list)  # (name, year)
    organisations: list[tuple[str, str, str, str]] = field(default_factory=list)
    members: list[DemoMember] = field(default_factory=list)
    rounds: list[tuple[str, datetime.date]] = field(default_factory=list)
    ties: list[list[DemoTie]] = field(default_factory=list)  # one list per round


def generate(*, members: int = 120, seed: int = 0) -> DemoProgram:
    """A deterministic demo program with `members` fellows and two rounds of ties."""
    if members < 8:
        raise ValueError("A demo program needs at least 8 members.")
    rng = random.Random(seed)
    demo = DemoProgram()
    demo.cohorts = _cohorts(members)
    demo.organisations = _organisations(rng, max(7, members // 2))
    demo.members = _members(rng, members, demo.cohorts, demo.organisations)
    demo.rounds = [("Baseline", datetime.date(2024, 3, 1)), ("Year two", datetime.date(2025, 3, 1))]
    baseline = _baseline_pairs(rng, demo.members)
    year_two = _year_two_pairs(rng, demo.members, baseline)
    demo.ties = [_typed(rng, demo.members, baseline), _typed(rng, demo.members, year_two)]
    return demo


def _cohorts(members: int) -> list[tuple[str, int]]:
    count = max(4, round(members / 30))
    if count <= 8:
        return [(f"Fellows {2019 + i}", 2019 + i) for i in range(count)]
    years = [2010 + (i * 15) // count for i in range(count)]
    return [(f"Fellows {year} · group {i + 1}", year) for i, year in enumerate(years)]


def _organisations(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    organisations, seen = [], set()
    for _ in range(count):
        sector = rng.choices(SECTORS, weights=SECTOR_WEIGHTS)[0]
        base = f"{rng.choice(PLACE_WORDS)} {rng.choice(ORG_WORDS[sector])}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base} {n}"
        seen.add(name)
        size = rng.choices(("small", "medium", "large"), weights=(5, 3, 1))[0]
        organisations.append((name, sector, rng.choice(REGIONS), size))
    return organisations


def _members(rng, count, cohorts, organisations) -> list[DemoMember]:
    # Cohorts get equal shares; organisations are unevenly popular (a few send many fellows).
    cohort_of = [i % len(cohorts) for i in range(count)]
    rng.shuffle(cohort_of)
    org_weights = [rng.paretovariate(1.5) for _ in organisations]
    org_of = rng.choices(range(len(organisations)), weights=org_weights, k=count)
    members, seen_emails = [], set()
    for i in range(count):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        local = f"{given}.{family}".lower()
        email, n = f"{local}@example.org", 1
        while email in seen_emails:
            n += 1
            email = f"{local}{n}@example.org"
        seen_emails.add(email)
        org = org_of[i]
        _, sector, region, _ = organisations[org]
        own = list(SECTOR_ISSUES[sector])
        issues = sorted(set(rng.sample(own, 2) + rng.sample(ISSUE_AREAS, rng.randint(0, 1))))
        members.append(
            DemoMember(
                name=f"{given} {family}",
                email=email,
                organisation=org,
                title=rng.choice(TITLES),
                cohort=cohort_of[i],
                sector=sector,
                region=region,
                issue_areas=issues,
            )
        )
    return members


def _index(members: list[DemoMember], key) -> dict:
    groups: dict = {}
    for i, m in enumerate(members):
        groups.setdefault(key(m), []).append(i)
    return groups


def _add(pairs: set, a: int, b: int) -> None:
    if a != b:
        pairs.add((a, b) if a < b else (b, a))


def _baseline_pairs(rng: random.Random, members: list[DemoMember]) -> set[tuple[int, int]]:
    n = len(members)
    by_cohort = _index(members, lambda m: m.cohort)
    by_sector = _index(members, lambda m: m.sector)
    by_org = _index(members, lambda m: m.organisation)
    by_cohort_sector = _index(members, lambda m: (m.cohort, m.sector))
    isolates = set(rng.sample(range(n), max(2, round(n * 0.03))))
    hubs = [i for i in rng.sample(range(n), max(2, n // 60)) if i not in isolates]
    pairs: set[tuple[int, int]] = set()

    def pick(pool) -> int | None:
        j = pool[rng.randrange(len(pool))]
        return None if j in isolates else j

    everyone = range(n)
    for i, m in enumerate(members):
        if i in isolates:
            continue
        # Cohort-mates in the same sector meet most; the cohort as a whole still mixes.
        peers = by_cohort_sector[(m.cohort, m.sector)]
        draws = [
            (peers if len(peers) > 1 else by_cohort[m.cohort], _poisson(rng, 2.3)),
            (by_cohort[m.cohort], _poisson(rng, 1.5)),
            (by_sector[m.sector], _poisson(rng, 0.8)),
            (by_org[m.organisation], _poisson(rng, 0.5)),
            (everyone, _poisson(rng, 0.1)),
        ]
        for pool, k in draws:
            for _ in range(k):
                j = pick(pool)
                if j is not None:
                    _add(pairs, i, j)
    for hub in hubs:
        for _ in range(rng.randint(14, 22)):
            j = rng.randrange(n)
            if j not in isolates:
                _add(pairs, hub, j)
    return pairs


def _year_two_pairs(rng, members, baseline: set[tuple[int, int]]) -> set[tuple[int, int]]:
    # Most ties persist; new ones mostly cross cohorts and sectors (the program's doing).
    n = len(members)
    by_sector = _index(members, lambda m: m.sector)
    by_cohort = _index(members, lambda m: m.cohort)
    pairs = {p for p in sorted(baseline) if rng.random() > 0.07}
    degree = [0] * n
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    # Half of the isolates stay out of the network entirely; the others are drawn in.
    staying_out = {i for i in range(n) if degree[i] == 0 and rng.random() < 0.5}

    def add(a: int, b: int) -> None:
        if b not in staying_out:
            _add(pairs, a, b)

    for i, m in enumerate(members):
        if i in staying_out:
            continue
        for _ in range(_poisson(rng, 0.6)):
            pool = by_sector[m.sector]
            add(i, pool[rng.randrange(len(pool))])
        for _ in range(_poisson(rng, 0.55)):
            add(i, rng.randrange(n))
        for _ in range(_poisson(rng, 0.15)):
            pool = by_cohort[m.cohort]
            add(i, pool[rng.randrange(len(pool))])
    return pairs


def _typed(rng, members, pairs: set[tuple[int, int]]) -> list[DemoTie]:
    ties = []
    for a, b in sorted(pairs):
        same_cohort = members[a].cohort == members[b].cohort
        same_org = members[a].organisation == members[b].organisation
        kind = rng.choices((0, 1, 2), weights=(60, 25 + 20 * same_org, 15))[0]
        if RELATIONSHIP_TYPES[kind][1] and rng.random() < 0.5:
            a, b = b, a  # advice flows either way
        base = 3 if (same_cohort or same_org) else 2
        strength = max(1, min(5, base + rng.choice((-1, 0, 0, 1, 2))))
        ties.append(DemoTie(source=a, target=b, type=kind, strength=strength))
    return ties


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: small means only, which is all the generator uses.
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
