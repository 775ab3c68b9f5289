"""Nickname table: which given names are the same name (Bob = Robert, Liz = Elizabeth).

Names are compared folded (lower case, accents stripped). A name can belong to several
groups ('chris' is Christopher or Christine), so `roots` returns a set.
"""

from __future__ import annotations

from functools import cache

# canonical name: its common nicknames and spelling variants (all folded, lower case)
GROUPS: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "alexander": ("alex", "alec", "sasha", "xander", "sandy"),
    "alexandra": ("alex", "alexa", "lexi", "sasha", "sandra", "sandy"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "antonio"),
    "barbara": ("barb", "barbie", "babs"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "kate", "katie", "cat", "katherine", "kathryn", "kathy", "kat"),
    "charles": ("charlie", "chuck", "chas", "carlos"),
    "christopher": ("chris", "kit", "topher"),
    "christine": ("chris", "chrissy", "christina", "tina", "kristin", "kristen"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "deborah": ("deb", "debbie", "debra"),
    "donald": ("don", "donnie"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "libby", "liza", "elisabeth"),
    "emily": ("em", "emmy", "emilie"),
    "frederick": ("fred", "freddie", "fritz"),
    "gabriel": ("gabe",),
    "gregory": ("greg",),
    "henry": ("hank", "harry", "hal"),
    "isabella": ("bella", "izzy", "isabel", "isabelle"),
    "jacob": ("jake", "jakob"),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "jennifer": ("jen", "jenny", "jenn"),
    "jessica": ("jess", "jessie"),
    "john": ("johnny", "jack", "jon", "johann", "jonathan"),
    "jonathan": ("jon", "jonny", "nathan"),
    "joseph": ("joe", "joey", "jose"),
    "joshua": ("josh",),
    "katherine": ("kate", "katie", "kathy", "kat", "kathryn", "catherine"),
    "kenneth": ("ken", "kenny"),
    "lawrence": ("larry", "laurence"),
    "margaret": ("maggie", "meg", "peggy", "margo", "marge", "greta"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mikey", "mick", "mickey", "michel", "miguel"),
    "nicholas": ("nick", "nicky", "nico", "nicolas", "klaus"),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "patrick": ("pat", "paddy", "rick"),
    "peter": ("pete", "pedro", "pierre"),
    "rebecca": ("becky", "becca", "beck"),
    "richard": ("rick", "ricky", "rich", "dick", "richie", "ricardo"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert", "roberto"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy", "sammie"),
    "stephen": ("steve", "steven", "stevie", "stefan"),
    "susan": ("sue", "susie", "suzanne", "suzy"),
    "theodore": ("ted", "teddy", "theo"),
    "thomas": ("tom", "tommy", "tomas"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "vicki", "tori"),
    "william": ("will", "bill", "billy", "willy", "liam", "wilhelm", "guillermo"),
    "zachary": ("zach", "zack"),
}


def _index() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for root, variants in GROUPS.items():
        for name in (root, *variants):
            found.setdefault(name, set()).add(root)
    return {name: frozenset(roots) for name, roots in found.items()}


_ROOTS = _index()


@cache
def roots(first: str) -> frozenset[str]:
    """The canonical names a folded given name may stand for ('bob' -> {'robert'}).

    A name outside the table is its own root: roots('zoe') == {'zoe'}, unless swapping two
    neighbouring letters turns it into exactly one name in the table ('samule' -> 'samuel'):
    that is how hands mistype, and swaps of real names almost never make another name.
    """
    if first in _ROOTS:
        return _ROOTS[first]
    if len(first) >= 4:
        swaps = {
            first[:i] + first[i + 1] + first[i] + first[i + 2 :] for i in range(len(first) - 1)
        }
        known = swaps & _ROOTS.keys()
        if len(known) == 1:
            return _ROOTS[known.pop()]
    return frozenset((first,))


def same_name(a: str, b: str) -> bool:
    """True when two folded given names are nicknames of one another (Bob and Robert)."""
    return a != b and bool(roots(a) & roots(b))
