"""A synthetic corpus of any size, in whosaid's own schema, for the read-path benchmarks (benchmarks/http_bench.py).

    WHOSAID_DATABASE_URL=sqlite:////tmp/w300k.db python benchmarks/gen_corpus.py --quotes 300000
    python benchmarks/gen_corpus.py --quotes 1000000 --db /tmp/w1m.db

Shape (scaled from 300k quotes = 20k articles, 5k speakers): one article per 15 quotes, one speaker per 60
quotes, drawn with a Zipf distribution (s=1: the most quoted speaker says ~11% of everything, ~33k quotes at
300k), 40 outlets, dates over three years. Quotes are 10-60 words from a Zipf-distributed vocabulary (English
function words, common news words, then made-up words), so some words are in most quotes and most words are
rare. A third of the speeches and fragments repeat an earlier statement of the same speaker (word for word or
with one word changed), so utterances carry several quotes from several outlets.

Every table the read endpoints use is filled consistently: outlets, articles whose text holds every quote at
[start:end] and every speaker mention at its offsets, person and organisation entities with aliases (their
names as `?speaker=` looks them up), mentions, per-article roles, quotes, utterances with their content-stem
index (utterancekey, the keys /verify looks up), and the FTS index, kept by the triggers the migrations
create. The schema comes from the Alembic migrations (app.db.upgrade_database); rows go in with Core
executemany inserts in one transaction. Generation is deterministic for a given --seed.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from app.db import make_engine, upgrade_database  # noqa: E402
from app.models import (  # noqa: E402
    Alias,
    Article,
    Entity,
    EntityRole,
    Mention,
    Outlet,
    Quote,
    Utterance,
    UtteranceKey,
)
from app.pipeline.names import alias_norm, name_key  # noqa: E402
from app.pipeline.utterances import STOPWORDS, signature  # noqa: E402

QUOTES_PER_ARTICLE = 15
QUOTES_PER_SPEAKER = 60
OUTLETS = 40
START_DAY = date(2021, 1, 1)
DAYS = 3 * 365
REPEAT_SHARE = 0.33          # speeches/fragments that restate an earlier statement of the same speaker
VARIANT_SHARE = 0.3          # of those, restated with one word changed
KINDS = (("speech", 0.60), ("fragment", 0.10), ("indirect", 0.25), ("unattributed", 0.05))
BATCH_ARTICLES = 2000        # articles generated and written per executemany batch
EXTRACTOR = "gen_corpus"

FIRST_NAMES = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra
Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George
Melissa Timothy Deborah Ronald Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary
Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen
Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack
Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce Henry Virginia Douglas
Victoria Zachary Kelly Peter Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan Christian Andrea
Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison
Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Joe Judy Bruce Sophia Gabriel Grace
Logan Denise Albert Amber Willie Doris Alan Marilyn Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa Roy
Diana Vincent Natalie Ralph Brittany Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori""".split()
SURNAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood
James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan
Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran
Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder
Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold
Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley
Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke Larson Santiago
Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs Obrien Lynch Singh Vega Bishop Montgomery
Oliver Jensen Harvey Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller
Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia
Davidson Acosta Brewer May Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa
Keller Avila Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala
Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris Jennings Watts Duran
Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt Deleon Barker Terry Hale Leon Hail Benson Haynes Horton
Miles Lyons Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy
Love Robles Cervantes Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon Velasquez Hardy Higgins
Aguirre Lin Cummings Chandler Sharp Barber Bowen Ochoa Dennis Robbins Liu Ramsey Francis Griffith Paul Blair Oconnor
Cardenas Pacheco Cross Calderon Quinn Moss Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales Stevenson
Christensen Manning Gill Curry McLaughlin Harmon McGee Gross Doyle Garner Newton Burgess Reese Walton Blake Trujillo
Adkins Brady Goodman Roman Webster Goodwin Fischer Huang Potter Delacruz Montoya Todd Wu Hines Mullins Castaneda Malone
Cannon Tate Mack Sherman Hubbard Hodges Zhang Guerra Wolf Valencia Saunders Franco Rowe Gallagher Farmer Hammond
Hampton Townsend Ingram Wise Gallegos Clarke Barton Schroeder Maxwell Waters Logan Camacho Strickland Norman Person
Colon Parsons Frank Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra Ball Tyler Suarez Bowers Orozco Salas
Cobb Gibbs Andrade Bauer Conner Moody Escobar McGuire Lloyd Mueller Hartman French Kramer McBride Pope Lindsey Velazquez
Norton McCormick Sparks Flynn Yates Hogan Marsh Macias Villanueva Zamora Pratt Stokes Owen Ballard Lang Brock Villarreal
Charles Drake Barrera Cain Patrick Pineda Burnett Mercado Santana Shepherd Bautista Ali Shaffer Lamb Trevino McKenzie
Hess Beil Olsen Cochran Morton Nash Wilkins Petersen Briggs Shah Roth Nicholson Holloway Lozano Rangel Flowers Hoover
Short Arias Mora Valenzuela Bryan Meyers Weiss Underwood Bass Greer Summers Houston Carson Morrow Clayton Whitaker
Decker Yoder Collier Zuniga Carey Wilcox Melendez Poole Roberson Larsen Conley Davenport Copeland Massey Lam Huff
Rocha Cameron Jefferson Hood Monroe Anthony Pittman Huynh Randall Singleton Kirk Combs Mathis Christian Skinner Bradford
Richard Galvan Wall Boone Kirby Wilkinson Bridges Bruce Atkinson Velez Meza Roy Vincent York Hodge Villa Abbott Allison
Tapia Gates Chase Sosa Sweeney Farrell Wyatt Dalton Horn Barron Phelps Yu Dickerson Heath Foley Atkins Mathews Bonilla
Acevedo Benitez Zavala Hensley Glenn Cisneros Harrell Shields Rubio Huffman Choi Boyer Garrison Arroyo Bond Kane Hancock
Callahan Dillon Cline Wiggins Grimes Arellano Melton Oneill Savage Ho Beltran Pitts Parrish Ponce Rich Booth Koch Golden
Ware Brennan McDowell Marks Cantu Humphrey Baxter Sawyer Clay Tanner Hutchinson Kaur Berg Wiley Gilmore Russo Villegas
Hobbs Keith Wilkerson Ahmed Beard McClain Montes Mata Rosario Vang Walter Henson Oneal Mosley McClure Beasley Stephenson
Snow Huerta Preston Vance Barry Johns Eaton Blackwell Dyer Prince Macdonald Solomon Guevara Stafford English Hurst Woodard
Cortes Shannon Kemp Nolan McCullough Merritt Murillo Moon Salgado Strong Kline Cordova Barajas Roach Rosas Winters
Jacobson Lester Knox Bullock Kerr Leach Meadows Orr Davila Whitehead Pruitt Kent Conway McKee Barr David Dejesus
Marin Berger McIntyre Blankenship Gaines Palacios Cuevas Bartlett Durham Dorsey McCall Odonnell Stein Browning Stout
Lowery Sloan McLean Hendricks Calhoun Sexton Chung Gentry Hull Duarte Ellison Nielsen Gillespie Buck Middleton Sellers
Leblanc Esparza Hardin Bradshaw McIntosh Howe Livingston Frost Glass Morse Knapp Herman Stark Bravo Noble Spears Weeks
Corona Frederick Buckley McFarland Hebert Enriquez Hickman Quintero Randolph Schaefer Walls Trejo House Reilly Pennington
Michael Conrad Giles Benjamin Crosby Fitzpatrick Donovan Mays Mahoney Valentine Raymond Medrano Hahn McMillan Small
Bentley Felix Peck Lucero Boyle Hanna Pace Rush Hurley Harding McConnell Bernal Nava Ayers Everett Ventura Avery Pugh
Mayer Bender Shepard McMahon Landry Case Sampson Moses Magana Blackburn Dunlap Gould Duffy Vaughan Herring McKay
Espinosa Rivers Farley Bernard Ashley Friedman Potts Truong Costa Correa Blevins Nixon Clements Fry Delarosa Best Benton
Lugo Portillo Dougherty Crane Haley Phan Villalobos Blanchard Horne Finley Quintana Lynn Esquivel Bean Dodson Mullen
Xiong Hayden Cano Levy Huber Richmond Moyer Lim Frye Sheppard McCarty Avalos Booker Waller Parra Woodward Jaramillo
Krueger Rasmussen Brandt Peralta Donaldson Stuart Faulkner Maynard Galindo Coffey Estes Sanford Burch Maddox Vo Oconnell
Vu Andersen Spence McPherson Church Schmitt Stanton Leal Cherry Compton Dudley Sierra Pollard Alfaro Hester Proctor Lu
Hinton Novak Good Madden McCann Terrell Jarvis Dickson Reyna Cantrell Mayo Branch Hendrix Rollins Rowland Whitney Duke
Odom Daugherty Travis Tang Archer""".split()
ORG_WORDS = ("Ministry of Finance", "Ministry of Defence", "Central Bank", "Supreme Court", "Election Commission",
             "Health Agency", "Energy Board", "Trade Council", "Port Authority", "Police Service", "Union of Workers",
             "Chamber of Commerce", "National Assembly", "Foreign Office", "Statistics Office", "Red Cross")
ROLES = ("minister", "spokesperson", "senator", "governor", "mayor", "chief executive", "chairman", "ambassador",
         "economist", "professor", "analyst", "general")
PLACES = ("Arlen", "Brisk", "Corvia", "Dalmar", "Estoria", "Fenwick", "Galdor", "Hestia", "Ilvan", "Jorvik")
NEWS_WORDS = """government people year country war president security economy minister party election police state
policy week time public court plan support law report month military force city health trade market price energy
crisis talks deal power vote leader budget tax workers business company bank region border peace money children
family water food system women rights attack group war troops defence foreign national local community service
schools hospital future history reform growth jobs inflation interest rates sanctions agreement council members
officials process decision action issue question problem future situation change development control freedom
justice democracy country nation world europe pressure strategy challenge response responsibility opportunity
""".split()
SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go ka ke ki ko la le li lo lu ma me "
             "mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo "
             "bar bel cor dan del fer gan hal ker lan mar nor par ren sel tan ver win").split()


def build_vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words and Zipf cumulative weights: function words first (in most quotes), then news words, then made-up
    words for the long tail."""
    function = [w for w in sorted(STOPWORDS) if w not in {"said", "say", "says", "saying", "told", "tell", "added",
                                                           "adding", "mr", "mrs", "ms"}]
    rng.shuffle(function)
    words = function + list(dict.fromkeys(NEWS_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    cumulative = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(words))))
    return words, cumulative


