"""Plan-wording checks (trusts.plan_wording): every rule's own examples, then a corpus of real-shaped plan
sentences from sections B, E and F, good and bad, each with the findings a SENCO should see."""

from __future__ import annotations

import pytest

from trusts import plan_wording as pw

SENTENCE_RULES = [r for r in pw.RULES if r.applies_to in {"provision", "outcome"}]


def _ids(kind: str, text: str) -> set[str]:
    return {f.rule.id for s in pw.check_sentences(kind, [text]) for f in s.findings}  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", SENTENCE_RULES, ids=lambda r: r.id)
def test_each_rules_bad_example_triggers_it(rule: pw.WordingRule) -> None:
    assert rule.id in _ids(rule.applies_to, rule.bad_example)


@pytest.mark.parametrize("rule", SENTENCE_RULES, ids=lambda r: r.id)
def test_each_rules_good_example_triggers_no_rule(rule: pw.WordingRule) -> None:
    assert _ids(rule.applies_to, rule.good_example) == set()


def test_the_need_rule_examples() -> None:
    rule = pw.RULES_BY_ID["need-without-outcome-or-provision"]
    outcomes = "By the end of Year 3, Ella will follow two-step instructions in class on 4 out of 5 tries."
    provision = "A speech and language therapist will see Ella for 30 minutes weekly, one to one."
    bad = pw.check_plan({"B": rule.bad_example, "E": outcomes, "F": provision})
    assert [(f.rule.id, f.detail) for f in bad] == [(rule.id, "motor skills")]
    assert pw.check_plan({"B": rule.good_example, "E": outcomes, "F": provision}) == []


def test_the_empty_section_rule_examples() -> None:
    rule = pw.RULES_BY_ID["section-empty"]
    found = pw.check_plan({"K": rule.bad_example})
    assert [(f.rule.id, f.section, f.explanation) for f in found] == [
        (rule.id, "K", "Section K is empty. Every EHC plan has sections A to K, each labelled and filled in.")
    ]
    assert pw.check_plan({"K": rule.good_example}) == []


def test_every_rule_names_its_source_and_explains_itself() -> None:
    assert len({r.id for r in pw.RULES}) == len(pw.RULES)
    for rule in pw.RULES:
        assert rule.source.startswith("SEND Code of Practice 2015, para 9.6"), rule.id
        assert len(rule.explanation) > 40, rule.id


