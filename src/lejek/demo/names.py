"""Word lists for demo data: Polish, English and Russian-speaking people and companies.

Every list is plain data; `person_name` and `company` turn a random draw into a
name, an ASCII e-mail local part and a domain.
"""

import itertools
import random
import unicodedata


def words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A tuple from a whitespace- (or `sep`-) separated list, to keep long lists short."""
    return tuple(item.strip() for item in text.split(sep) if item.strip())


def pairs(text: str) -> tuple[tuple[str, ...], ...]:
    """Tuples from 'a/b c/d' lists: masculine/feminine forms, Cyrillic/Latin spellings."""
    return tuple(tuple(item.split("/")) for item in text.split())


POLISH_FIRST_MALE = words("""
    Adam Andrzej Bartosz Damian Dariusz Grzegorz Jakub Jan Kamil Krzysztof Łukasz Maciej
    Marcin Marek Mateusz Michał Paweł Piotr Rafał Robert Sebastian Szymon Tomasz Wojciech
    Zbigniew""")
POLISH_FIRST_FEMALE = words("""
    Agnieszka Aleksandra Anna Barbara Beata Dorota Ewa Iwona Joanna Justyna Karolina Katarzyna
    Magdalena Małgorzata Marta Monika Natalia Paulina Renata Sylwia Urszula Weronika Zofia
    Żaneta""")
# Surnames with a masculine and a feminine form (Kowalski / Kowalska).
POLISH_LAST = pairs("""
    Nowak/Nowak Kowalski/Kowalska Wiśniewski/Wiśniewska Wójcik/Wójcik Kowalczyk/Kowalczyk
    Kamiński/Kamińska Lewandowski/Lewandowska Zieliński/Zielińska Szymański/Szymańska
    Woźniak/Woźniak Dąbrowski/Dąbrowska Kozłowski/Kozłowska Jankowski/Jankowska Mazur/Mazur
    Kwiatkowski/Kwiatkowska Krawczyk/Krawczyk Piotrowski/Piotrowska Grabowski/Grabowska
    Nowakowski/Nowakowska Pawłowski/Pawłowska Michalski/Michalska Król/Król
    Wieczorek/Wieczorek Jabłoński/Jabłońska Wróbel/Wróbel Majewski/Majewska
    Olszewski/Olszewska Stępień/Stępień Malinowski/Malinowska Górski/Górska""")
ENGLISH_FIRST = words("""
    Oliver George Harry Jack James William Thomas Daniel Michael David Olivia Amelia Emily
    Sophie Charlotte Grace Hannah Lucy Sarah Emma Laura Rachel Peter Mark Helen""")
ENGLISH_LAST = words("""
    Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans
    Walker White Roberts Green Hall Wood Jackson Clarke Baker Harris Turner Cooper Hughes""")
# Russian names in Cyrillic with the Latin spelling used for e-mail addresses.
RUSSIAN_FIRST_MALE = pairs("""
    Алексей/aleksey Андрей/andrey Дмитрий/dmitry Иван/ivan Игорь/igor Максим/maksim
    Михаил/mikhail Никита/nikita Олег/oleg Сергей/sergey Владимир/vladimir Юрий/yury""")
RUSSIAN_FIRST_FEMALE = pairs("""
    Анастасия/anastasia Анна/anna Дарья/darya Екатерина/ekaterina Елена/elena Ирина/irina
    Мария/maria Наталья/natalya Ольга/olga Светлана/svetlana Татьяна/tatyana Юлия/yulia""")
RUSSIAN_LAST = pairs("""
    Иванов/Иванова/ivanov Смирнов/Смирнова/smirnov Кузнецов/Кузнецова/kuznetsov
    Попов/Попова/popov Соколов/Соколова/sokolov Лебедев/Лебедева/lebedev Козлов/Козлова/kozlov
    Новиков/Новикова/novikov Морозов/Морозова/morozov Волков/Волкова/volkov Орлов/Орлова/orlov
    Белов/Белова/belov""")

JOB_TITLES = words(
    """CEO, CFO, COO, Head of Sales, Sales Director, Procurement Manager, Purchasing Specialist,
    IT Manager, CTO, Operations Manager, Marketing Director, Office Manager, Project Manager,
    HR Director, Logistics Manager, Owner, Finance Manager, Customer Success Lead""",
    ",",
)

POLISH_ROOTS = words(
    "Agro Bud Drew Eko Elektro Farm Gaz Inter Kom Med Metal Mleko Nova Pol "
    "Prod Stal Tech Trans Wod Zbyt Opt Lux"
)
POLISH_ENDINGS = words("pol mex bud tex mar net rol max dom plast")
POLISH_SECTORS = words(
    "Logistyka Budownictwo Serwis Systemy Handel Technologie Dystrybucja "
    "Energia Instalacje Consulting Meble Opakowania Automatyka Spedycja"
)
POLISH_FORMS = words("sp. z o.o.|S.A.|sp. j.|sp. z o.o. sp. k.", "|")
ENGLISH_ADJECTIVES = words("""
    Northwind Bluewater Greenfield Silverline Redstone Brightpath Oakridge Ironbridge Clearview
    Highgate Summit Riverside Westbrook Blackrock Evergreen Crown Harbour Pinnacle Cobalt
    Meridian""")
ENGLISH_NOUNS = words(
    "Analytics Logistics Software Foods Engineering Health Retail Energy "
    "Media Labs Systems Freight Finance Robotics Textiles"
)
ENGLISH_FORMS = words("Ltd|Inc.|LLC|GmbH|plc|Group", "|")
RUSSIAN_COMPANIES = pairs("""
    Вектор/vektor Альфа-Трейд/alfa-trade Сибтехсервис/sibtekhservis Промснаб/promsnab
    Стройинвест/stroyinvest Горизонт/gorizont Техноком/tekhnokom Энергосистемы/energosistemy
    Агропром/agroprom Меридиан/meridian Северстрой/severstroy Логистик-Центр/logistik""")
RUSSIAN_FORMS = words("ООО АО ТОО")

INDUSTRIES = words(
    """Software, Manufacturing, Logistics, Retail, Construction, Healthcare, Finance, Energy,
    Education, Food & beverage, Professional services, Telecommunications, Automotive,
    Real estate""",
    ",",
)

# country: (weight, TLD, cities, naming style)
COUNTRIES: dict[str, tuple[int, str, tuple[str, ...], str]] = {
    "PL": (
        55,
        "pl",
        words("Warszawa Kraków Wrocław Poznań Gdańsk Łódź Katowice Lublin Szczecin Rzeszów"),
        "pl",
    ),
    "DE": (8, "de", words("Berlin Hamburg München Köln Leipzig"), "en"),
    "GB": (7, "co.uk", words("London Manchester Leeds Bristol Edinburgh"), "en"),
    "US": (6, "com", words("New York|Chicago|Austin|Boston|Seattle", "|"), "en"),
    "CZ": (5, "cz", words("Praha Brno Ostrava"), "en"),
    "LT": (4, "lt", words("Vilnius Kaunas Klaipėda"), "en"),
    "UA": (6, "ua", words("Kyiv Lviv Kharkiv Odesa"), "ru"),
    "KZ": (4, "kz", words("Almaty Astana Shymkent"), "ru"),
    "AM": (2, "am", words("Yerevan Gyumri"), "ru"),
    "GE": (3, "ge", words("Tbilisi Batumi"), "ru"),
}
COUNTRY_CODES = tuple(COUNTRIES)
COUNTRY_CUM_WEIGHTS = tuple(itertools.accumulate(spec[0] for spec in COUNTRIES.values()))
STREETS = words(
    "Marszałkowska|Długa|Polna|Kwiatowa|Lipowa|Main Street|High Street|Park Lane|Mira|Sadova|"
    "Industrial Road",
    "|",
)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII with dashes: 'Łukasz Wójcik' → 'lukasz-wojcik'."""
    text = text.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(ch if ch.isalnum() else "-" for ch in plain.lower())
    return "-".join(part for part in out.split("-") if part)


