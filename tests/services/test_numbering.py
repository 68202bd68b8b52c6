import pytest

from sharedcalling.domain.errors import InvalidInput
from sharedcalling.services.numbering import country_of, display_number, normalize_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+14255550100", "+14255550100"),
        ("+1 (425) 555-0100", "+14255550100"),
        ("  tel:+1 425 555 0191 ", "+14255550191"),
        ("+49 30 23125 100", "+493023125100"),
    ],
)
def test_admin_spellings_normalise_to_e164(text: str, expected: str) -> None:
    assert normalize_number(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("4255550100", "not an international number"),
        ("+1 abc", "not a phone number"),
        ("+1 425 555", "not a valid phone number"),
        ("+" + "1" * 80, "too long"),
        ("+14255550100;ext=12", "has an extension"),
    ],
)
def test_malformed_numbers_are_refused_with_a_reason(text: str, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        normalize_number(text)


def test_extension_is_kept_when_allowed_and_must_be_digits() -> None:
    assert normalize_number("+49 30 23125 142;ext=142", allow_extension=True) == (
        "+493023125142;ext=142"
    )
    with pytest.raises(InvalidInput, match="invalid extension"):
        normalize_number("+493023125142;ext=1$2", allow_extension=True)


def test_country_is_derived_from_the_number_including_shared_country_codes() -> None:
    assert country_of("+14255550100") == "US"
    assert country_of("+493023125100;ext=7") == "DE"
    assert country_of("+61255501234") == "AU"
    assert country_of("not a number") is None


def test_display_number_is_international_and_shows_the_extension() -> None:
    assert display_number("+14255550100") == "+1 425-555-0100"
    assert display_number("+493023125142;ext=142") == "+49 30 23125142 ext. 142"
    assert display_number("garbage") == "garbage"
