"""Held-out phrasings of the names evaluation: the same people, other sentences.

The main sentences (`templates`) and the redaction code were written by the same sessions, and
three "known by the name" phrases of the main set were added to the code's cues afterwards. These
sentences were written later, without reading the cue lists, and are never used to tune the
rules: a figure on them says how the rules carry over to phrasings they were not written for.
They also add one kind the main set lacks, `abjad_letter`: an Arabic-script name typed with the
other keyboard's letters (ي/ی, ك/ک, ة/ه), a tatweel or harakat. Numbers, identifiers and filler
sentences are the main set's (`templates`).
"""

# ruff: noqa: RUF001, RUF002, E501 - tables of sentences in eight languages, one a line
from __future__ import annotations

import random

from bench.names.templates import FILLER, LANGUAGES, NUMBERS, STRUCTURED

__all__ = ["FILLER", "LANGUAGES", "NUMBERS", "STRUCTURED"]

OWN = {
    "en": ["The nurse wrote down {n} and my age.", "A boy from the next tent was shouting {n} all morning.",
           "The interpreter said {n} was on the bus list.", "The doctor wanted to see {n} before noon."],
    "fr": ["L'infirmière a noté {n} et mon âge.", "Un garçon de la tente voisine criait {n} tout le matin.",
           "L'interprète a dit que {n} était sur la liste du bus.", "Le médecin voulait voir {n} avant midi."],
    "es": ["La enfermera anotó {n} y mi edad.", "Un niño de la carpa de al lado gritaba {n} toda la mañana.",
           "El intérprete dijo que {n} estaba en la lista del bus.", "El médico quería ver a {n} antes del mediodía."],
    "ar": ["سجلت الممرضة {n} وعمري في الدفتر.", "كان ولد من الخيمة المجاورة ينادي {n} طوال الصباح.",
           "قال المترجم إن {n} موجود في قائمة الحافلة.", "أراد الطبيب أن يرى {n} قبل الظهر."],
    "uk": ["Медсестра записала {n} і мій вік.", "Хлопчик із сусіднього намету кликав {n} цілий ранок.",
           "Перекладач сказав, що {n} є у списку на автобус.", "Лікар хотів оглянути {n} до обіду."],
    "prs": ["پرستار {n} و سن مرا در دفتر نوشت.", "یک پسر از خیمه پهلو تمام صبح {n} را صدا می‌کرد.",
            "ترجمان گفت که {n} در لیست بس است.", "داکتر می‌خواست {n} را پیش از چاشت ببیند."],
    "ps": ["نرسې {n} او زما عمر په کتابچه کې ولیکل.", "د څنګ خېمې یو هلک ټول سهار {n} ته غږ کاوه.",
           "ژباړونکي وویل چې {n} د بس په لیست کې دی.", "ډاکټر غوښتل چې {n} تر غرمې مخکې وویني."],
    "ti": ["ሓደ ቆልዓ ካብ ጎረቤት ድንኳን ምሉእ ንግሆ {n} ክጽውዕ ነይሩ።", "እቲ ተርጓሚ {n} ኣብ ዝርዝር ኣውቶቡስ ከም ዘሎ ነጊሩና።",
           "ዶክተር ቅድሚ ቐትሪ {n} ክርኢ ደልዩ።", "ነርስ {n} ኣብ መዝገብ ኣእትያ።"],
}  # fmt: skip

NAMING = {
    "en": ["My mother named me {n} after her sister."],
    "fr": ["Ma mère m'a donné le prénom {n}, comme sa sœur."],
    "es": ["Mi madre me puso {n} por su hermana."],
    "ar": ["أمي سمتني {n} على اسم أختها."],
    "uk": ["Мама назвала мене {n} на честь своєї сестри."],
    "prs": ["مادرم مرا به اسم خواهرش {n} نام گذاشت."],
    "ps": ["مور مې زه د خپلې خور په نوم {n} ونومولم."],
    "ti": ["ኣደይ ብሓፍታ {n} ኢላ ሰምያትኒ።"],
}

CLITIC = {
    "ar": [
        "قلت ل{n} أن ينتظرني عند الباب.",
        "ف{n} لم يأكل شيئا منذ يومين.",
        "مررنا ب{n} عند الحاجز.",
    ],
    "prs": ["{n}را در بندر گم کردیم.", "و{n} هم گرسنه بود."],
    "ti": ["ን{n} ኣብ ጣብያ ረኺበዮ።", "{n}ውን ምሳና ነይሩ።", "{n}ዶ ትፈልጦ?"],
}

ABJAD_LETTER = {
    "ar": ["رأيت {n} في طابور الماء.", "جاء {n} متأخرا إلى التسجيل."],
    "prs": ["{n} در صف آب ایستاده بود.", "در دفتر ثبت {n} را دیدم."],
}

