"""What the flags on a sighting mean, in words a person can act on.

A flag is "kind:value" (e.g. "phone-unparsed:12"); `normalize` sets them on sightings
whose data was kept but could not be read as it should. `followup ingest` shows them
and the JSON export carries them per sighting.
"""

from __future__ import annotations

# kind -> (field, what happened and what to do)
FLAG_ADVICE: dict[str, tuple[str, str]] = {
    "email-invalid": (
        "email",
        "is not a valid address and was left out; correct it in the export and ingest it again",
    ),
    "phone-unparsed": (
        "phone",
        "is not a phone number we can read (kept as written); add the country code "
        "(+44 ...), or set the region its numbers are from (--region, region in event.toml, "
        "or [defaults] region in followup.toml)",
    ),
    "phone-excel-damaged": (
        "phone",
        "was turned into a number by Excel and lost digits (kept as written); "
        "take the number from the original or export the column as text",
    ),
    "name-from-linkedin": (
        "name",
        "the name was guessed from this LinkedIn profile URL; check it",
    ),
}


def explain_flag(flag: str, region: str = "") -> str:
    """One flag as "field 'value' what-to-do"; `region` is the one numbers were read in.

    Example: "phone-unparsed:12" -> "phone '12' is not a phone number we can read ...";
    with region "DE" the advice is not to pass --region (it was) but that the number is
    not valid in DE: its digits are wrong, or it is from another country.
    """
    kind, _, value = flag.partition(":")
    field, advice = FLAG_ADVICE.get(kind, (kind, "needs a look"))
    if kind == "phone-unparsed" and region:
        advice = (
            f"is not a valid phone number for region {region} (kept as written); check its "
            "digits in the export, or, if it is from another country, write it with its "
            "country code (+44 ...)"
        )
    return f"{field} {value!r} {advice}"
