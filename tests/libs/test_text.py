from libs.text import normalise, tokens


def test_arabic_spelling_variants_meet() -> None:
    # diacritics, tatweel, alef with hamza, ta marbuta, alef maqsura
    assert tokens("الإِحْصَاءات السكانيـــة") == tokens("الاحصاءات السكانيه")
    assert normalise("مستشفى") == normalise("مستشفي")
    assert normalise("أمن") == normalise("امن") == normalise("إمن") == normalise("آمن")
    assert normalise("مدرسة") == normalise("مدرسه")


def test_french_case_and_accents_fold() -> None:
    assert normalise("Éducation NATIONALE") == "education nationale"
    assert normalise("Œuvres d'état") == "oeuvres d'etat"
    assert tokens("santé_publique, Hôpitaux") == ["sante", "publique", "hopitaux"]


def test_arabic_letters_that_differ_stay_different() -> None:
    assert normalise("كتب") != normalise("كتاب")
    assert normalise("") == "" and normalise(None) == ""