INFLECTED = {
    "uk": ["Я довго чекала на {n}.", "Ми жили в одній кімнаті з {n}.", "Без {n} я б не доїхала."],
}

CROSS = {
    "en": ["The airline ticket says {n}."],
    "fr": ["Sur le billet d'avion il y a {n}."],
    "es": ["En el boleto dice {n}."],
    "ar": ["على تذكرة الطائرة مكتوب {n}."],
    "uk": ["На квитку написали {n}."],
    "prs": ["روی تکت طیاره {n} نوشته بود."],
    "ps": ["د الوتکې په ټکټ {n} لیکل شوی و."],
    "ti": ["ኣብ ትኬት ነፋሪት {n} ተጻሒፉ ነበረ።"],
}

FAMILY = {
    "en": ["My uncle {f} stayed in Libya."],
    "fr": ["Mon oncle {f} est resté en Libye."],
    "es": ["Mi tío {f} se quedó en Libia."],
    "ar": ["بقي عمي {f} في ليبيا."],
    "uk": ["Мій дядько {f} залишився в Польщі."],
    "prs": ["کاکایم {f} در ایران ماند."],
    "ps": ["زما کاکا {f} په ایران کې پاتې شو."],
    "ti": ["ኣኮይ {f} ኣብ ሊብያ ተሪፉ።"],
}

COMMON = {
    "hope": ["I have no {w} for the asylum decision.", "The letter gave us some {w}."],
    "blessing": ["Finding my son was a real {w}.", "The old man gave his {w} to the children."],
    "bright": ["The lights in the tent were too {w}.", "Tomorrow will be {w} and warm."],
    "patience": ["The guards lost {w} with us.", "Waiting needs {w} and time."],
    "esperanza": ["Perdimos la {w} en la frontera.", "Con {w} seguimos caminando."],
    "dolores": ["Mi hijo tiene {w} de estómago.", "Los {w} empezaron en el barco."],
    "luz": ["La {w} del sol nos quemaba.", "Sin {w} no podíamos ver el camino."],
    "أمل": ["فقدنا كل {w} في العودة.", "ما زال عندي {w} صغير."],
    "نور": ["دخل {w} الصباح من النافذة.", "نحتاج إلى {w} في الخيمة."],
    "هدى": ["نسأل الله {w} لأولادنا.", "كانت كلمات الشيخ {w} للناس."],
    "وئام": ["يعيش الناس هنا في {w}.", "لا يوجد {w} بين العائلات في المخيم."],
    "надія": ["Наша {w} згасала щодня.", "У мене є {w} на краще."],
    "віра": ["Моя {w} в людей повернулася.", "Ця {w} дала мені сили."],
    "любов": ["Моя {w} до дому не зникла.", "Нас тримала лише {w} до дітей."],
    "امید": ["ما هیچ {w} به برگشت نداریم.", "این خبر به ما {w} داد."],
    "گل": ["مادرم {w} سرخ را دوست داشت.", "کنار خیمه یک {w} کوچک روییده بود."],
    "نرگس": ["بوی {w} را دوست دارم.", "در گلدان یک شاخه {w} بود."],
    "ሰላም": ["ንዓና {w} የድልየና።", "ድሕሪ ኲናት {w} ኣይመጸን።"],
    "ተስፋ": ["ብዙሕ {w} ነይሩና።", "ሕጂ {w} ቆሪጽና።"],
    "ብርሃን": ["ናይ ጸሓይ {w} ኣብ ድንኳን ኣትዩ።", "ብዘይ {w} ክንጓዓዝ ኣይከኣልናን።"],
    "ሕድሪ": ["ኣደይ {w} ገዲፋትልና።", "እዚ ናይ ዓዲ {w} እዩ።"],
}

_SWAPS = (("ي", "ی"), ("ی", "ي"), ("ك", "ک"), ("ک", "ك"), ("ة", "ه"), ("ه", "ة"))
_HARAKAT = ("\u064e", "\u064f", "\u0650", "\u0651")


def abjad_letters(rng: random.Random, name: str) -> str:
    """`name` as another keyboard types it: one letter of the other keyboard (Arabic ي ك ة
    for Persian ی ک ه and the reverse), else a tatweel or a haraka inside the word."""
    for source, target in rng.sample(_SWAPS, k=len(_SWAPS)):
        if source in name and not (source in "هة" and not name.endswith(source)):
            return name[::-1].replace(source, target, 1)[::-1]
    inside = [at for at in range(1, len(name)) if " " not in name[at - 1 : at + 1]]
    at = rng.choice(inside) if inside else len(name)
    mark = "\u0640" if rng.random() < 0.5 else rng.choice(_HARAKAT)
    return name[:at] + mark + name[at:]


def stories(count: int, seed: int = 20270101) -> list:
    """The held-out stories (another seed than the main set's)."""
    import sys

    from bench.names import generate

    return generate.stories(count, seed, sys.modules[__name__])
