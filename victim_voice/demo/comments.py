"""Comment templates and the made-up values planted in them (names, addresses, numbers),
so that redaction has something to find.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence

import numpy as np

from victim_voice.demo.distributions import COMMENT_JOINED_SHARE, COMMENT_POOL_LIMIT

POLICE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "positive": (
        "{officer} was brilliant, kept me updated every week and even rang me back on a Sunday.",
        "Really happy with how quickly they came out {time}. The officer was kind, calm and explained everything.",
        'I was told "we take this seriously" and they actually did. {high_score} for the response in {place}.',
        "Thank you to {officer}. If anyone needs to check, my number is {phone}.",
        "They came to {address} within the hour, took photos, and got my bike back (worth {money}).",
        "Honestly couldn't fault them.\nThe call handler was patient and the follow-up was good.",
        "{officer} gave me her email {email} so I could send the CCTV. Great service, thank you.",
        "Kept informed at every stage, which is all I wanted. The letter about the court date came on time.",
        'Felt listened to for the first time. The officer in {place} said "you\'ve done nothing wrong", '
        "which meant a lot.",
        "Quick, professional, respectful. Crime number {crime_no} was given straight away.",
        "I’m grateful to {officer} – she didn’t rush me and made sure I had the victim leaflet.",
        "Good response. They checked on me after {person} was arrested, and helped me change the locks at "
        "{address}, {postcode}.",
        "They came out on {when} and stayed with me till my daughter arrived.\nCan't thank them enough.",
    ),
    "negative": (
        'Nobody kept me informed. I rang 101 {count} times and was told "someone will call you back", nobody did.',
        "I gave my details twice ({phone}, {email}) and still no-one got in touch.\nVery disappointed.",
        'The officer was dismissive, said it was "a civil matter" and left. {low_score}, would not recommend.',
        "It took {count} weeks to get a crime number ({crime_no}). I lost {money} and heard nothing since {when}.",
        "{person} keeps coming to the house at {address} and the police don't seem to care.",
        "I wasn't told the case was dropped until I phoned. Found out from a letter that said NFA, no explanation.",
        "They turned up {time} the next day, by then {person} had gone. I live in {place}, not the middle of nowhere!",
        "Please stop sending letters to my old address. My new postcode is {postcode} and I've told you twice.",
        "I had to chase {officer} for updates, it felt like I was the one investigating.",
        "My NI number is {ni}, I gave it for the compensation form and never heard back.",
        "Had to repeat my story to {count} different officers. Exhausting.\n\nStill waiting.",
        "The “victim care” letter had my date of birth wrong – it’s {dob} – and the wrong crime number.",
        "Officer said she'd call me on {phone} on {when} and never did.",
    ),
    "mixed": (
        "The first officer was great, the investigation not so much. Kept informed at the start, "
        "then nothing after {when}.",
        "Response {time} was fast, but updates stopped once it went to CPS.",
        "Mixed. {officer} was lovely, but the station in {place} never answered the phone.",
        "OK I suppose. Would give it {mid_score}. Things improved after I complained.",
        "They did what they could, I know they're stretched. Just tell people what's happening, even if "
        'it\'s "no news".',
        "Fine overall, although I was asked for my date of birth ({dob}) about five times.",
        "Good at the scene, poor afterwards,\nnobody told me {person} had been released.",
    ),
}


SERVICE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "positive": (
        "{worker} was amazing, I don't know how I'd have coped without her.",
        "The IDVA helped me with a safety plan, a new phone and a non-molestation order. I feel safer now.",
        "Horizon called within two days, explained the court process and arranged a pre-trial visit in {place}.",
        "{worker} rang every week, even just to check in. You can give my number to other victims: {phone}.",
        "The counselling through the adult service, 8 sessions, was exactly what I needed.",
        "Brilliant support at the SARC. Kind, never rushed, and they explained the forensic bit properly.",
        "Thank you {worker}!! Helped me fill in the compensation form (got {money}).",
        "Everyone at the refuge was welcoming. My kids felt safe, for the first time in ages.",
        "Café meet-ups with the young people’s worker helped my son a lot, he's 15 and didn't want to talk to police.",
    ),
    "negative": (
        "I was referred but nobody contacted me for {count} weeks. By then I'd given up.",
        "Got a text from the support service, rang back on {phone}, got voicemail, never heard again.",
        "Told I'd get an ISVA, still waiting. It's been since {when}.",
        "The worker kept getting my name wrong and emailed the wrong person ({email}).",
        'Felt like a tick-box exercise, "have you got our leaflet?", "yes", "great, bye".',
        "Please don't send anything to {address}, {postcode}. {person} still has a key.",
    ),
    "mixed": (
        "Support was good when it came, but the wait was too long ({count} weeks).",
        "Helpful, but I'd have liked someone to come to court with me on {when}.",
        "{worker} was nice but the service only works 9-5, which is no good when you work shifts.",
        "Good advice, but I had to ring them, they never rang me.\nStill, better than nothing.",
    ),
}


# Comments about one service, "{service}" being how its user names it (SERVICE_PHRASES).
NAMED_SERVICE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "positive": (
        "{Service} rang within a couple of days and explained everything. I felt believed.",
        "I can't thank {service} enough, they helped me feel safe again.",
        "{Service} gave me a direct number, {phone}, and always picked up.",
        "Everyone at {service} was patient with me, even when I cancelled twice.",
        "Without {service} I wouldn't have got through the court case.",
    ),
    "negative": (
        "Waited {count} weeks to hear from {service}, and then it was just a leaflet.",
        "{Service} said they'd ring back on {when} and never did.",
        "Nobody at {service} seemed to have read my notes, I had to explain it all again.",
        "I emailed {service} from {email} twice and got no reply.",
    ),
    "mixed": (
        "{Service} were kind but it took {count} weeks to get going.",
        "Good support from {service} once it started, but they only work 9-5.",
        "{Service} helped with the forms, less so with the worry.",
    ),
}


# How a victim names each service in a comment; every phrase names its service by the
# contract's aliases (a test checks it).
SERVICE_PHRASES: dict[str, tuple[str, ...]] = {
    "VWCU": ("Horizon", "the witness care team", "Victim and Witness Care", "victim care"),
    "RJ": ("the restorative justice team", "the RJ worker", "restorative justice"),
    "CYP": ("the young people's service", "the children's service"),
    "ADULT": ("the adult victim service", "the adult service"),
    "IDVA": ("my IDVA", "the IDVA", "the domestic abuse advocate", "my DA advocate"),
    "ISVA": ("my ISVA", "the ISVA", "the sexual violence advocate"),
    "SARC": ("the SARC", "The Bridge", "the sexual assault referral centre"),
    "REFUGE": ("the refuge", "the safe house"),
}


def named_service_templates(service: str, tone: str) -> tuple[str, ...]:
    """The templates of one tone with ``{service}`` filled by each of the service's phrases.

    >>> named_service_templates("SARC", "mixed")[0]
    'The SARC were kind but it took {count} weeks to get going.'
    """
    return tuple(
        template.replace("{Service}", phrase[0].upper() + phrase[1:]).replace("{service}", phrase)
        for template in NAMED_SERVICE_TEMPLATES[tone]
        for phrase in SERVICE_PHRASES[service]
    )


def _digits(rng: np.random.Generator, count: int) -> str:
    """A string of ``count`` random decimal digits."""
    return "".join(str(d) for d in rng.integers(0, 10, size=count))


PHONE_FORMATS: tuple[Callable[[np.random.Generator], str], ...] = (
    lambda rng: f"07700 900{_digits(rng, 3)}",
    lambda rng: f"+44 7700 900{_digits(rng, 3)}",
    lambda rng: f"01793 {_digits(rng, 6)}",
    lambda rng: f"07700900{_digits(rng, 3)}",
    lambda rng: f"(01225) {_digits(rng, 3)} {_digits(rng, 3)}",
)


COMMENT_FILLERS: dict[str, tuple[str, ...] | Callable[[np.random.Generator], str]] = {
    # planted personal data
    "officer": (
        "PC Sarah Jones",
        "DC Mark Thompson",
        "Sergeant Lisa Patel",
        "PCSO Tom Hughes",
        "DS Ahmed Khan",
        "PC Jo Williams",
        "Inspector Claire O’Connor",
        "PC Gareth Davies",
        "DC Zoë Clarke",
        "PC Łukasz Nowak",
    ),
    "person": (
        "my neighbour Gareth Evans",
        "my ex-partner Daniel Price",
        "my ex, Ryan Cole,",
        "Mrs Angela Brown",
        "my stepdad Steve Harris",
        "René Dubois from work",
        "the man at number 14, Paul Grant,",
    ),
    "worker": (
        "Priya from the advocacy service",
        "Helen at Horizon",
        "my ISVA Rachel Green",
        "Jo the IDVA",
        "Kate (the outreach worker)",
        "Amira from the young people's service",
    ),
    "phone": lambda rng: PHONE_FORMATS[int(rng.integers(len(PHONE_FORMATS)))](rng),
    "email": (
        "sarah.jones@example.com",
        "gevans78@example.co.uk",
        "priya.s@example.org",
        "mum.of.three@example.net",
        "d.price@example.com",
    ),
    "postcode": ("SN1 2AB", "BA14 8XY", "SP1 3QT", "SN15 1ER", "SN25 4DL", "SN10 2JP", "BA12 9HN", "SN2 1DE"),
    "ni": ("QQ 12 34 56 C", "AB123456C", "JK 55 01 83 D", "NX234567A"),
    "crime_no": lambda rng: "54" + _digits(rng, 9),
    "address": (
        "12 Station Road",
        "4 Church Lane, Devizes",
        "Flat 3, 27 High Street",
        "88 Kingshill Road",
        "1 The Paddocks, Calne",
        "45a Victoria Road",
    ),
    "dob": ("14/03/1985", "2 November 1990", "1979-05-01", "09.07.2001"),
    # hard negatives: look like personal data, are not
    "money": ("£250", "£1,200", "£40", "£3,500", "£75.50"),
    "high_score": ("10/10", "9/10", "9 out of 10", "5/5"),
    "mid_score": ("5 out of 10", "6/10", "3/5", "5/10"),
    "low_score": ("0/10", "1/10", "2 out of 10", "1/5"),
    "time": ("at 3pm", "around 11.30pm", "at 07:45", "after midnight", "at half ten"),
    "when": ("14 March", "03/02/2024", "Tuesday 9 April", "the 5th of January", "Boxing Day", "12/11/2023"),
    "place": (
        "Swindon",
        "Salisbury",
        "Chippenham",
        "Trowbridge",
        "Devizes",
        "Marlborough",
        "Melksham",
        "Warminster",
        "Calne",
        "Royal Wootton Bassett",
    ),
    "count": ("3", "four", "6", "10", "two", "5"),
}


_FORMATTER = string.Formatter()


def _render(template: str, rng: np.random.Generator) -> str:
    """Fill a comment template's placeholders with random values."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    values = {}
    for name in sorted(names):
        filler = COMMENT_FILLERS[name]
        values[name] = filler(rng) if callable(filler) else filler[int(rng.integers(len(filler)))]
    return template.format(**values)


def _render_comment(templates: Sequence[str], rng: np.random.Generator) -> str:
    """One comment: one template, or two joined by a space or a blank line."""
    first = _render(templates[int(rng.integers(len(templates)))], rng)
    if rng.random() >= COMMENT_JOINED_SHARE:
        return first
    second = _render(templates[int(rng.integers(len(templates)))], rng)
    return first + (" " if rng.random() < 0.5 else "\n\n") + second


def _comments_for(mask: np.ndarray, templates: Sequence[str], rng: np.random.Generator) -> np.ndarray:
    """Comments for the rows in ``mask``, drawn from a pool rendered once per call."""
    wanted = int(mask.sum())
    pool = np.asarray([_render_comment(templates, rng) for _ in range(min(wanted, COMMENT_POOL_LIMIT))], dtype=object)
    return pool[rng.integers(len(pool), size=wanted)] if wanted else pool
