"""Words that tell whether a word is a name: common words that are also given names, the titles
and kin words that announce a person, and the particles of compound names.

No library knows which names are also everyday words in eight languages, so this is data,
written for Waypoint: the given names of the regions Waypoint serves that are, written as they
are, a common word ("hope", أمل "hope", надія "hope", ሰላም "peace", امید "hope"). Such a word is
redacted only in a naming context (`variants`), so a list too short costs a homonym, never a
name. Words are compared in their `tokens.light` form (case and marks dropped, alef forms
unified), so على "on" is here while the name علي is not.
"""

from __future__ import annotations

import functools

from privacy.redaction.tokens import light

_COMMON_WORD_NAMES = """
hope faith grace joy mercy patience charity destiny dawn rose lily iris ruby amber hazel
summer april june may august star sky rain angel honey sunny bill mark will jack frank rich pat
sandy pearl crystal victory precious blessing gift goodness peace love sunday
espérance esperance constance aurore marguerite violette prudence clémence clemence victoire
grâce foi lumière pierre blanche joie paix
esperanza dolores consuelo paz luz rosa pilar fe caridad soledad amparo rocío rocio socorro
mercedes victoria alegría alegria milagros
أمل امل نور هدى سلام وفاء رجاء أمان إيمان صبر سعيد كريم جميل حسن نبيل هناء أمين فرح حنان
رحمة ضحى سماح بشرى جمال منى عادل حياة ندى سحر زهرة ورد ياسمين ريم شمس قمر نجمة أنور وليد على
سعادة فجر أمنية راضي صابر شريف عزيز سلمى صفاء نعمة حليم
امید نور گل بهار ستاره آرزو شادی پری زیبا باران نسیم روشن آزاد فرشته شیرین ناز مهر صبا
ګل ستوری سپوږمۍ خوشحال زړه ورین
надія віра любов калина лілія роза лада слава мир зоряна злата
ሰላም ተስፋ ፍቕሪ ሓጎስ ብርሃን ምሕረት ጸጋ ጽጌ ገነት ኣማን ሃብቶም ፍረ ክብሪ ሰናይ ትምኒት
"""

_TITLES = """
mr mrs ms miss mister madam dr sir m mme mlle monsieur madame sr sra srta señor senor señora
senora don doña dona السيد السيدة الأستاذ الاستاذة الحاج الحاجة آقای خانم ښاغلی اغلې пан пані
панові ኣቶ ወይዘሮ ወይዘሪት
"""
"""Titles: the next word is a name, in every script."""

_KIN = """
brother sister son daughter wife husband mother father mum mom dad cousin uncle aunt friend
grandmother grandfather grandma grandpa niece nephew baby neighbour neighbor frère frere sœur
soeur fils fille femme mari mère mere père pere cousine oncle tante ami amie voisin voisine
hermano hermana hijo hija esposa esposo marido madre padre primo prima tío tio tía tia amigo
amiga vecino vecina abuela abuelo يا أخي أختي ابني ابنتي بنتي زوجي زوجتي أمي أبي خالي عمي خالتي
عمتي صديقي صديقتي جاري جارتي برادرم خواهرم پسرم دخترم شوهرم خانمم مادرم پدرم کاکایم ماماکم
دوستم ورور خور زوی لور میړه ښځه مور پلار کاکا ماما ملګری брат сестра син дочка донька чоловік
дружина мама тато мати батько дядько тітка друг подруга кума сусід сусідка сина брата сестри
доньки дочки ሓወይ ሓፍተይ ወደይ ጓለይ ሰበየይ ኣደይ ኣቦይ ዓርከይ
"""
"""Kin words: a capitalised word after one is a name (Latin and Cyrillic script); before any
name word they are a naming context."""

_PARTICLES = """
al el abu abou ibn bin bint ben abd abdel abdul ould
ال أبو ابو ابن بن بنت عبد أم ام
"""
"""Parts of compound names, redacted only together with the next word (عبد الله, Abu Ali)."""


@functools.cache
def common_word_names() -> frozenset[str]:
    return frozenset(light(word) for word in _COMMON_WORD_NAMES.split())


@functools.cache
def titles() -> frozenset[str]:
    return frozenset(light(word) for word in _TITLES.split())


@functools.cache
def kin_words() -> frozenset[str]:
    return frozenset(light(word) for word in _KIN.split())


@functools.cache
def person_markers() -> frozenset[str]:
    """Titles and kin words."""
    return titles() | kin_words()


@functools.cache
def particles() -> frozenset[str]:
    return frozenset(light(word) for word in _PARTICLES.split())
