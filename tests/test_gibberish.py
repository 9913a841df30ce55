"""Input with no meaning in any language the bot reads gets the unusable-input reply."""
import pytest

from bot.understand.gibberish import is_gibberish
from bot.understand.normalize import prepare


@pytest.mark.parametrize("text", ["asdfghjkl qwerty", "zxcvb nmasd", "qwertyuiop", "hjkl;'"])
def test_keyboard_runs_are_gibberish(text):
    assert is_gibberish(text)
    assert prepare(text, 500).problem == "gibberish"


@pytest.mark.parametrize("text", ["How long is a passport valid?", "huzhao zenme ban", "Shibei district",
                                  "passport", "护照 asdf", "ok", "ID card lost"])
def test_english_pinyin_and_chinese_are_not(text):
    assert not is_gibberish(text)
    assert prepare(text, 500).problem == ""
