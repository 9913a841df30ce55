"""Romanised Chinese names: syllable runs map back to the characters they spell."""
from index.words.romanise import latin_words, places_spelled, sound_alike, syllable_runs


def test_runs_spell_their_characters():
    runs = syllable_runs("李沧区政府")
    assert runs["licang"] == "李沧" and runs["licangqu"] == "李沧区" and runs["cangquzheng"] == "沧区政"
    assert "li" not in runs and "licangquzhengfu" not in runs  # 2 to 4 syllables only
    assert syllable_runs("PPP项目") == {"xiangmu": "项目"}


def test_latin_words_are_lower_cased_and_at_least_four_letters():
    assert latin_words("How many grids is Shibei District divided into?") == {
        "many", "grids", "shibei", "district", "divided", "into"}
    assert latin_words("李沧区") == set()


def test_a_sound_alike_spelling_keeps_a_character_and_the_whole_sound():
    assert sound_alike("李仓区", "李沧区政府的案例") == "李沧区"
    assert sound_alike("市北区", "市南区、市北区") is None  # spelled right: nothing to correct
    assert sound_alike("李仓区", "李昌区") is None  # one character kept, another sound (chang, not cang)
    assert sound_alike("崂山区", "李沧区政府") is None
    assert sound_alike("李仓区1", "李沧区1") is None  # names are Chinese characters only


def test_a_capitalised_word_spelling_one_place_names_it():
    places = frozenset({"平度", "崂山", "平山", "屏山", "李沧"})
    assert places_spelled("What was Pingdu's innovation case about?", places) == [("pingdu", "平度")]
    assert places_spelled("What did Laoshan and Licang do? And Laoshan?", places) == [
        ("laoshan", "崂山"), ("licang", "李沧")]
    assert places_spelled("pingdu in lower case is no proper noun", places) == []
    assert places_spelled("Pingshan has two places of that sound", places) == [("pingshan", "屏山/平山")]
