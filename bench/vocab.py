"""Word lists for the generated benchmark data: names, nicknames, companies, titles."""

from __future__ import annotations

FIRST = (
    "robert", "william", "james", "john", "michael", "david", "richard", "joseph", "thomas",
    "christopher", "daniel", "matthew", "anthony", "andrew", "joshua", "kenneth", "stephen",
    "timothy", "benjamin", "samuel", "alexander", "nicholas", "patrick", "peter", "edward",
    "gregory", "jacob", "jonathan", "elizabeth", "margaret", "jennifer", "patricia",
    "catherine", "rebecca", "samantha", "victoria", "susan", "deborah", "jessica", "emily",
    "barbara", "alexandra", "abigail", "isabella", "maria", "mario", "ana", "ines", "jose",
    "lucia", "sofia", "chloe", "zoe", "noemie", "renee", "andre", "francois", "jurgen",
    "bjorn", "soren", "mateo", "aisha", "fatima", "priyanka", "arjun", "yuki", "hiroshi",
    "wei", "mei", "jin", "min", "hannah", "lena", "olivia", "liam", "noah", "emma", "ava",
    "mia", "ethan", "lucas", "grace", "ruth", "oscar", "hugo", "ingrid", "astrid", "nadia",
    "omar", "tariq", "amara", "kwame", "chidi", "ngozi", "kofi", "ravi", "anil", "deepa",
    "kavya", "rahul", "sanjay", "leila", "dmitri", "olga", "ivan", "katya", "pavel", "tomasz",
    "agnieszka", "piotr", "marek", "eva", "jan", "lars", "nils", "karin", "ulla", "greta",
)  # fmt: skip
ACCENTED = {
    "jose": "José", "ines": "Inés", "lucia": "Lucía", "chloe": "Chloé", "zoe": "Zoë",
    "noemie": "Noémie", "renee": "Renée", "andre": "André", "francois": "François",
    "jurgen": "Jürgen", "bjorn": "Björn", "soren": "Søren",
}  # fmt: skip
NICK = {
    "robert": ["Bob", "Rob", "Bobby"], "william": ["Bill", "Will"], "james": ["Jim", "Jimmy"],
    "john": ["Jack", "Johnny"], "michael": ["Mike", "Mick"], "david": ["Dave"],
    "richard": ["Rick", "Rich"], "joseph": ["Joe"], "thomas": ["Tom", "Tommy"],
    "christopher": ["Chris"], "daniel": ["Dan", "Danny"], "matthew": ["Matt"],
    "anthony": ["Tony"], "andrew": ["Andy", "Drew"], "joshua": ["Josh"], "kenneth": ["Ken"],
    "stephen": ["Steve"], "timothy": ["Tim"], "benjamin": ["Ben"], "samuel": ["Sam"],
    "alexander": ["Alex"], "nicholas": ["Nick"], "patrick": ["Pat"], "peter": ["Pete"],
    "edward": ["Ed", "Ted"], "gregory": ["Greg"], "jacob": ["Jake"], "jonathan": ["Jon"],
    "elizabeth": ["Liz", "Beth", "Betty"], "margaret": ["Maggie", "Meg", "Peggy"],
    "jennifer": ["Jen", "Jenny"], "patricia": ["Pat", "Trish"], "catherine": ["Kate", "Cathy"],
    "rebecca": ["Becky"], "samantha": ["Sam"], "victoria": ["Vicky"], "susan": ["Sue"],
    "deborah": ["Debbie"], "jessica": ["Jess"], "barbara": ["Barb"], "alexandra": ["Alex"],
    "abigail": ["Abby"], "isabella": ["Bella"],
}  # fmt: skip
SURNAME_ROOTS = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
    "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
    "scott", "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall",
    "rivera", "campbell", "mitchell", "carter", "roberts", "chen", "wang", "li", "zhang",
    "liu", "yang", "huang", "zhao", "wu", "zhou", "kim", "park", "choi", "jung", "kang", "cho",
    "yoon", "patel", "shah", "singh", "kumar", "sharma", "gupta", "iyer", "mehta", "okafor",
    "adeyemi", "mensah", "diallo", "muller", "schmidt", "schneider", "fischer", "weber",
    "meyer", "wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf",
    "schroder", "neumann", "dubois", "durand", "lefebvre", "moreau", "laurent", "simon",
    "michel", "rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci",
    "marino", "greco", "kowalski", "nowak", "wisniewski", "wojcik", "kaminski", "lewandowski",
    "zielinski", "jensen", "nielsen", "hansen", "pedersen", "andersen", "larsen", "sorensen",
    "johansson", "karlsson", "nilsson", "eriksson", "larsson", "olsen", "tanaka", "suzuki",
    "takahashi", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato", "yoshida",
    "ivanov", "petrov", "sidorov", "smirnov", "kuznetsov", "popov", "novak", "horvath",
    "kovacs", "nagy", "toth", "szabo", "murphy", "kelly", "sullivan", "walsh", "obrien",
    "byrne", "ryan", "oconnor", "fernandez", "gomez", "diaz", "alvarez", "romero", "navarro",
    "ruiz", "serrano", "molina", "castro", "ortega", "delgado", "vargas", "castillo",
    "jimenez", "moreno", "munoz", "rojas", "silva", "santos", "oliveira", "costa", "pereira",
    "almeida", "carvalho", "ribeiro", "gomes", "martins", "araujo", "barbosa", "rocha", "dias",
    "teixeira", "cardoso",
)  # fmt: skip
SURNAME_ACCENTS = {
    "garcia": "García", "rodriguez": "Rodríguez", "martinez": "Martínez", "lopez": "López",
    "gonzalez": "González", "perez": "Pérez", "sanchez": "Sánchez", "ramirez": "Ramírez",
    "muller": "Müller", "schroder": "Schröder", "fernandez": "Fernández", "gomez": "Gómez",
    "diaz": "Díaz", "alvarez": "Álvarez", "jimenez": "Jiménez", "munoz": "Muñoz",
    "araujo": "Araújo", "horvath": "Horváth", "kovacs": "Kovács", "toth": "Tóth",
    "wisniewski": "Wiśniewski", "wojcik": "Wójcik", "obrien": "O'Brien", "oconnor": "O'Connor",
    "sorensen": "Sørensen",
}  # fmt: skip
COMPANY_WORDS = (
    "northwind", "contoso", "fabrikam", "globex", "initech", "umbrella", "tailspin", "adatum",
    "proseware", "woodgrove", "litware", "relecloud", "wingtip", "lamna", "bellows",
    "vanarsdel", "humongous", "fourthcoffee", "alpine", "margie", "trey", "wideworld",
    "graphic", "adventure", "blue", "yonder", "coho", "consolidated", "datum", "fincher",
    "lucerne", "nod", "proseware", "southridge", "tasmanian", "wide", "falcon", "orbit",
    "quantum", "vertex", "summit", "harbor", "pioneer", "cascade", "granite", "meridian",
    "beacon", "horizon", "evergreen", "silverline", "redwood", "ironbridge", "keystone",
)  # fmt: skip
COMPANY_KINDS = (
    "Analytics",
    "Labs",
    "Systems",
    "Health",
    "Bank",
    "Research",
    "Partners",
    "Software",
    "Energy",
    "Logistics",
    "Media",
    "Robotics",
    "Foods",
    "Capital",
)
SUFFIXES = ("", "", " Inc", " Inc.", " LLC", " GmbH", " Ltd")
TITLES = (
    "Software Engineer",
    "Senior Software Engineer",
    "Data Engineer",
    "Data Scientist",
    "Product Manager",
    "Engineering Manager",
    "Technical Recruiter",
    "University Recruiter",
    "Talent Acquisition Partner",
    "HR Business Partner",
    "Research Scientist",
    "Designer",
    "Campus Relations Lead",
    "Recruiting Coordinator",
    "Staff Engineer",
    "CTO",
    "Analyst",
)
FREE = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")
SIMILAR_FIRST = {
    "maria": "mario", "daniel": "daniela", "andre": "andrea", "lena": "lina", "jan": "jana",
    "ivan": "ivana", "min": "mina", "eva": "ava", "ana": "anna", "nils": "niels",
    "karin": "katrin", "omar": "amar", "ravi": "ravin", "olga": "olya", "peter": "petra",
}  # fmt: skip
SYLLABLES = (
    "ka", "ro", "mi", "ten", "vel", "dor", "an", "sel", "bri", "mar", "tov", "ich", "ski",
    "son", "berg", "wal", "lin", "da", "ne", "or", "ul",
)  # fmt: skip
