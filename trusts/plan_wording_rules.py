"""The plan-wording rules, as data: what a plan's words promise, read against the Code of Practice.

The SEND Code of Practice 2015 (9.62-9.69) says a plan has every section, each need in section B has its
provision, provision "must be detailed and specific and should normally be quantified, for example, in terms
of the type, hours and frequency of support and level of expertise" (9.69), and outcomes are specific,
measurable, achievable, realistic and time-bound (9.66). Each rule below is data: what it applies to, how it
matches, what it tells a SENCO, its source, and a bad and a good example (the tests check both examples of
every rule, and a corpus of real-shaped plan sentences). The rules are deterministic word patterns: they find
wording to look at again, they never decide that a plan is lawful. `ehcp` (draft plans under consultation)
and `graduated` (support-plan outcomes) both call them through `trusts.plan_wording`, which applies them;
neither may import the other, hence here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

AppliesTo = Literal["provision", "outcome", "need", "section"]
# How a rule matches: "phrase" finds a pattern in the sentence (the finding quotes it); "missing" finds a
# sentence with none of the patterns; "unmatched_need" finds a need in B that no outcome or provision names;
# "empty" finds a section with no words.
Match = Literal["phrase", "missing", "unmatched_need", "empty"]

COP = "SEND Code of Practice 2015"
PROVISION_SOURCE = f"{COP}, para 9.69"
OUTCOME_SOURCE = f"{COP}, para 9.66"

_NUMBER = r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|"
_NUMBER += r"(?:twenty|thirty|forty|fifty|sixty)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|ninety|half an?)"
_TIME_UNIT = r"(?:minutes?|mins?|hours?|hrs?|sessions?|lessons?|periods?)"


@dataclass(frozen=True)
class WordingRule:
    id: str
    applies_to: AppliesTo
    match: Match
    patterns: tuple[str, ...]
    explanation: str  # what the SENCO reads beside the sentence, in plain words
    source: str
    bad_example: str
    good_example: str
    # A "phrase" rule stays quiet when one of these is in the sentence too ("group" with "group of 4").
    unless: tuple[str, ...] = ()

    def compiled(self) -> tuple[re.Pattern[str], ...]:
        return compiled_patterns(self.patterns)


_patterns_cache: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}


def compiled_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    if patterns not in _patterns_cache:
        _patterns_cache[patterns] = tuple(re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE) for p in patterns)
    return _patterns_cache[patterns]


# Need families for the B-to-E/F link: a need in section B names one, and an outcome or provision should too.
NEED_FAMILIES: dict[str, tuple[str, ...]] = {
    "speech, language and communication": (
        r"speech",
        r"language",
        r"communicat\w*",
        r"vocabulary",
        r"SLCN",
        r"expressive",
        r"receptive",
        r"talking",
        r"understanding (?:of )?(?:spoken|instructions)",
        r"instructions",
    ),
    "social interaction": (r"social\w*", r"friendships?", r"peers?", r"interact\w*", r"turn[- ]taking"),
    "emotional wellbeing and regulation": (
        r"anxi\w*",
        r"emotion\w*",
        r"regulat\w*",
        r"dysregulat\w*",
        r"self-esteem",
        r"SEMH",
        r"calm\w*",
        r"worr\w*",
        r"behaviour\w*",
    ),
    "reading and writing": (
        r"read(?:s|ing|er|ers)?",
        r"writ(?:e|es|ing|er|ers)",
        r"spell\w*",
        r"phonics",
        r"literacy",
        r"dyslexi\w*",
    ),
    "mathematics": (r"maths?", r"mathematic\w*", r"numbers?", r"numeracy", r"dyscalculia", r"counting"),
    "sensory needs": (r"sensory", r"noise", r"noisy", r"hearing", r"vision", r"visual impairment", r"deaf\w*"),
    "motor skills": (
        r"fine motor",
        r"gross motor",
        r"motor",
        r"handwriting",
        r"coordination",
        r"mobility",
        r"physical\w*",
        r"occupational therap\w*",
        r"physiotherap\w*",
        r"pencil",
    ),
    "attention": (r"attention", r"concentrat\w*", r"focus\w*", r"ADHD", r"on task"),
    "memory and processing": (
        r"memory",
        r"recall",
        r"processing speed",
        r"speed of processing",
        r"(?:auditory|visual|information|slow|verbal) processing",
        r"processing (?:of )?(?:information|instructions|language)",
    ),
    "self-care": (r"toilet\w*", r"self-care", r"dressing", r"eating", r"feeding"),
    "changes to routine": (r"routines?", r"transitions?", r"changes?"),
}

RULES: tuple[WordingRule, ...] = (
    # Provision (section F) ------------------------------------------------------------------------------
    WordingRule(
        id="provision-no-frequency",
        applies_to="provision",
        match="missing",
        patterns=(
            r"daily",
            r"weekly",
            r"fortnightly",
            r"monthly",
            r"termly",
            r"half[- ]termly",
            r"annually",
            r"yearly",
            r"twice",
            r"once",
            r"(?:each|every|per|a|an) (?:day|hour|week|fortnight|month|term|half[- ]term|year|lesson|morning|afternoon|"
            r"playtime|lunchtime|break)",
            r"(?:each|every|per|a) (?:school )?(?:day|week)",
            r"\d+ times",
            r"(?:in|during|across|throughout) (?:all|every|each) (?:lessons?|subjects?)",
            r"throughout the (?:school )?day",
            r"all day",
            r"at all times",
            r"full[- ]time",
            r"(?:morning|afternoon|lunchtime|break) (?:and \w+ )?(?:each|every) day",
            r"\d+ days? (?:a|per|each) week",
            r"Monday to Friday",
            r"(?:each|every|on) (?:Monday|Tuesday|Wednesday|Thursday|Friday)s?",
            r"(?:on )?(?:Mondays|Tuesdays|Wednesdays|Thursdays|Fridays)",
            r"(?:each|every|per) (?:\w+ )?(?:lesson|session|period)",
            r"p\.?w\.?",
            r"\d+ ?(?:hrs?|hours?|mins?|minutes?|sessions?) ?/ ?(?:day|week|wk|term)",
        ),
        explanation=(
            "This provision does not say how often it happens (for example daily, three times a week, each "
            "half term). Without a frequency no one can tell whether it was delivered."
        ),
        source=PROVISION_SOURCE,
        bad_example="Small-group phonics teaching with a teaching assistant for 20 minutes.",
        good_example="Small-group phonics teaching (group of 4) with a teaching assistant, 20 minutes daily.",
    ),
    WordingRule(
        id="provision-no-amount",
        applies_to="provision",
        match="missing",
        patterns=(
            rf"{_NUMBER}[- ]{_TIME_UNIT}",
            r"\d+ ?(?:mins?|hrs?|h)\b",
            r"full[- ]time",
            r"throughout the (?:school )?day",
            r"all day",
            r"at all times",
            r"(?:in|during|across|throughout) (?:all|every|each) (?:lessons?|subjects?)",
            r"(?:each|every) (?:lesson|morning|afternoon|playtime|lunchtime|break)",
            r"the whole (?:school )?day",
        ),
        explanation=(
            "This provision does not say how much: how long each session lasts or how many hours. "
            "Quantify it (for example 30 minutes, 6 sessions, 2 hours a week)."
        ),
        source=PROVISION_SOURCE,
        bad_example="Weekly speech and language therapy from a speech and language therapist.",
        good_example="A speech and language therapist will see her weekly for 30 minutes, one to one.",
    ),
    WordingRule(
        id="provision-no-who",
        applies_to="provision",
        match="missing",
        patterns=(
            r"(?:teaching|learning|classroom) assistants?",
            r"TAs?",
            r"HLTAs?",
            r"E?LSAs?",
            r"(?:[\w-]+ )?(?:support )?assistants?",
            r"(?:class |specialist |qualified |subject |form |support )?teachers?",
            r"SENCOs?",
            r"(?:speech and language |occupational |physio|play |music )?therapists?",
            r"SaLTs?",
            r"SLTs?",
            r"OTs?",
            r"(?:educational )?psychologists?",
            r"EPs?",
            r"(?:learning |key )?mentors?",
            r"key workers?",
            r"keyworkers?",
            r"(?:trained |named |familiar |designated |known )?adults?",
            r"(?:members? of )?staff",
            r"staff members?",
            r"nurses?",
            r"counsellors?",
            r"practitioners?",
            r"advisory (?:teacher|service)",
            r"outreach",
            r"tutors?",
            r"instructors?",
            r"(?:speech and language|occupational|physio) ?therapy",
        ),
        explanation=(
            "This provision does not say who delivers it, or with what training (for example a teaching "
            "assistant trained in the programme, a speech and language therapist)."
        ),
        source=PROVISION_SOURCE,
        bad_example="Precision teaching of high-frequency words, 10 minutes daily.",
        good_example="Precision teaching of high-frequency words, 10 minutes daily, one to one with a trained TA.",
    ),
    WordingRule(
        id="provision-group-size",
        applies_to="provision",
        match="phrase",
        patterns=(r"(?:small |nurture |social skills |social communication |intervention )?groups?",),
        unless=(
            rf"groups? of (?:no more than |at most |up to |about )?{_NUMBER}",
            rf"no more than {_NUMBER}",
            rf"{_NUMBER} (?:pupils|children|students|learners|peers)",
            r"\d+ ?: ?\d+",
            r"one[- ]to[- ]one",
            r"pairs?",
            rf"max(?:imum)?\.? (?:of )?{_NUMBER}",
            rf"\({_NUMBER}(?: pupils| children)?\)",
        ),
        explanation=(
            "This names a group but not its size. Say how many pupils and how many adults (for example a group "
            "of no more than 6 with one teaching assistant)."
        ),
        source=PROVISION_SOURCE,
        bad_example="Social skills group with the learning mentor, 30 minutes weekly.",
        good_example="Social skills group of 4 pupils with the learning mentor, 30 minutes weekly.",
    ),
    WordingRule(
        id="vague-access-to",
        applies_to="provision",
        match="phrase",
        patterns=(r"(?:have |has |given |will have )?access to",),
        explanation=(
            "“Access to” promises that something exists, not that the child will get it. Say what the child will "
            "receive, how much, how often and from whom."
        ),
        source=PROVISION_SOURCE,
        bad_example="Access to a quiet space when needed.",
        good_example="A quiet room with a known adult for 10 minutes at the start of each afternoon.",
    ),
    WordingRule(
        id="vague-opportunities",
        applies_to="provision",
        match="phrase",
        patterns=(r"opportunit(?:y|ies) (?:to|for)",),
        explanation=(
            "“Opportunities to” does not say what will happen. Name the activity, how often, how long and who leads it."
        ),
        source=PROVISION_SOURCE,
        bad_example="Opportunities to practise social skills with a teaching assistant, 20 minutes daily.",
        good_example="Practises turn-taking games one to one with a teaching assistant, 20 minutes daily.",
    ),
    WordingRule(
        id="vague-regular",
        applies_to="provision",
        match="phrase",
        patterns=(r"regular(?:ly)?", r"frequent(?:ly)?", r"ongoing", r"periodic(?:ally)?"),
        explanation=(
            "“Regular” can mean daily or once a term. Say exactly how often (for example three times a week)."
        ),
        source=PROVISION_SOURCE,
        bad_example="Regular check-ins with a key adult, 5 minutes each.",
        good_example="A check-in with a key adult for 5 minutes every morning.",
    ),
    WordingRule(
        id="vague-as-appropriate",
        applies_to="provision",
        match="phrase",
        patterns=(
            r"as (?:appropriate|needed|required|necessary)",
            r"(?:where|when|if) (?:appropriate|needed|required|necessary|possible)",
            r"when (?:he|she|they) needs? it",
            r"at the discretion of",
        ),
        explanation=(
            "“As appropriate” leaves it to someone to decide later whether the child gets the provision. The plan "
            "has to say what is provided, so it can be checked and enforced."
        ),
        source=PROVISION_SOURCE,
        bad_example="Movement breaks with a teaching assistant as appropriate.",
        good_example="A 5-minute movement break with a teaching assistant every hour.",
    ),
    WordingRule(
        id="vague-support-with",
        applies_to="provision",
        match="phrase",
        patterns=(
            r"support (?:with|for|to|in(?! (?:class|all lessons|lessons|the classroom)))",
            r"supported (?:with|to|in(?! (?:class|all lessons|lessons|the classroom)))",
            r"help(?: (?:him|her|them))? (?:with|to)",
        ),
        explanation=(
            "“Support with” does not say what the support is. Name the programme or approach, how much, how often "
            "and who gives it."
        ),
        source=PROVISION_SOURCE,
        bad_example="Support with reading from a teaching assistant, 20 minutes daily.",
        good_example="Daily 20-minute one-to-one reading session with a trained TA using a phonics programme.",
    ),
    WordingRule(
        id="vague-up-to",
        applies_to="provision",
        match="phrase",
        patterns=(rf"up to {_NUMBER}(?: {_TIME_UNIT})?",),
        explanation=(
            "“Up to” sets a most, not a least: up to 5 hours could be none. Give the amount the child will get."
        ),
        source=PROVISION_SOURCE,
        bad_example="Up to 5 hours a week of teaching assistant support in class.",
        good_example="5 hours a week of in-class help from a teaching assistant, in English and maths lessons.",
    ),
    WordingRule(
        id="vague-may-benefit",
        applies_to="provision",
        match="phrase",
        patterns=(r"(?:may|might|could|would) (?:benefit|be offered|be considered|receive|have)",),
        explanation=(
            "“May benefit from” is advice, not provision. Section F says what the child will receive: write it as "
            "a firm promise, or take it out."
        ),
        source=PROVISION_SOURCE,
        bad_example="She may benefit from a 30-minute weekly session with the school counsellor.",
        good_example="She will have a 30-minute session with the school counsellor each week.",
    ),
    WordingRule(
        id="vague-conditional",
        applies_to="provision",
        match="phrase",
        patterns=(
            r"subject to (?:availability|funding|resources|staffing|capacity)",
            r"as far as (?:possible|practicable|reasonable)",
            r"(?:where|when|if) (?:resources|staffing|funding|capacity) (?:allows?|permits?)",
            r"if funding allows",
            r"(?:which|that) (?:may|might|can|could) be shared",
        ),
        explanation=(
            "This makes the provision depend on what is available. Provision in section F is what the child will "
            "get; the LA must secure it (Children and Families Act 2014, s.42), whatever the school's resources."
        ),
        source=f"{PROVISION_SOURCE}; Children and Families Act 2014, s.42",
        bad_example="Weekly 30-minute speech and language therapy from a SaLT, subject to availability.",
        good_example="Weekly 30-minute speech and language therapy from a SaLT, one to one.",
    ),
    WordingRule(
        id="vague-level-of-support",
        applies_to="provision",
        match="phrase",
        patterns=(
            r"(?:a )?(?:high|significant|appropriate|adequate|sufficient|considerable|increased|enhanced) "
            r"(?:level|amount|degree) of (?:adult )?(?:support|help|supervision)",
        ),
        explanation=(
            "“A high level of support” does not say what the support is or how much. Say what adults will do, "
            "for how many hours, and with what training."
        ),
        source=PROVISION_SOURCE,
        bad_example="He needs a high level of adult support in class from a teaching assistant, daily for 2 hours.",
        good_example="A teaching assistant works with him in class for 2 hours daily, in English and maths.",
    ),
    # Outcomes (section E, support-plan outcomes) ---------------------------------------------------------
    WordingRule(
        id="outcome-no-measure",
        applies_to="outcome",
        match="missing",
        patterns=(
            r"(?<!year )(?<!stage )(?<!ks)(?<!ks )(?!(?:19|20)\d\d(?!\d))\d+",
            r"%|per ?cent",
            r"out of",
            r"one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred",
            r"independently",
            r"without (?:adult |an adult's |a visual |verbal )?(?:help|support|prompts?|prompting|reminders?)",
            r"(?:with|using) (?:a |his |her |their )?(?:visual|symbol|word mat|timer|checklist)",
            r"measured (?:by|with|using)",
            r"as shown by",
            r"as recorded",
            r"on (?:most|all|every) (?:days|occasions)",
            r"\d+-(?:word|step|part|digit|syllable|letter)s?",
            r"(?:once|twice) (?:a|per|each) (?:day|week|lesson)",
            r"accura\w+",
            r"each (?:day|time|lesson|week)",
            r"every (?:day|time|lesson|week)",
        ),
        explanation=(
            "This outcome has no measure: nothing says how anyone will know it has been achieved (a number, a "
            "level, how often, how independently)."
        ),
        source=OUTCOME_SOURCE,
        bad_example="Sam will improve his reading by the end of Year 4.",
        good_example="By the end of Year 4, Sam will read 40 of the first 100 high-frequency words without help.",
    ),
    WordingRule(
        id="outcome-no-timescale",
        applies_to="outcome",
        match="missing",
        patterns=(
            r"by (?:the )?(?:end|start|summer|spring|autumn|christmas|easter|age|time|next)",
            r"by (?:the )?(?:end of )?(?:year|key stage|KS) ?\d+",
            r"by (?:january|february|march|april|may|june|july|august|september|october|november|december)",
            r"by \d{4}",
            r"within (?:\d+|a|one|two|three|four|six|twelve) (?:weeks?|months?|terms?|years?)",
            r"in (?:\d+|a|one|two|three|four|six|twelve) (?:weeks?|months?|terms?|years?)",
            r"(?:at|by) (?:the|his|her|their) next (?:annual )?review",
            r"before (?:he|she|they) (?:moves?|leaves?|starts?|transfers?)",
            r"(?:this|next) (?:term|year|school year|academic year)",
            r"end of (?:the )?(?:term|year|key stage|primary|secondary|phase)",
        ),
        explanation=(
            "This outcome has no timescale. Say by when it should be achieved (for example by the end of Key "
            "Stage 2, within 12 months, by the next annual review)."
        ),
        source=OUTCOME_SOURCE,
        bad_example="Amira will write three sentences independently using a word mat.",
        good_example="By the end of the summer term, Amira will write three sentences independently using a word mat.",
    ),
    WordingRule(
        id="outcome-is-provision",
        applies_to="outcome",
        match="phrase",
        patterns=(
            r"will (?:be supported|receive|be given|be provided|have access|be offered|attend)",
            r"will have (?:daily|weekly|regular|a (?:daily|weekly)|\d+)",
            r"(?:is|are|be) (?:provided|offered|given)",
        ),
        explanation=(
            "This outcome describes what adults will provide, not the difference for the child. An outcome says "
            "what the child will be able to do; the provision goes in section F."
        ),
        source=OUTCOME_SOURCE,
        bad_example="By the end of Year 5, Leo will receive three speech and language therapy sessions a term.",
        good_example="By the end of Year 5, Leo will follow two-step spoken instructions in class on 4 out of 5 tries.",
    ),
    # Needs (section B) and empty sections ----------------------------------------------------------------
    WordingRule(
        id="need-without-outcome-or-provision",
        applies_to="need",
        match="unmatched_need",
        patterns=(),
        explanation=(
            "Section B describes this need ({family}), but no outcome in section E or provision in section F "
            "mentions it. Provision has to be set out for each and every need in section B."
        ),
        source=PROVISION_SOURCE,
        bad_example="Ella has difficulty with fine motor skills and handwriting.",
        good_example="Ella has difficulty understanding spoken instructions.",
    ),
    WordingRule(
        id="section-empty",
        applies_to="section",
        match="empty",
        patterns=(),
        explanation="Section {letter} is empty. Every EHC plan has sections A to K, each labelled and filled in.",
        source=f"{COP}, para 9.62; SEND Regulations 2014, reg 12(1)",
        bad_example="",
        good_example="See the outcomes below.",
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
