from __future__ import annotations

import pytest

from bot.commands import CallerIdQuestion, Help, StartSetup, Unknown, parse_command


@pytest.mark.parametrize(
    "text",
    [
        "which number do I call out as?",
        "Which number do I call out as",
        "what's my caller ID",
        "What\u2019s my caller id?",
        "what is my caller-id",
        "what number do people see when I call?",
        "my number?",
        "caller id",
        "callerid",
        "What is my phone number",
        "what number will I show",
        "  which   number do i   call out as ?? ",
    ],
)
def test_everyday_phrasings_ask_about_the_asker(text: str) -> None:
    assert parse_command(text) == CallerIdQuestion(subject=None)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("which number does Lee Gu call out as?", "Lee Gu"),
        ("which number does LeeG@contoso.example call out as", "LeeG@contoso.example"),
        ("what's Lee's caller id", "Lee"),
        ("What is Patti Fernandez's caller ID?", "Patti Fernandez"),
        ("what\u2019s Nestor Wilke\u2019s number", "Nestor Wilke"),
        ("caller id for Contoso Employee 00", "Contoso Employee 00"),
        ("Caller ID of JohannaL@contoso.example", "JohannaL@contoso.example"),
        ("Lynne Robbins's caller id", "Lynne Robbins"),
        ("what number do people see when Grady calls?", "Grady"),
    ],
)
def test_questions_about_someone_name_them(text: str, subject: str) -> None:
    assert parse_command(text) == CallerIdQuestion(subject=subject)


@pytest.mark.parametrize("text", ["help", "HELP", "Help!", "?", "what can you do", ""])
def test_help_and_empty_messages_ask_for_help(text: str) -> None:
    assert parse_command(text) == Help()


@pytest.mark.parametrize("text", ["thanks", "what's the weather", "set up my phone"])
def test_anything_else_is_unknown(text: str) -> None:
    assert isinstance(parse_command(text), Unknown)


def test_unknown_keeps_the_cleaned_text() -> None:
    assert parse_command("  thanks   a lot! ") == Unknown("thanks a lot")


@pytest.mark.parametrize(
    "text",
    [
        "set up shared calling",
        "Set up Shared Calling",
        "setup shared calling",
        "set-up shared calling",
        "please set up shared calling",
        "let\u2019s set up Shared Calling",
        "configure shared calling for Diego",
        "add users to shared calling",
        "roll out shared calling",
        "shared calling setup",
        "start the set-up",
        "resume setup",
        "setup",
        "set up!",
    ],
)
def test_natural_variants_start_the_set_up(text: str) -> None:
    assert parse_command(text) == StartSetup()


@pytest.mark.parametrize(
    "text", ["what is shared calling", "which number does Setup call out as?", "set up my phone"]
)
def test_other_sentences_with_set_up_words_do_not_start_it(text: str) -> None:
    assert parse_command(text) != StartSetup()


@pytest.mark.parametrize(
    "text",
    [
        "can I get a phone number?",
        "Could I have a number, please",
        "request shared calling",
        "I need to call a customer",
        "i need to call customers about their orders",
        "I need a phone number",
        "sign me up for shared calling",
        "request for me",
        "get me a number",
    ],
)
def test_asking_for_a_number_for_oneself_is_a_self_service_request(text: str) -> None:
    from bot.commands import RequestForMe, parse_command

    assert parse_command(text) == RequestForMe()


@pytest.mark.parametrize(
    "text", ["which number do I call out as?", "what is my number", "set up shared calling"]
)
def test_the_caller_id_question_and_the_set_up_keep_their_meaning(text: str) -> None:
    from bot.commands import RequestForMe, parse_command

    assert parse_command(text) != RequestForMe()
