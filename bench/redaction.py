"""Free-text redaction: records/s of `Redactor.redact` on realistic multilingual stories.

    .venv/bin/python -c "from bench import redaction; print(redaction.run())"

Stories of 300-800 characters in English, French, Arabic, Ukrainian and Spanish, as told at a
service point in Italy by people from Afghanistan, Syria and Ukraine; about a third carry a
phone number (Italian, Afghan, Syrian or Ukrainian, international or national format, sometimes
in Arabic-Indic digits), some an e-mail address, an IBAN, a document number or a link, and many
mention the person's own name from the submission's `direct` answers, which are passed as
`direct_values` as the anonymisation task does.

No Django: `privacy.redaction` imports neither Django nor Celery (an import-linter contract
keeps it so), so no settings and no database are needed.
"""

# ruff: noqa: RUF001 - the stories are written in Ukrainian on purpose
from __future__ import annotations

import random
import statistics
import time
from collections import Counter

from privacy.redaction import Redactor

REGIONS = ("IT", "AF", "SY", "UA")
# The default of settings.WAYPOINT_ORIGIN_REGIONS (copied: the bench does not load Django), as
# the anonymisation task passes them after the service point's own country.
_ORIGINS = "AF SY UA ER SD SS SO ET VE CO HT HN GT IQ IR PK BD MM NG ML GN CI CD YE LY TN MA TR"
ORIGIN_REGIONS = tuple(_ORIGINS.split())

LATIN_NAMES = [
    ("Ahmad", "Karimi"),
    ("Mohammad", "Rahimi"),
    ("Fatima", "Haidari"),
    ("Zahra", "Ahmadi"),
    ("Omar", "Al-Hassan"),
    ("Hala", "Khalil"),
    ("Olena", "Kovalenko"),
    ("Andrii", "Shevchenko"),
    ("Mariam", "Noori"),
    ("Yusuf", "Darwish"),
    ("Amina", "Sultani"),
    ("Bilal", "Haddad"),
]
ARABIC_NAMES = [
    ("أحمد", "كريمي"),
    ("محمد", "رحيمي"),
    ("فاطمة", "حيدري"),
    ("عمر", "الحسن"),
    ("هالة", "خليل"),
    ("مريم", "نوري"),
    ("يوسف", "درويش"),
    ("بلال", "حداد"),
]
UKRAINIAN_NAMES = [("Олена", "Коваленко"), ("Андрій", "Шевченко"), ("Ірина", "Бондаренко")]
CITIES = ["Milano", "Roma", "Kabul", "Herat", "Aleppo", "Homs", "Kharkiv", "Lampedusa", "Trieste"]