def person_name(rng: random.Random, style: str) -> tuple[str, str, str]:
    """(first name, last name, e-mail local part) in the given style: pl, en or ru."""
    female = rng.random() < 0.45
    if style == "ru":
        first, first_latin = rng.choice(RUSSIAN_FIRST_FEMALE if female else RUSSIAN_FIRST_MALE)
        male_last, female_last, last_latin = rng.choice(RUSSIAN_LAST)
        last = female_last if female else male_last
        return first, last, f"{first_latin}.{last_latin}{'a' if female else ''}"
    if style == "en":
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    else:
        first = rng.choice(POLISH_FIRST_FEMALE if female else POLISH_FIRST_MALE)
        male_last, female_last = rng.choice(POLISH_LAST)
        last = female_last if female else male_last
    return first, last, f"{ascii_slug(first)}.{ascii_slug(last)}"


def company(rng: random.Random, country: str, city: str) -> tuple[str, str]:
    """(company name, domain) in the naming style of `country`.

    The city goes into the domain so that same-named companies in different
    cities do not look like duplicates of one another.
    """
    tld, style = COUNTRIES[country][1], COUNTRIES[country][3]
    place = ascii_slug(city)
    if style == "pl" and rng.random() < 0.85:
        root = rng.choice(POLISH_ROOTS) + rng.choice(POLISH_ENDINGS)
        sector = rng.choice(POLISH_SECTORS)
        name = f"{root} {sector} {rng.choice(POLISH_FORMS)}"
        return name, f"{ascii_slug(root)}-{ascii_slug(sector)}-{place}.{tld}"
    if style == "ru" and rng.random() < 0.7:
        label, latin = rng.choice(RUSSIAN_COMPANIES)
        number = rng.randint(1, 99)
        name = f"{rng.choice(RUSSIAN_FORMS)} «{label}-{number}»"
        return name, f"{latin}{number}-{place}.{tld}"
    adjective, noun = rng.choice(ENGLISH_ADJECTIVES), rng.choice(ENGLISH_NOUNS)
    name = f"{adjective} {noun} {rng.choice(ENGLISH_FORMS)}"
    return name, f"{ascii_slug(adjective)}{ascii_slug(noun)}-{place}.{tld}"