# The corpus: (kind, sentence, the findings expected). Quantified provision passes; each vague habit of
# real drafts is caught by the rule that names it.
PROVISION = [
    # Specific wording as LAs write it (found once as false alarms, now quiet).
    ("Weekly 30-minute session with a trained Emotional Literacy Support Assistant, one to one.", set()),
    ("Daily 20-minute session with an LSA, one to one.", set()),
    ("Phonics in a group of 4 for 20 minutes each Monday with a teaching assistant.", set()),
    ("A teaching assistant will help him change for 15 minutes each PE lesson.", set()),
    ("25hrs/week of 1:1 TA support in class.", set()),
    ("Twenty-five hours per week of 1:1 TA support.", set()),
    ("Social skills small group (max 6) with the learning mentor, 30 minutes weekly.", set()),
    ("Lego therapy with a trained TA, e.g. 30 minutes weekly in a group of 3.", set()),
    ("Speech therapy (approx. 30 minutes weekly) from a SaLT.", set()),
    # Provision that depends on what is available, or on "a high level of support".
    ("He will need a high level of adult support throughout the day.", {"vague-level-of-support"}),
    ("Support from a TA for 20 hours a week, which may be shared.", {"vague-conditional"}),
    ("Weekly 30 minutes from a SaLT, subject to availability.", {"vague-conditional"}),
    ("Daily reading with a TA for 20 minutes, as far as possible.", {"vague-conditional"}),
    ("20 minutes daily 1:1 with a trained TA", set()),
    (
        "A speech and language therapist will deliver a programme of direct therapy for 6 sessions of 45 minutes "
        "each half term.",
        set(),
    ),
    ("Daily 20-minute one-to-one reading session with a trained TA using a phonics programme.", set()),
    ("Precision teaching of number bonds for 10 minutes, three times a week, with a teaching assistant.", set()),
    (
        "An occupational therapist will see him for 6 sessions of 40 minutes over the autumn term.",
        {"provision-no-frequency"},
    ),
    ("Sensory circuit led by a trained TA, 15 minutes every morning before registration.", set()),
    ("Social communication group of 6 pupils with a teaching assistant, 2 hours weekly.", set()),
    ("A named adult meets her at the gate for 10 minutes each day.", set()),
    ("A visual timetable, used in all lessons by the class teacher.", set()),
    ("Full-time support from a teaching assistant throughout the school day.", set()),
    ("The class teacher will pre-teach topic vocabulary for 15 minutes twice a week.", set()),
    ("Access to speech and language therapy.", {"vague-access-to", "provision-no-frequency", "provision-no-amount"}),
    (
        "Access to a quiet space when needed.",
        {
            "vague-access-to",
            "vague-as-appropriate",
            "provision-no-frequency",
            "provision-no-amount",
            "provision-no-who",
        },
    ),
    (
        "Opportunities to develop social skills.",
        {"vague-opportunities", "provision-no-frequency", "provision-no-amount", "provision-no-who"},
    ),
    ("Regular speech and language therapy.", {"vague-regular", "provision-no-frequency", "provision-no-amount"}),
    ("Regular check-ins with a key adult.", {"vague-regular", "provision-no-frequency", "provision-no-amount"}),
    (
        "Movement breaks as appropriate.",
        {"vague-as-appropriate", "provision-no-frequency", "provision-no-amount", "provision-no-who"},
    ),
    (
        "Adult support with writing tasks where necessary.",
        {"vague-support-with", "vague-as-appropriate", "provision-no-frequency", "provision-no-amount"},
    ),
    (
        "Support with reading.",
        {"vague-support-with", "provision-no-frequency", "provision-no-amount", "provision-no-who"},
    ),
    ("Up to 5 hours a week of teaching assistant support in class.", {"vague-up-to"}),
    (
        "Small group work to develop phonics.",
        {"provision-group-size", "provision-no-frequency", "provision-no-amount", "provision-no-who"},
    ),
    ("Nurture group with the learning mentor, 30 minutes daily.", {"provision-group-size"}),
    ("Weekly speech and language therapy.", {"provision-no-amount"}),
    (
        "A teaching assistant will help him to organise his equipment.",
        {"vague-support-with", "provision-no-frequency", "provision-no-amount"},
    ),
    ("He would benefit from a weekly 30-minute session with a counsellor.", {"vague-may-benefit"}),
    ("Daily handwriting practice.", {"provision-no-amount", "provision-no-who"}),
    ("A differentiated curriculum.", {"provision-no-frequency", "provision-no-amount", "provision-no-who"}),
    ("Ongoing monitoring by the SENCO.", {"vague-regular", "provision-no-frequency", "provision-no-amount"}),
]

OUTCOMES = [
    ("By the end of Year 2, Ali will initiate a conversation with a peer at least once a day.", set()),
    ("By the end of Year 2, Ali will use 2-word phrases to ask for help.", set()),
    ("By the end of Year 2, Ali will consistently be more independent.", {"outcome-no-measure"}),
    ("By the end of Year 2, Ali will attend a social skills group.", {"outcome-no-measure", "outcome-is-provision"}),
    ("By the end of Year 4, Sam will read 40 of the first 100 high-frequency words without help.", set()),
    ("By the end of Key Stage 2, Amira will write a paragraph of five sentences independently.", set()),
    ("Within 12 months, Leo will ask an adult for help when stuck on 4 out of 5 occasions.", set()),
    ("By the summer term, Ella will move between lessons calmly using her visual timetable.", set()),
    ("By his next annual review, Jay will take part in a 10-minute turn-taking game with two peers.", set()),
    ("Sam will improve his reading.", {"outcome-no-measure", "outcome-no-timescale"}),
    ("Amira will develop her social skills.", {"outcome-no-measure", "outcome-no-timescale"}),
    ("Leo will make progress in maths by the end of the year.", {"outcome-no-measure"}),
    ("Ella will be able to write 3 sentences.", {"outcome-no-timescale"}),
    ("Jay will be more confident.", {"outcome-no-measure", "outcome-no-timescale"}),
    (
        "Sam will receive speech and language therapy.",
        {"outcome-is-provision", "outcome-no-measure", "outcome-no-timescale"},
    ),
    (
        "By July 2027, Amira will be supported to manage her anxiety.",
        {"outcome-is-provision", "outcome-no-measure"},
    ),
    ("Leo will be happy at school.", {"outcome-no-measure", "outcome-no-timescale"}),
    ("By the end of Year 6, Ella will make friends.", {"outcome-no-measure"}),
]