SENTENCES = {
    "en": [
        "I left {city} in {year} with my two children because the fighting came close to us.",
        "We crossed three borders and walked for many nights, I was {age} years old then.",
        "At the service point the volunteers gave us water, blankets and a phone charger.",
        "The hardest part was not knowing where my brother was for almost four months.",
        "We paid {amount} dollars to the smugglers and they left us in the mountains.",
        "Nobody explained the asylum procedure in a language I could understand.",
        "My daughter needs medicine for her asthma and the clinic was closed on Sundays.",
        "I would like to work as a tailor again, I did this for eleven years at home.",
        "The Red Cross helped me call my mother for the first time since we left.",
        "Now we share one room with another family and the children cannot sleep.",
    ],
    "fr": [
        "J'ai quitté {city} en {year} avec ma femme et nos trois enfants.",
        "Pendant le voyage nous avons dormi dehors, j'avais {age} ans.",
        "Les bénévoles de la Croix-Rouge nous ont donné à manger et des vêtements secs.",
        "Le plus difficile était de ne pas pouvoir joindre ma famille restée au pays.",
        "Nous avons payé {amount} euros pour traverser la mer dans un petit bateau.",
        "Personne ne nous a expliqué la procédure d'asile dans notre langue.",
        "Je voudrais apprendre l'italien et trouver un travail dans la construction.",
        "Mon fils est malade depuis l'arrivée au centre et nous attendons un médecin.",
    ],
    "ar": [
        "غادرت {city} في عام {year} مع أطفالي بسبب القصف المستمر على حينا.",
        "مشينا لعدة ليال عبر الجبال وكان عمري {age} سنة في ذلك الوقت.",
        "قدم لنا متطوعو الهلال الأحمر الماء والطعام والبطانيات في نقطة الخدمة.",
        "أصعب شيء كان عدم معرفة مكان أخي لمدة أربعة أشهر تقريبا.",
        "دفعنا {amount} دولار للمهربين ثم تركونا في البحر.",
        "لم يشرح لنا أحد إجراءات اللجوء بلغة نفهمها.",
        "ابنتي تحتاج إلى دواء للربو والعيادة مغلقة يوم الأحد.",
        "أتمنى أن أعمل مرة أخرى في الخياطة كما كنت أفعل في بلدي.",
    ],
    "uk": [
        "Я виїхала з міста {city} у {year} році разом із двома дітьми.",
        "Ми їхали три доби потягом, мені тоді було {age} років.",
        "Волонтери Червоного Хреста дали нам воду, їжу та сім-картку.",
        "Найважче було не знати, де мій чоловік, майже чотири місяці.",
        "Ми заплатили {amount} гривень за дорогу до кордону.",
        "Ніхто не пояснив нам процедуру отримання захисту нашою мовою.",
        "Моя донька потребує ліків, а лікар приймає лише двічі на тиждень.",
        "Я хотіла б знову працювати вчителькою, як удома.",
    ],
    "es": [
        "Salí de {city} en {year} con mis hijos porque ya no era seguro quedarse.",
        "Caminamos muchas noches por la montaña, yo tenía {age} años.",
        "Los voluntarios de la Cruz Roja nos dieron agua, comida y mantas.",
        "Lo más difícil fue no saber nada de mi hermano durante cuatro meses.",
        "Pagamos {amount} euros a los traficantes para cruzar el mar.",
        "Nadie nos explicó el procedimiento de asilo en un idioma que entendiéramos.",
        "Me gustaría volver a trabajar como cocinera, lo hice durante diez años.",
    ],
}
PII_SENTENCES = {
    "phone": {
        "en": "If you have news please call me on {phone}, it is my only number.",
        "fr": "Vous pouvez m'appeler au {phone} si vous avez des nouvelles.",
        "ar": "رقمي {phone} إذا كان هناك أي خبر عن عائلتي.",
        "uk": "Мій номер телефону {phone}, дзвоніть будь ласка.",
        "es": "Mi número es {phone}, llámenme si saben algo de mi familia.",
    },
    "name": {
        "en": "My name is {full}, everybody here calls me {first}.",
        "fr": "Je m'appelle {full} et mes voisins m'appellent {first}.",
        "ar": "اسمي {full} والجميع هنا ينادونني {first}.",
        "uk": "Мене звати {full}, тут усі кличуть мене {first}.",
        "es": "Me llamo {full}, aquí todos me dicen {first}.",
    },
    "email": {
        "en": "You can also write to {email}.",
        "fr": "Vous pouvez aussi écrire à {email}.",
        "ar": "يمكنكم مراسلتي على {email}.",
        "uk": "Можна також написати на {email}.",
        "es": "También pueden escribir a {email}.",
    },
    "iban": {
        "en": "My cousin sends money to the account {iban} every month.",
        "fr": "Mon cousin envoie l'argent sur le compte {iban}.",
        "ar": "يرسل ابن عمي المال إلى الحساب {iban} كل شهر.",
        "uk": "Родичі надсилають гроші на рахунок {iban}.",
        "es": "Mi primo manda dinero a la cuenta {iban}.",
    },
    "document": {
        "en": "They kept my passport {document} at the border for two weeks.",
        "fr": "Ils ont gardé mon passeport {document} pendant deux semaines.",
        "ar": "احتفظوا بجواز سفري {document} على الحدود لمدة أسبوعين.",
        "uk": "Мій паспорт {document} забрали на кордоні на два тижні.",
        "es": "Se quedaron con mi pasaporte {document} en la frontera.",
    },
    "url": {
        "en": "There are photos of our house on facebook.com/{handle}.",
        "fr": "Il y a des photos de notre maison sur https://facebook.com/{handle}.",
        "ar": "توجد صور لبيتنا على www.facebook.com/{handle}",
        "uk": "Фото нашого будинку є на https://t.me/{handle}.",
        "es": "Hay fotos de nuestra casa en facebook.com/{handle}.",
    },
}
PII_RATES = {
    "phone": 0.35,
    "name": 0.45,
    "email": 0.10,
    "iban": 0.04,
    "document": 0.05,
    "url": 0.03,
}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng: random.Random, lang: str) -> str:
    country = rng.choice(REGIONS)
    if country == "IT":
        mobile = f"3{rng.choice('1234679')}{rng.randint(0, 9)}"
        rest = _digits(rng, 7)
        shapes = [f"+39 {mobile} {rest[:3]} {rest[3:]}", f"{mobile} {rest}", f"0039 {mobile}{rest}"]
    elif country == "AF":
        mobile = f"7{rng.choice('0123456789')}"
        rest = _digits(rng, 7)
        shapes = [f"+93 {mobile} {rest[:3]} {rest[3:]}", f"0{mobile} {rest[:3]} {rest[3:]}"]
    elif country == "SY":
        mobile = f"9{rng.choice('3456789')}{rng.randint(0, 9)}"
        rest = _digits(rng, 6)
        shapes = [f"+963 {mobile} {rest[:3]} {rest[3:]}", f"0{mobile} {rest[:3]} {rest[3:]}"]
    else:
        mobile = rng.choice(["67", "68", "50", "63", "93", "97"])
        rest = _digits(rng, 7)
        shapes = [
            f"+380 {mobile} {rest[:3]} {rest[3:]}",
            f"0{mobile} {rest[:3]} {rest[3:5]} {rest[5:]}",
        ]
    phone = rng.choice(shapes)
    if lang == "ar" and rng.random() < 0.4:
        phone = phone.translate(ARABIC_INDIC if rng.random() < 0.7 else PERSIAN)
    return phone


