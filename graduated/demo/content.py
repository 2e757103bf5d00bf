"""What the demo seeders write: the provision catalogue and its rates, outcomes, strategies and profiles."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from register.models import NEED_AREAS, BroadArea

RATES: dict[str, Decimal] = {
    "teacher": Decimal(40),
    "ta": Decimal(18),
    "hlta": Decimal(22),
    "specialist": Decimal(60),
    "external": Decimal(75),
}


@dataclass(frozen=True)
class DemoProvision:
    name: str
    wave: int
    area: str
    staff_role: str
    group_size: int
    sessions_per_week: Decimal
    minutes: int
    description: str


CATALOGUE = [
    DemoProvision(
        "Visual timetable and task boards",
        1,
        BroadArea.COMMUNICATION,
        "teacher",
        30,
        Decimal(5),
        10,
        "The class teacher shows the day's plan in pictures and breaks tasks into steps.",
    ),
    DemoProvision(
        "Phonics catch-up group",
        2,
        BroadArea.COGNITION,
        "ta",
        4,
        Decimal(3),
        20,
        "Short, lively practice of letter sounds and blending in a small group.",
    ),
    DemoProvision(
        "Precision teaching",
        2,
        BroadArea.COGNITION,
        "ta",
        1,
        Decimal(5),
        10,
        "Ten minutes a day, one-to-one, practising a few words or number facts until they are fluent.",
    ),
    DemoProvision(
        "Speech and language programme",
        3,
        BroadArea.COMMUNICATION,
        "hlta",
        1,
        Decimal(2),
        30,
        "Activities set by the speech and language therapist, done one-to-one.",
    ),
    DemoProvision(
        "ELSA sessions",
        2,
        BroadArea.SEMH,
        "hlta",
        1,
        Decimal(1),
        45,
        "Time with a trained Emotional Literacy Support Assistant to understand and manage feelings.",
    ),
    DemoProvision(
        "Social skills group",
        2,
        BroadArea.SEMH,
        "ta",
        6,
        Decimal(1),
        45,
        "Games and role play in a small group to practise turn-taking, listening and friendship.",
    ),
    DemoProvision(
        "1:1 TA support",
        3,
        BroadArea.COGNITION,
        "ta",
        1,
        Decimal(5),
        75,
        "A teaching assistant works with the pupil one-to-one for part of each day.",
    ),
    DemoProvision(
        "Specialist teacher sessions",
        3,
        BroadArea.COGNITION,
        "specialist",
        1,
        Decimal("0.5"),
        60,
        "A specialist teacher works with the pupil and advises their teachers, once a fortnight.",
    ),
    DemoProvision(
        "Fine motor skills group",
        2,
        BroadArea.SENSORY,
        "ta",
        4,
        Decimal(2),
        20,
        "Activities to build hand strength and control for writing.",
    ),
]
BY_AREA = {
    BroadArea.COGNITION: ["Phonics catch-up group", "Precision teaching"],
    BroadArea.COMMUNICATION: ["Speech and language programme", "Visual timetable and task boards"],
    BroadArea.SEMH: ["ELSA sessions", "Social skills group"],
    BroadArea.SENSORY: ["Fine motor skills group", "Visual timetable and task boards"],
}
HEAVY = ["1:1 TA support", "Specialist teacher sessions", "ELSA sessions"]
# Where each current cycle stands, in turn: mostly plans in place, some due or overdue for review.
STAGES = ["later", "overdue", "due", "later", "assessing", "due", "later", "overdue", "later", "due"]

# (description, baseline, target, measured by, baseline score, target score)
OUTCOMES = {
    BroadArea.COGNITION: [
        (
            "Read the first 100 high-frequency words on sight",
            "Reads 42 of the 100 words",
            "Reads 80 of the 100 words",
            "Weekly high-frequency word check",
            42,
            80,
        ),
        (
            "Recall number bonds to 10 within three seconds",
            "Recalls 4 of 10",
            "Recalls 10 of 10",
            "Timed number-bond check",
            4,
            10,
        ),
    ],
    BroadArea.COMMUNICATION: [
        (
            "Follow a two-step spoken instruction in class",
            "Follows 3 of 10 instructions",
            "Follows 8 of 10 instructions",
            "Ten instructions observed each week",
            3,
            8,
        ),
        (
            "Use 'because' to explain an idea in a sentence",
            "Uses it 1 time in 10 chances",
            "Uses it 6 times in 10 chances",
            "Recorded in speech and language sessions",
            1,
            6,
        ),
    ],
    BroadArea.SEMH: [
        (
            "Name a feeling and choose a calming strategy when upset",
            "Does this 1 time in 5, with an adult",
            "Does this 4 times in 5",
            "ELSA session record",
            1,
            4,
        ),
        (
            "Join a group game and take turns for ten minutes",
            "Stays in the game for 2 minutes",
            "Stays for 10 minutes",
            "Minutes timed at lunchtime club",
            2,
            10,
        ),
    ],
    BroadArea.SENSORY: [
        (
            "Use the writing slope and pencil grip for written work",
            "Uses them in 2 lessons of 5",
            "Uses them in 5 lessons of 5",
            "Class teacher check each Friday",
            2,
            5,
        ),
    ],
}
STRATEGIES = {
    BroadArea.COGNITION: [
        "Give instructions one step at a time and check understanding",
        "Provide word mats and number lines on the table",
        "Pre-teach key vocabulary before new topics",
    ],
    BroadArea.COMMUNICATION: [
        "Say the pupil's name before giving an instruction",
        "Use the visual timetable and warn before changes",
        "Allow ten seconds of thinking time before expecting an answer",
    ],
    BroadArea.SEMH: [
        "Greet warmly at the door and agree a calm-down place",
        "Use the agreed 'time out' card without questions",
        "Praise specific effort privately",
    ],
    BroadArea.SENSORY: [
        "Seat near the front, away from the door",
        "Provide a writing slope and pencil grip",
        "Check hearing aids are switched on at the start of the day",
    ],
}
LIKED = [
    "Kind and funny; always helps a friend who is stuck.",
    "Brilliant at drawing and knows everything about dinosaurs.",
    "Works hard at football and never gives up.",
    "Cheerful, polite and great with younger children.",
]
IMPORTANT = [
    "My dog Biscuit, Lego and playing outside at break.",
    "Seeing my nan on Saturdays and knowing what is happening next.",
    "Being with my friends and having a quiet place when it is noisy.",
]
SUPPORT = [
    "Tell me what is happening next and give me time to answer.",
    "Show me with pictures and let me have a go before helping.",
    "Talk to me calmly and quietly if I am upset; do not make me talk straight away.",
]


def _area_of(need: str) -> str:
    return str(NEED_AREAS.get(need, BroadArea.COGNITION))