@pytest.mark.parametrize(("text", "expected"), PROVISION, ids=[t[:40] for t, _ in PROVISION])
def test_provision_corpus(text: str, expected: set[str]) -> None:
    assert _ids("provision", text) == expected


@pytest.mark.parametrize(("text", "expected"), OUTCOMES, ids=[t[:40] for t, _ in OUTCOMES])
def test_outcome_corpus(text: str, expected: set[str]) -> None:
    assert _ids("outcome", text) == expected


VAGUE_DRAFT = {
    "B": (
        "Communication and interaction:\n"
        "- Sam has difficulty understanding spoken instructions and finds it hard to make friends.\n"
        "- Sam has difficulty with fine motor skills and handwriting.\n"
        "Social, emotional and mental health:\n"
        "- He becomes anxious at transitions."
    ),
    "E": "Sam will improve his communication skills.\nSam will be happier at school and manage his anxiety.",
    "F": (
        "- Access to speech and language therapy.\n"
        "- Regular check-ins with a key adult\n  to talk about how he is feeling.\n"
        "- Small group work on social skills as appropriate."
    ),
    "K": "",
}


def test_a_vague_draft_gets_each_finding_beside_its_sentence() -> None:
    checked = pw.review_plan(VAGUE_DRAFT)
    b, e, f, k = checked
    assert [s.text for s in b.sentences] == [
        "Communication and interaction:",
        "Sam has difficulty understanding spoken instructions and finds it hard to make friends.",
        "Sam has difficulty with fine motor skills and handwriting.",
        "Social, emotional and mental health:",
        "He becomes anxious at transitions.",
    ]
    assert [(x.rule.id, x.detail) for x in b.sentences[2].findings] == [
        ("need-without-outcome-or-provision", "motor skills")
    ]
    # The wrapped line of the pasted draft joins its item.
    assert f.sentences[1].text == "Regular check-ins with a key adult to talk about how he is feeling."
    assert {x.rule.id for x in f.sentences[2].findings} == {
        "provision-group-size",
        "vague-as-appropriate",
        "provision-no-frequency",
        "provision-no-amount",
        "provision-no-who",
    }
    assert [x.rule.id for x in k.findings] == ["section-empty"]
    assert {x.rule.id for x in e.sentences[0].findings} == {"outcome-no-measure", "outcome-no-timescale"}


def test_findings_read_as_a_list_for_the_reply_to_the_la() -> None:
    text = pw.findings_as_text(pw.check_plan({"F": "Access to speech and language therapy, 30 minutes weekly."}))
    assert text == (
        "Points on the wording of the draft plan:\n"
        "- Section F “Access to speech and language therapy, 30 minutes weekly.” (“Access to”): “Access to” "
        "promises that something exists, not that the child will get it. Say what the child will receive, how "
        "much, how often and from whom. (SEND Code of Practice 2015, para 9.69)"
    )
    assert pw.findings_as_text([]) == ""


def test_a_support_plan_outcome_can_leave_the_timescale_to_the_review_date() -> None:
    found = pw.check_outcome("Sam will read 40 high-frequency words", skip=["outcome-no-timescale"])
    assert found == []
    assert [f.rule.id for f in pw.check_outcome("Sam will improve his reading")] == [
        "outcome-no-measure",
        "outcome-no-timescale",
    ]


def test_a_sentence_is_not_cut_after_an_abbreviation_or_a_semicolon() -> None:
    text = "Lego therapy, e.g. with a trained TA; 30 minutes weekly. Speech therapy (approx. 30 minutes) weekly."
    assert pw.sentences(text) == [
        "Lego therapy, e.g. with a trained TA; 30 minutes weekly.",
        "Speech therapy (approx. 30 minutes) weekly.",
    ]


def test_a_finding_quotes_where_its_words_are() -> None:
    [row] = pw.check_sentences("provision", ["Playgroup staff give him a small group session, 20 minutes daily."])
    [group] = [f for f in row.findings if f.rule.id == "provision-group-size"]
    assert row.text[group.at : group.at + len(group.phrase)] == group.phrase == "small group"


def test_the_users_guide_lists_every_rule_with_its_source_and_examples() -> None:
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "plan-wording.md").read_text()
    for rule in pw.RULES:
        section = guide.split(f"### `{rule.id}`", 1)
        assert len(section) == 2, f"docs/plan-wording.md does not list {rule.id}"
        body = section[1].split("### ", 1)[0]
        assert rule.source in body and (rule.bad_example in body)