def _iban(rng: random.Random) -> str:
    from stdnum import iban

    body = "X" + _digits(rng, 10) + _digits(rng, 12)
    number = "IT00" + body
    number = "IT" + iban.calc_check_digits(number) + body
    if not iban.is_valid(number):
        number = "IT60X0542811101000000123456"
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _record(rng: random.Random) -> tuple[str, list[str], set[str], str]:
    """(story, direct values, planted kinds, language)."""
    lang = rng.choice(list(SENTENCES))
    pool = {"ar": ARABIC_NAMES, "uk": UKRAINIAN_NAMES}.get(lang, LATIN_NAMES)
    first, last = rng.choice(pool)
    latin_first, latin_last = rng.choice(LATIN_NAMES)
    values = {
        "full": f"{first} {last}",
        "first": first,
        "phone": _phone(rng, lang),
        "email": f"{latin_first.lower()}.{latin_last.lower()}{rng.randint(1, 99)}@gmail.com",
        "iban": _iban(rng),
        "document": rng.choice(["P", "YA", "N"]) + _digits(rng, 7),
        "handle": f"{latin_first.lower()}.{latin_last.lower()}.{rng.randint(1, 999)}",
    }
    fill = {
        "city": rng.choice(CITIES),
        "year": rng.randint(2014, 2024),
        "age": rng.randint(18, 70),
        "amount": rng.choice(["800", "1500", "3 000", "12 500", "150000", "2,000"]),
    }
    planted = {kind for kind, rate in PII_RATES.items() if rng.random() < rate}
    sentences = rng.sample(SENTENCES[lang], k=len(SENTENCES[lang]))
    target = rng.randint(300, 800)
    story: list[str] = []
    for kind in sorted(planted):
        story.insert(rng.randint(0, len(story)), PII_SENTENCES[kind][lang])
    for sentence in sentences:
        if sum(len(s) for s in story) >= target:
            break
        story.insert(rng.randint(0, len(story)), sentence)
    text = " ".join(story).format(**values, **fill)
    direct = [f"{first} {last}", values["phone"]]
    if "email" in planted or rng.random() < 0.3:
        direct.append(values["email"])
    return text, direct, {k: values[k] for k in planted if k in ("phone", "email")}, lang


def run(records: int = 5000, rounds: int = 3) -> dict:
    """Time `Redactor.redact` over `records` generated stories, `rounds` times.

    Records/s is the median round (the machine may be shared); latencies are per call over all
    rounds. Redaction counts and leaks come from the first round.
    """
    rng = random.Random(20240611)
    data = [_record(rng) for _ in range(records)]

    started = time.perf_counter()
    redactor = Redactor.for_regions(REGIONS)
    redactor.redact(data[0][0], data[0][1])  # builds the character tables
    cold_ms = (time.perf_counter() - started) * 1000

    counts: Counter[str] = Counter()
    durations: list[float] = []
    per_round: list[float] = []
    leaks = 0
    clock = time.perf_counter
    for round_ in range(max(1, rounds)):
        round_started = clock()
        for text, direct, planted, _lang in data:
            t0 = clock()
            redacted, found = redactor.redact(text, direct)
            durations.append(clock() - t0)
            if round_ == 0:
                counts.update(found)
                leaks += sum(1 for value in planted.values() if value in redacted)
        per_round.append(records / (clock() - round_started))

    no_direct_started = clock()
    for text, _direct, _planted, _lang in data:
        redactor.redact(text)
    no_direct = clock() - no_direct_started

    many = Redactor.for_regions(("IT", *ORIGIN_REGIONS))
    many.redact(data[0][0], data[0][1])
    many_started = clock()
    for text, direct, _planted, _lang in data:
        many.redact(text, direct)
    many_elapsed = clock() - many_started

    durations.sort()

    def pct(p: float) -> float:
        return round(durations[min(len(durations) - 1, int(p * len(durations)))] * 1e6, 1)

    return {
        "records": records,
        "rounds": len(per_round),
        "mean_chars": round(statistics.fmean(len(t) for t, *_ in data)),
        "languages": dict(Counter(lang for *_, lang in data)),
        "regions": list(redactor.regions),
        "cold_start_ms": round(cold_ms, 1),
        "records_per_s": round(statistics.median(per_round)),
        "records_per_s_by_round": [round(r) for r in per_round],
        "mean_us": round(statistics.fmean(durations) * 1e6, 1),
        "p50_us": pct(0.50),
        "p95_us": pct(0.95),
        "p99_us": pct(0.99),
        "max_us": round(durations[-1] * 1e6, 1),
        "records_per_s_without_direct_values": round(records / no_direct),
        f"records_per_s_with_{len(many.regions)}_regions": round(records / many_elapsed),
        "redactions_by_type": dict(counts.most_common()),
        "planted_phones_and_emails_left": leaks,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