@dataclass(slots=True)
class Statement:
    utterance_id: int
    text: str


@dataclass(slots=True)
class UtteranceAcc:
    speaker_id: int
    canonical: str
    quotes: int = 0
    outlets: set = field(default_factory=set)
    first: date | None = None
    last: date | None = None
    first_outlet: int | None = None
    wordings: set = field(default_factory=set)


@dataclass(slots=True)
class Person:
    id: int
    name: str
    role: str | None
    affiliation: str | None


class Generator:
    def __init__(self, n_quotes: int, n_articles: int, n_speakers: int, seed: int, zipf: float) -> None:
        self.rng = random.Random(seed)
        self.n_quotes, self.n_articles, self.n_speakers = n_quotes, n_articles, n_speakers
        self.words, self.word_cum = build_vocabulary(self.rng)
        self.people = self._people(n_speakers)
        self.speaker_cum = list(itertools.accumulate(1 / (rank + 1) ** zipf for rank in range(n_speakers)))
        self.orgs = [(n_speakers + 1 + i, name) for i, name in enumerate(self._org_names(max(4, n_speakers // 20)))]
        self.statements: dict[int, list[Statement]] = {}
        self.utterances: dict[int, UtteranceAcc] = {}
        self.next_quote_id = 1
        self.next_utterance_id = 1
        self.next_mention_id = 1
        self.next_role_id = 1

    # ---------- entities ----------

    def _people(self, n: int) -> list[Person]:
        pairs = [(f, s) for f in dict.fromkeys(FIRST_NAMES) for s in dict.fromkeys(SURNAMES)]
        if n > len(pairs):
            raise SystemExit(f"at most {len(pairs)} speakers can get distinct names")
        chosen = self.rng.sample(pairs, n)
        people = []
        for i, (first, last) in enumerate(chosen, 1):
            role = self.rng.choice(ROLES) if self.rng.random() < 0.6 else None
            affiliation = self.rng.choice(PLACES) if role else None
            people.append(Person(i, f"{first} {last}", role, affiliation))
        return people

    def _org_names(self, n: int) -> list[str]:
        names = [f"{place} {org}" for org in ORG_WORDS for place in PLACES]
        self.rng.shuffle(names)
        return names[:n] if n <= len(names) else names + [f"Agency {i}" for i in range(n - len(names))]

    def entity_rows(self) -> tuple[list[dict], list[dict]]:
        entities, aliases = [], []
        for p in self.people:
            entities.append({"id": p.id, "kind": "person", "name": p.name, "role": p.role,
                             "affiliation": p.affiliation, "key": name_key(p.name, "person")})
            for form in (p.name, p.name.split()[-1]):
                aliases.append({"entity_id": p.id, "text": form, "norm": alias_norm(form)})
        for ident, name in self.orgs:
            entities.append({"id": ident, "kind": "organization", "name": name, "role": None, "affiliation": None,
                             "key": name_key(name, "organization")})
            aliases.append({"entity_id": ident, "text": name, "norm": alias_norm(name)})
        return entities, aliases

    # ---------- text ----------

    def sentence_words(self, low: int = 10, high: int = 60) -> str:
        words = self.rng.choices(self.words, cum_weights=self.word_cum, k=self.rng.randint(low, high))
        words[0] = words[0].capitalize()
        return " ".join(words)

    def pick_kind(self) -> str:
        roll, acc = self.rng.random(), 0.0
        for kind, share in KINDS:
            acc += share
            if roll < acc:
                return kind
        return KINDS[-1][0]

    def quote_text(self, speaker: int, kind: str) -> tuple[str, int | None]:
        """The quoted words and, for speeches and fragments, the statement (utterance) they render."""
        if kind not in ("speech", "fragment"):
            return self.sentence_words(), None
        said = self.statements.setdefault(speaker, [])
        if said and self.rng.random() < REPEAT_SHARE:
            earlier = said[-1 - min(len(said) - 1, int(self.rng.expovariate(0.2)))]
            words = earlier.text.split()
            if self.rng.random() < VARIANT_SHARE and len(words) > 5:
                words[self.rng.randrange(1, len(words))] = self.rng.choices(self.words, cum_weights=self.word_cum)[0]
            return " ".join(words), earlier.utterance_id
        wording = self.sentence_words()
        uid = self.next_utterance_id
        self.next_utterance_id += 1
        said.append(Statement(uid, wording))
        self.utterances[uid] = UtteranceAcc(speaker_id=self.people[speaker].id, canonical=wording)
        return wording, uid

    # ---------- one article ----------

    def article(self, article_id: int, published: date, outlet_id: int, n_quotes: int, rows: dict) -> None:
        parts: list[str] = []
        offset = 0

        def add(piece: str) -> int:
            nonlocal offset
            start = offset
            parts.append(piece)
            offset += len(piece)
            return start

        title = self.sentence_words(5, 10)
        add(title + "\n\n")
        roles_stated: set[int] = set()
        speakers = [bisect.bisect_left(self.speaker_cum, self.rng.random() * self.speaker_cum[-1])
                    for _ in range(n_quotes)]
        for speaker in speakers:
            kind = self.pick_kind()
            body, uid = self.quote_text(speaker, kind)
            person = self.people[speaker]
            speaker_id = None if kind == "unattributed" else person.id
            quote_id = self.next_quote_id
            self.next_quote_id += 1
            if kind == "unattributed":
                sentence_start = add("")
                start = add(f"“{body}”") + 1
                sentence = f"“{body}”"
                add(" ")
                mention = None
            elif kind == "indirect":
                sentence_start = add("")
                name_start = add(person.name)
                add(" said that ")
                start = add(body)
                add(". ")
                sentence = f"{person.name} said that {body}."
                mention = (name_start, person.name)
            else:
                sentence_start = add("“")
                start = add(body)
                add(",” said ")
                name_start = add(person.name)
                add(". ")
                sentence = f"“{body},” said {person.name}."
                mention = (name_start, person.name)
            del sentence_start
            if mention is not None:
                m_start, m_text = mention
                rows["mention"].append({"id": self.next_mention_id, "entity_id": person.id,
                                        "article_id": article_id, "start": m_start, "end": m_start + len(m_text),
                                        "text": m_text})
                self.next_mention_id += 1
                if person.role and person.id not in roles_stated and self.rng.random() < 0.3:
                    roles_stated.add(person.id)
                    rows["entity_role"].append({
                        "id": self.next_role_id, "entity_id": person.id, "article_id": article_id,
                        "role": person.role, "affiliation": person.affiliation, "mention_start": m_start,
                        "mention_end": m_start + len(m_text), "mention_text": m_text})
                    self.next_role_id += 1
            rows["quote"].append({
                "id": quote_id, "article_id": article_id, "speaker_id": speaker_id, "outlet_id": outlet_id,
                "published": published, "text": body, "kind": kind, "start": start, "end": start + len(body),
                "cue": None if kind == "unattributed" else "said",
                "speaker_text": mention[1] if mention else None,
                "speaker_start": mention[0] if mention else None,
                "speaker_end": mention[0] + len(mention[1]) if mention else None,
                "sentence": sentence, "where_said": None, "extractor_version": EXTRACTOR, "utterance_id": uid})
            if uid is not None:
                acc = self.utterances[uid]
                acc.quotes += 1
                acc.outlets.add(outlet_id)
                acc.wordings.add(body)
                if acc.first is None or published < acc.first:
                    acc.first, acc.first_outlet = published, outlet_id
                if acc.last is None or published > acc.last:
                    acc.last = published
            if self.rng.random() < 0.1:
                org_id, org_name = self.rng.choice(self.orgs)
                add("The ")
                o_start = add(org_name)
                add(" declined to comment. ")
                rows["mention"].append({"id": self.next_mention_id, "entity_id": org_id, "article_id": article_id,
                                        "start": o_start, "end": o_start + len(org_name), "text": org_name})
                self.next_mention_id += 1
        body_text = "".join(parts)
        rows["article"].append({
            "id": article_id, "title": title, "url": f"https://outlet{outlet_id}.example/{article_id}",
            "published": published, "language": "en", "outlet_id": outlet_id, "text": body_text,
            "content_hash": hashlib.sha256(body_text.encode()).hexdigest(), "source_file": None,
            "extractor_version": EXTRACTOR, "ingested_at": datetime(2024, 1, 1, tzinfo=timezone.utc)})

    def utterance_rows(self) -> tuple[list[dict], list[dict]]:
        utterances, keys = [], []
        for uid, acc in self.utterances.items():
            if acc.quotes == 0:
                continue
            utterances.append({"id": uid, "speaker_id": acc.speaker_id, "canonical_text": acc.canonical,
                               "n_quotes": acc.quotes, "n_outlets": len(acc.outlets), "first_published": acc.first,
                               "last_published": acc.last, "first_outlet_id": acc.first_outlet})
            stems = set().union(*(signature(w).content for w in acc.wordings))
            keys.extend({"utterance_id": uid, "key": k, "speaker_id": acc.speaker_id} for k in sorted(stems))
        return utterances, keys


def quotes_per_article(rng: random.Random, n_quotes: int, n_articles: int) -> list[int]:
    """Article sizes around QUOTES_PER_ARTICLE (at least 1) that add up to n_quotes exactly."""
    sizes = [1] * n_articles
    for _ in range(n_quotes - n_articles):
        sizes[rng.randrange(n_articles)] += 1
    return sizes


def generate(url: str, n_quotes: int, n_articles: int | None = None, n_speakers: int | None = None, seed: int = 7,
             zipf: float = 1.0, progress=print) -> dict[str, int]:
    """Fill an empty database at `url` (migrated to head first); returns row counts."""
    n_articles = n_articles or max(1, round(n_quotes / QUOTES_PER_ARTICLE))
    n_speakers = n_speakers or max(2, round(n_quotes / QUOTES_PER_SPEAKER))
    if n_articles > n_quotes:
        raise SystemExit("--articles cannot exceed --quotes (every article holds at least one quote)")
    upgrade_database(url)
    gen = Generator(n_quotes, n_articles, n_speakers, seed, zipf)
    engine = make_engine(url, foreign_keys=False)   # utterances are written last, once their counts are known
    tables = {t.__tablename__: t.__table__ for t in (Article, Mention, EntityRole, Quote)}
    counts = dict.fromkeys(("outlet", "entity", "alias", "article", "mention", "entity_role", "quote", "utterance",
                            "utterancekey"), 0)
    started = time.perf_counter()
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM quote")).scalar():
            raise SystemExit(f"{url} already holds quotes: generate into a new database file")
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        papers = ("Times", "Herald", "Post", "Courier")
        outlets = [{"id": i, "name": f"The {PLACES[i % len(PLACES)]} {papers[(i - 1) // len(PLACES) % len(papers)]}",
                    "domain": f"outlet{i}.example"} for i in range(1, OUTLETS + 1)]
        conn.execute(insert(Outlet.__table__), outlets)
        entities, aliases = gen.entity_rows()
        conn.execute(insert(Entity.__table__), entities)
        conn.execute(insert(Alias.__table__), aliases)
        counts.update(outlet=len(outlets), entity=len(entities), alias=len(aliases))

        rng = gen.rng
        sizes = quotes_per_article(rng, n_quotes, n_articles)
        days = sorted(rng.randrange(DAYS) for _ in range(n_articles))   # statements are repeated later, not earlier
        outlet_cum = list(itertools.accumulate(1 / (i + 3) for i in range(OUTLETS)))
        # article ids in an order unrelated to dates, as when archives are ingested out of order
        ids = list(range(1, n_articles + 1))
        rng.shuffle(ids)
        rows: dict[str, list] = {name: [] for name in tables}
        for n, (article_id, day, size) in enumerate(zip(ids, days, sizes), 1):
            outlet_id = 1 + bisect.bisect_left(outlet_cum, rng.random() * outlet_cum[-1])
            gen.article(article_id, START_DAY + timedelta(days=day), outlet_id, size, rows)
            if n % BATCH_ARTICLES == 0 or n == n_articles:
                for name, table in tables.items():
                    if rows[name]:
                        conn.execute(insert(table), rows[name])
                        counts[name] += len(rows[name])
                rows = {name: [] for name in tables}
                progress(f"  {n}/{n_articles} articles, {counts['quote']} quotes "
                         f"({time.perf_counter() - started:.0f} s)")
        utterances, keys = gen.utterance_rows()
        conn.execute(insert(Utterance.__table__), utterances)
        conn.execute(insert(UtteranceKey.__table__), keys)
        counts.update(utterance=len(utterances), utterancekey=len(keys))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quotes", type=int, default=300_000, help="number of quotes (default 300000)")
    parser.add_argument("--articles", type=int, help=f"default: quotes / {QUOTES_PER_ARTICLE}")
    parser.add_argument("--speakers", type=int, help=f"default: quotes / {QUOTES_PER_SPEAKER}")
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent of the speaker distribution (default 1)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="SQLite file to create (default: WHOSAID_DATABASE_URL)")
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.db).resolve()}" if args.db else os.environ.get("WHOSAID_DATABASE_URL")
    if not url:
        parser.error("set WHOSAID_DATABASE_URL or pass --db")
    started = time.perf_counter()
    counts = generate(url, args.quotes, args.articles, args.speakers, args.seed, args.zipf)
    print(f"{url}: " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f" in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
