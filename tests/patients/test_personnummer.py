import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from patients.personnummer import IdentityKind, luhn_checksum_ok, parse_identity

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("121212-1212", "201212121212"),  # ten digits: the latest century not in the future
        ("1212121212", "201212121212"),
        ("121212+1212", "191212121212"),  # plus: a hundred years or more
        (" 19121212-1212 ", "191212121212"),
        ("20000229-0005", None),
    ],
)
def test_accepted_formats_normalise_to_twelve_digits(raw, digits):
    identity = parse_identity(raw, today=TODAY)
    if digits:
        assert identity.digits == digits
    assert identity.formatted == f"{identity.digits[:8]}-{identity.digits[8:]}"
    assert identity.kind is IdentityKind.PERSONNUMMER


def test_wrong_checksum_names_the_check_digit():
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            parse_identity("19121212-1213", today=TODAY)
        assert info.value.code == "checksum"
        assert "check digit" in info.value.messages[0]


@pytest.mark.parametrize("raw", ["19120230-1212", "19121332-1212", "19121200-1212", "19010229-1234"])
def test_impossible_date_is_refused(raw):
    with pytest.raises(ValidationError) as info:
        parse_identity(raw, today=TODAY)
    assert info.value.code == "date"


def test_samordningsnummer_has_sixty_added_to_the_day():
    identity = parse_identity("19701063-2391", today=TODAY)
    assert identity.kind is IdentityKind.SAMORDNINGSNUMMER
    assert identity.birth_date == datetime.date(1970, 10, 3)


def test_samordningsnummer_with_impossible_day_is_refused():
    # day 92 - 60 = 32
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            parse_identity("19701092-2396", today=TODAY)
        assert info.value.code == "date"
        assert "samordningsnummer" in info.value.messages[0]


@pytest.mark.parametrize("raw", ["", "abc", "1912121212121", "19121212_1212", "1912-12-12-1212"])
def test_garbage_is_a_format_error(raw):
    with pytest.raises(ValidationError) as info:
        parse_identity(raw, today=TODAY)
    assert info.value.code == "format"


def test_plus_sign_with_century_is_refused():
    with pytest.raises(ValidationError):
        parse_identity("19121212+1212", today=TODAY)


def test_luhn_known_values():
    assert luhn_checksum_ok("1212121212")
    assert not luhn_checksum_ok("1212121213")


def test_error_messages_are_swedish_by_default():
    with translation.override("sv"):
        with pytest.raises(ValidationError) as info:
            parse_identity("19121212-1213", today=TODAY)
        # The message is lazy: read it in the language of the request, not whatever another test left.
        assert "kontrollsiffra" in str(info.value.messages[0]).lower()
