"""The people of the evaluation set: names in their own script and the ways they are written in
Latin letters, written for this bench (not taken from the redaction code's lists).

Each person: (group, native given name, native surname, Latin spellings of the given name,
Latin spellings of the surname, extra forms). Extra forms are what a story may write: Ukrainian
case forms (written here by hand, not by pymorphy3), Ge'ez letter variants, joined particles.
A given name marked `homonym` is also an everyday word of the language (its `common` word is
what a story writes when it means the word).
"""

# ruff: noqa: RUF001, E501 - a table of names in several scripts, one person a line
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    group: str  # ar (Syria, Iraq, Sudan), prs (Dari), ps (Pashto), uk, ti (Eritrea), es (Americas)
    given: str
    surname: str
    latin_given: tuple[str, ...]
    latin_surname: tuple[str, ...]
    given_forms: tuple[str, ...] = ()  # case forms, letter variants of the native given name
    surname_forms: tuple[str, ...] = ()
    common: str = ""  # the everyday word the given name also is ("" if none)
    latin_common: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)


P = Person
PEOPLE: tuple[Person, ...] = (
    # Arabic speakers
    P("ar", "يوسف", "الزعبي", ("Yusuf", "Youssef", "Yousef"), ("Al-Zoubi", "Alzoubi", "Zoubi")),
    P("ar", "يعقوب", "السلطاني", ("Yacoub", "Yagoub", "Yaqub"), ("Al-Soltani", "Soltani", "Sultani")),
    P("ar", "مصطفى", "الإدلبي", ("Mustafa", "Moustafa", "Mostafa"), ("Al-Idlibi", "Alidlibi", "Idlibi")),
    P("ar", "دعاء", "حمدان", ("Doaa", "Duaa", "Du'a"), ("Hamdan", "Hamdane")),
    P("ar", "عبد الله", "الخطيب", ("Abdullah", "Abdallah", "Abdulla"), ("Al-Khatib", "Khatib", "Elkhatib"),
      given_forms=("عبدالله",)),
    P("ar", "أمل", "الحسيني", ("Amal",), ("Al-Husseini", "Husseini", "Hussaini"), common="أمل", latin_common=""),
    P("ar", "نور", "العلي", ("Nour", "Noor", "Nur"), ("Al-Ali", "Alali"), common="نور"),
    P("ar", "هدى", "الشامي", ("Huda", "Houda", "Hoda"), ("Al-Shami", "Shami", "Chami"), common="هدى"),
    P("ar", "وئام", "قاسم", ("Wiam", "Weam"), ("Kassem", "Qasim", "Kasem"), common="وئام"),
    P("ar", "محمد", "العبدالله", ("Mohammed", "Muhammad", "Mohamad"), ("Al-Abdallah", "Alabdallah")),
    P("ar", "فاطمة", "درويش", ("Fatima", "Fatma", "Fatimah"), ("Darwish", "Darwiche", "Derwish")),
    P("ar", "خالد", "النعيمي", ("Khaled", "Khalid", "Haled"), ("Al-Nuaimi", "Nuaimi", "Naimi")),
    P("ar", "رنا", "الأحمد", ("Rana",), ("Al-Ahmad", "Alahmad", "Ahmed")),
    P("ar", "علي", "حسون", ("Ali", "Aly"), ("Hassoun", "Hassoon", "Hasoun"), tags=frozenset({"ali"})),
    P("ar", "عمر", "البكري", ("Omar", "Umar", "Omer"), ("Al-Bakri", "Bakri", "Elbakri")),
    # Dari
    P("prs", "امید", "رحیمی", ("Omid", "Omeed", "Umid"), ("Rahimi", "Raheemi"), common="امید"),
    P("prs", "گل", "احمدزی", ("Gul", "Gol"), ("Ahmadzai", "Ahmadzay"), common="گل"),
    P("prs", "نرگس", "هاشمی", ("Nargis", "Narges"), ("Hashimi", "Hashemi"), common="نرگس"),
    P("prs", "فریدون", "کریمی", ("Fereydoun", "Faridun", "Fraidoon"), ("Karimi", "Kareemi")),
    P("prs", "سهراب", "نوری", ("Sohrab", "Suhrab"), ("Noori", "Nouri", "Nuri")),
    P("prs", "ذکیه", "سلطانی", ("Zakia", "Zakiya", "Zakiyah"), ("Sultani", "Soltani")),
    P("prs", "جاوید", "صدیقی", ("Javid", "Jawid", "Javed"), ("Siddiqi", "Sediqi", "Sadiqi")),
    # Pashto
    P("ps", "ملالۍ", "یوسفزی", ("Malalai", "Malalay"), ("Yousafzai", "Yusufzai")),
    P("ps", "ګلالۍ", "وردګ", ("Gulalai", "Gulalay"), ("Wardak", "Wardag")),
    P("ps", "زرمینه", "خوږیاڼی", ("Zarmina", "Zarmeena"), ("Khogyani", "Khugiani")),
    P("ps", "احمدشاه", "پوپلزی", ("Ahmadshah", "Ahmad Shah"), ("Popalzai", "Popalzay")),
    P("ps", "شېرزاد", "مومند", ("Sherzad", "Shirzad"), ("Mohmand", "Momand")),
    P("ps", "نجیب", "ستانکزی", ("Najib", "Najeeb"), ("Stanikzai", "Stanekzai")),
    # Ukrainian (case forms written out by hand: genitive, dative, accusative, instrumental, vocative)
    P("uk", "Марія", "Коваленко", ("Mariia", "Maria", "Mariya"), ("Kovalenko",),
      given_forms=("Марії", "Марію", "Марією", "Маріє")),
    P("uk", "Петро", "Шевчук", ("Petro", "Petr"), ("Shevchuk", "Schewtschuk"),
      given_forms=("Петра", "Петрові", "Петром", "Петре"), surname_forms=("Шевчука", "Шевчуком")),
    P("uk", "Надія", "Бондар", ("Nadiia", "Nadiya", "Nadia"), ("Bondar",),
      given_forms=("Надії", "Надію", "Надією"), common="надія"),
    P("uk", "Віра", "Ткаченко", ("Vira", "Wira"), ("Tkachenko", "Tkatschenko"),
      given_forms=("Віри", "Віру", "Вірою"), common="віра"),
    P("uk", "Любов", "Мельник", ("Liubov", "Lyubov"), ("Melnyk", "Melnik"),
      given_forms=("Любові", "Любов'ю"), common="любов"),
    P("uk", "Олександр", "Кравчук", ("Oleksandr", "Oleksander", "Alexandr"), ("Kravchuk",),
      given_forms=("Олександра", "Олександрові", "Олександром"), surname_forms=("Кравчука",)),
    P("uk", "Ганна", "Лисенко", ("Hanna", "Ganna", "Anna"), ("Lysenko", "Lisenko"),
      given_forms=("Ганни", "Ганну", "Ганною")),
    P("uk", "Андрій", "Савчук", ("Andrii", "Andriy", "Andrij"), ("Savchuk",),
      given_forms=("Андрія", "Андрієві", "Андрієм"), surname_forms=("Савчука",)),
    # Tigrinya (Ge'ez letter variants: ኣ/አ, ሰ/ሠ, ጸ/ፀ, ሓ/ሐ)
    P("ti", "ሰላም", "ተኽለ", ("Selam", "Salam"), ("Tekle", "Teklay"), given_forms=("ሠላም",), common="ሰላም"),
    P("ti", "ተስፋ", "ገብረ", ("Tesfa", "Tesfay"), ("Gebre", "Ghebre"), common="ተስፋ"),
    P("ti", "ብርሃን", "ኪዳነ", ("Berhan", "Birhan"), ("Kidane", "Kidana"), common="ብርሃን"),
    P("ti", "ኣብርሃም", "ሃብተ", ("Abraham", "Abrham"), ("Habte", "Habtay"), given_forms=("አብርሃም",)),
    P("ti", "ሳባ", "ወልደ", ("Saba",), ("Welde", "Woldu", "Wolde")),
    P("ti", "ዮናስ", "ጸጋይ", ("Yonas", "Jonas"), ("Tsegay", "Tsegai"), surname_forms=("ፀጋይ",)),
    P("ti", "ሕድሪ", "ሓጎስ", ("Hidri", "Hdri"), ("Hagos", "Hagoss"), surname_forms=("ሐጎስ",), common="ሕድሪ"),
    P("ti", "ፊሊሞን", "ብየነ", ("Filimon", "Philemon"), ("Biyene", "Beyene")),
    # Spanish speakers of the Americas (Latin script only)
    P("es", "Esperanza", "Rodríguez", ("Esperanza",), ("Rodriguez",), common="esperanza", latin_common="esperanza"),
    P("es", "Dolores", "Pérez", ("Dolores",), ("Perez",), common="dolores", latin_common="dolores"),
    P("es", "Luz", "Martínez", ("Luz",), ("Martinez",), common="luz", latin_common="luz"),
    P("es", "Yorgelis", "Hernández", ("Yorgelis", "Yorgelys"), ("Hernandez", "Fernandez")),
    P("es", "Jhonatan", "Gutiérrez", ("Jhonatan", "Jonathan", "Yonatan"), ("Gutierrez",)),
    P("es", "Wilmer", "Castillo", ("Wilmer", "Wilmar"), ("Castillo", "Castilllo")),
    # English speakers with names that are words (West Africa, Eritrea via Sudan)
    P("en", "Hope", "Mensah", ("Hope",), ("Mensah", "Mensa"), common="hope", latin_common="hope"),
    P("en", "Blessing", "Okafor", ("Blessing",), ("Okafor",), common="blessing", latin_common="blessing"),
    P("en", "Bright", "Owusu", ("Bright",), ("Owusu",), common="bright", latin_common="bright"),
    P("en", "Patience", "Adeyemi", ("Patience",), ("Adeyemi",), common="patience", latin_common="patience"),
)  # fmt: skip

FAMILY = {  # names of relatives, never in the direct answers
    "latin": ("Karim", "Leila", "Samir", "Rania", "Tariq", "Dunya", "Bashir", "Mona", "Ibrahim"),
    "ar": ("محمود", "ليلى", "سمير", "رانيا", "طارق", "بشير", "منى", "إبراهيم"),
    "prs": ("محمود", "فرشته", "نصیر", "شکیلا", "بصیر"),
    "ps": ("خالد", "وږمه", "نصرت", "پلوشه"),
    "uk": ("Олег", "Тетяна", "Богдан", "Ірина", "Степан"),
    "ti": ("መሓሪ", "ለተብርሃን", "ኣማኑኤል", "ሄለን", "ዳዊት"),
}
