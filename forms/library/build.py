"""Build the two questionnaires Waypoint ships, as XLSForm workbooks.

Waypoint loads the .xlsx files next to this script (forms/library/*.xlsx). They are generated:
this script is their single source, so translators and form managers change a label, a choice or
a `privacy` value here and regenerate, instead of keeping five language columns and two
workbooks in step by hand. Each build checks every question row against the `privacy`
vocabulary of shared/design.md and converts each workbook with pyxform and ODK Validate; it
fails on any error or warning.

    .venv/bin/python forms/library/build.py

Generated workbooks are byte-for-byte stable: the same source gives the same file, so a rebuild
without changes never looks like new form content. Changing content means a new `version`.
"""

# ruff: noqa: RUF001 - the Ukrainian and Arabic labels are meant to contain Cyrillic and Arabic.

import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pyxform.xls2xform import convert

HERE = Path(__file__).resolve().parent
VERSION = "2026112701"
LANGUAGES = ("English (en)", "Français (fr)", "Español (es)", "العربية (ar)", "Українська (uk)")
TRANSLATED = ("label", "hint", "constraint_message")
SURVEY_COLUMNS = (
    "type",
    "name",
    "privacy",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "default",
    "choice_filter",
    "repeat_count",
)
GROUP_TYPES = ("begin group", "end group", "begin repeat", "end repeat")
CLASSES = ("direct", "pseudonym", "quasi", "sensitive", "free_text", "keep", "drop")
GENERALISER = re.compile(
    r"^(band:\d+|top:\d+|bottom:\d+|date:(day|week|month|quarter|year)|geo:[0-6])$"
)
CONSENTED = "${consent} = 'yes'"

Text = tuple[str, str, str, str, str]  # one string per entry of LANGUAGES, in that order


def tr(*, en: str, fr: str, es: str, ar: str, uk: str) -> Text:
    """A text in every form language; none may be left empty."""
    text = (en, fr, es, ar, uk)
    if not all(part.strip() for part in text):
        raise ValueError(f"Untranslated text: {text}")
    return text


def opt(name: str, en: str, fr: str, es: str, ar: str, uk: str) -> tuple[str, Text]:
    """A choice: its name and its label in every form language."""
    return name, tr(en=en, fr=fr, es=es, ar=ar, uk=uk)


def q(type_: str, name: str, privacy: str, label: Text | None = None, **columns) -> dict:
    """A question row. `privacy` uses the vocabulary of the design's Privacy section."""
    return {"type": type_, "name": name, "privacy": privacy, "label": label, **columns}


def group(name: str, label: Text, rows: list[dict], repeat: bool = False, **columns) -> list[dict]:
    """Rows wrapped in a group (or a repeat): begin row, the rows, end row."""
    kind = "repeat" if repeat else "group"
    return [
        {"type": f"begin {kind}", "name": name, "label": label, **columns},
        *rows,
        {"type": f"end {kind}"},
    ]


def after_consent(rows: list[dict]) -> list[dict]:
    """Make every top-level row relevant only if the person consented (children inherit)."""
    depth = 0
    for row in rows:
        if depth == 0 and not row["type"].startswith("end "):
            own = row.get("relevant")
            row["relevant"] = f"{CONSENTED} and ({own})" if own else CONSENTED
        depth += row["type"].startswith("begin ") - row["type"].startswith("end ")
    return rows


def exclusive(*names: str) -> str:
    """Constraint for a select_multiple: any of `names` ("none", ...) must be chosen alone."""
    chosen = " or ".join(f"selected(., '{name}')" for name in names)
    return f"not(({chosen}) and count-selected(.) > 1)"


# Hand-laid tables of translations: one language per line, kept out of the formatter's way.
# fmt: off

# ---------------------------------------------------------------------------------------------
# Texts and choices shared by both questionnaires
# ---------------------------------------------------------------------------------------------

YES = opt("yes", "Yes", "Oui", "Sí", "نعم", "Так")
NO = opt("no", "No", "Non", "No", "لا", "Ні")
PREFER_NOT = opt(
    "prefer_not", "I prefer not to say", "Je préfère ne pas répondre", "Prefiero no responder",
    "أفضّل عدم الإجابة", "Не бажаю відповідати",
)
NONE_OF_THESE = opt("none", "None of these", "Aucun de ces choix", "Ninguna de estas opciones",
                    "لا شيء من هذه", "Нічого з цього")

CHOOSE_ALL = tr(
    en="Choose all that apply.",
    fr="Choisissez toutes les réponses qui conviennent.",
    es="Elija todas las que correspondan.",
    ar="اختر كل ما ينطبق.",
    uk="Виберіть усі відповідні варіанти.",
)
CHOOSE_ALONE = tr(
    en="You chose an answer that cannot be combined with others. Please check your choices.",
    fr="Vous avez choisi une réponse qui ne peut pas être combinée avec d'autres. "
    "Vérifiez vos choix.",
    es="Eligió una respuesta que no se puede combinar con otras. Revise sus opciones.",
    ar="اخترت إجابة لا يمكن جمعها مع إجابات أخرى. يرجى مراجعة اختياراتك.",
    uk="Ви вибрали відповідь, яку не можна поєднувати з іншими. Перевірте свій вибір.",
)
NOT_IN_FUTURE = tr(
    en="The date cannot be in the future.",
    fr="La date ne peut pas être dans le futur.",
    es="La fecha no puede ser futura.",
    ar="لا يمكن أن يكون التاريخ في المستقبل.",
    uk="Дата не може бути в майбутньому.",
)
MOST_IMPORTANT_FIRST = tr(
    en="Put the most important first.",
    fr="Mettez le plus important en premier.",
    es="Ponga lo más importante primero.",
    ar="ضع الأهم أولاً.",
    uk="Поставте найважливіше першим.",
)
NAME = tr(en="Your name", fr="Votre nom", es="Su nombre", ar="اسمك", uk="Ваше ім'я")
NAME_HINT = tr(
    en="The name you would like us to use.",
    fr="Le nom que vous souhaitez que nous utilisions.",
    es="El nombre que quiere que usemos.",
    ar="الاسم الذي تريد أن نستخدمه.",
    uk="Ім'я, яким до вас звертатися.",
)


def number_between(low: int, high: int) -> Text:
    return tr(
        en=f"Enter a number between {low} and {high}.",
        fr=f"Saisissez un nombre entre {low} et {high}.",
        es=f"Escriba un número entre {low} y {high}.",
        ar=f"أدخل رقماً بين {low} و{high}.",
        uk=f"Введіть число від {low} до {high}.",
    )


def refused_note() -> dict:
    return q(
        "note", "consent_refused", "keep",
        tr(
            en="Thank you. The questionnaire ends here. This does not change the help you can "
            "get from us.",
            fr="Merci. Le questionnaire s'arrête ici. Cela ne change rien à l'aide que vous "
            "pouvez recevoir de notre part.",
            es="Gracias. El cuestionario termina aquí. Esto no cambia la ayuda que puede "
            "recibir de nosotros.",
            ar="شكراً لك. ينتهي الاستبيان هنا. هذا لا يغيّر المساعدة التي يمكنك الحصول "
            "عليها منّا.",
            uk="Дякуємо. Анкета на цьому завершується. Це не змінює допомоги, яку ви можете "
            "отримати від нас.",
        ),
        hint=tr(
            en="End of the form: save it and close it now.",
            fr="Fin du formulaire : enregistrez-le et fermez-le maintenant.",
            es="Fin del formulario: guárdelo y ciérrelo ahora.",
            ar="انتهت الاستمارة: احفظها وأغلقها الآن.",
            uk="Кінець анкети: збережіть і закрийте її зараз.",
        ),
        relevant="${consent} = 'no'",
    )


def metadata() -> list[dict]:
    return [q("start", "start", "quasi date:month"), q("end", "end", "quasi date:month")]


SERVICES = [
    opt("food", "Food", "Nourriture", "Comida", "الطعام", "Їжа"),
    opt("shelter", "Shelter (a place to sleep)", "Hébergement (un endroit pour dormir)",
        "Alojamiento (un lugar para dormir)", "المأوى (مكان للنوم)",
        "Житло (місце для ночівлі)"),
    opt("health", "Health care", "Soins de santé", "Atención de salud", "الرعاية الصحية",
        "Медична допомога"),
    opt("rfl", "Finding or contacting family (Restoring Family Links)",
        "Retrouver ou contacter sa famille (Rétablissement des liens familiaux)",
        "Buscar o contactar a la familia (Restablecimiento del Contacto entre Familiares)",
        "البحث عن العائلة أو التواصل معها (إعادة الروابط العائلية)",
        "Пошук родини або зв'язок із нею (Відновлення родинних зв'язків)"),
    opt("legal_info", "Information about rights and legal procedures",
        "Informations sur les droits et les démarches juridiques",
        "Información sobre derechos y trámites legales",
        "معلومات عن الحقوق والإجراءات القانونية",
        "Інформація про права та юридичні процедури"),
    opt("mhpss", "Emotional support (mental health and psychosocial support)",
        "Soutien émotionnel (santé mentale et soutien psychosocial)",
        "Apoyo emocional (salud mental y apoyo psicosocial)",
        "الدعم العاطفي (الصحة النفسية والدعم النفسي الاجتماعي)",
        "Емоційна підтримка (психічне здоров'я та психосоціальна підтримка)"),
]


# ---------------------------------------------------------------------------------------------
# Migrants' lived experience
# ---------------------------------------------------------------------------------------------

COUNTRIES = [
    opt("af", "Afghanistan", "Afghanistan", "Afganistán", "أفغانستان", "Афганістан"),
    opt("bd", "Bangladesh", "Bangladesh", "Bangladés", "بنغلاديش", "Бангладеш"),
    opt("co", "Colombia", "Colombie", "Colombia", "كولومبيا", "Колумбія"),
    opt("ci", "Côte d'Ivoire", "Côte d'Ivoire", "Costa de Marfil", "كوت ديفوار", "Кот-д'Івуар"),
    opt("cd", "Democratic Republic of the Congo", "République démocratique du Congo",
        "República Democrática del Congo", "جمهورية الكونغو الديمقراطية",
        "Демократична Республіка Конго"),
    opt("er", "Eritrea", "Érythrée", "Eritrea", "إريتريا", "Еритрея"),
    opt("et", "Ethiopia", "Éthiopie", "Etiopía", "إثيوبيا", "Ефіопія"),
    opt("gr", "Greece", "Grèce", "Grecia", "اليونان", "Греція"),
    opt("gt", "Guatemala", "Guatemala", "Guatemala", "غواتيمالا", "Гватемала"),
    opt("gn", "Guinea", "Guinée", "Guinea", "غينيا", "Гвінея"),
    opt("ht", "Haiti", "Haïti", "Haití", "هايتي", "Гаїті"),
    opt("hn", "Honduras", "Honduras", "Honduras", "هندوراس", "Гондурас"),
    opt("ir", "Iran", "Iran", "Irán", "إيران", "Іран"),
    opt("iq", "Iraq", "Irak", "Irak", "العراق", "Ірак"),
    opt("ly", "Libya", "Libye", "Libia", "ليبيا", "Лівія"),
    opt("ml", "Mali", "Mali", "Malí", "مالي", "Малі"),
    opt("mx", "Mexico", "Mexique", "México", "المكسيك", "Мексика"),
    opt("ma", "Morocco", "Maroc", "Marruecos", "المغرب", "Марокко"),
    opt("mm", "Myanmar", "Myanmar", "Myanmar", "ميانمار", "М'янма"),
    opt("ne", "Niger", "Niger", "Níger", "النيجر", "Нігер"),
    opt("ng", "Nigeria", "Nigeria", "Nigeria", "نيجيريا", "Нігерія"),
    opt("pk", "Pakistan", "Pakistan", "Pakistán", "باكستان", "Пакистан"),
    opt("pa", "Panama", "Panama", "Panamá", "بنما", "Панама"),
    opt("so", "Somalia", "Somalie", "Somalia", "الصومال", "Сомалі"),
    opt("ss", "South Sudan", "Soudan du Sud", "Sudán del Sur", "جنوب السودان", "Південний Судан"),
    opt("sd", "Sudan", "Soudan", "Sudán", "السودان", "Судан"),
    opt("sy", "Syria", "Syrie", "Siria", "سوريا", "Сирія"),
    opt("tn", "Tunisia", "Tunisie", "Túnez", "تونس", "Туніс"),
    opt("tr", "Türkiye", "Turquie", "Turquía", "تركيا", "Туреччина"),
    opt("ua", "Ukraine", "Ukraine", "Ucrania", "أوكرانيا", "Україна"),
    opt("ve", "Venezuela", "Venezuela", "Venezuela", "فنزويلا", "Венесуела"),
    opt("ye", "Yemen", "Yémen", "Yemen", "اليمن", "Ємен"),
    opt("other", "Other country", "Autre pays", "Otro país", "بلد آخر", "Інша країна"),
    opt("stateless", "Stateless (no nationality)", "Apatride (sans nationalité)",
        "Apátrida (sin nacionalidad)", "بلا جنسية", "Особа без громадянства"),
]
NOT_STATELESS = "name != 'stateless'"

LANGUAGES_SPOKEN = [
    opt("ar", "Arabic", "Arabe", "Árabe", "العربية", "Арабська"),
    opt("prs", "Dari", "Dari", "Darí", "الدارية", "Дарі"),
    opt("ps", "Pashto", "Pachto", "Pastún", "البشتوية", "Пушту"),
    opt("fa", "Persian (Farsi)", "Persan (farsi)", "Persa (farsi)", "الفارسية", "Перська (фарсі)"),
    opt("ku", "Kurdish", "Kurde", "Kurdo", "الكردية", "Курдська"),
    opt("ur", "Urdu", "Ourdou", "Urdu", "الأردية", "Урду"),
    opt("bn", "Bengali", "Bengali", "Bengalí", "البنغالية", "Бенгальська"),
    opt("my", "Burmese", "Birman", "Birmano", "البورمية", "Бірманська"),
    opt("rhg", "Rohingya", "Rohingya", "Rohinyá", "الروهينغية", "Рохінджа"),
    opt("uk", "Ukrainian", "Ukrainien", "Ucraniano", "الأوكرانية", "Українська"),
    opt("ru", "Russian", "Russe", "Ruso", "الروسية", "Російська"),
    opt("en", "English", "Anglais", "Inglés", "الإنجليزية", "Англійська"),
    opt("fr", "French", "Français", "Francés", "الفرنسية", "Французька"),
    opt("es", "Spanish", "Espagnol", "Español", "الإسبانية", "Іспанська"),
    opt("pt", "Portuguese", "Portugais", "Portugués", "البرتغالية", "Португальська"),
    opt("ht", "Haitian Creole", "Créole haïtien", "Criollo haitiano", "الكريولية الهايتية",
        "Гаїтянська креольська"),
    opt("ti", "Tigrinya", "Tigrigna", "Tigriña", "التغرينية", "Тигринья"),
    opt("am", "Amharic", "Amharique", "Amárico", "الأمهرية", "Амхарська"),
    opt("om", "Oromo", "Oromo", "Oromo", "الأورومية", "Оромо"),
    opt("so", "Somali", "Somali", "Somalí", "الصومالية", "Сомалійська"),
    opt("sw", "Swahili", "Swahili", "Suajili", "السواحيلية", "Суахілі"),
    opt("ha", "Hausa", "Haoussa", "Hausa", "الهوسا", "Хауса"),
    opt("bm", "Bambara", "Bambara", "Bambara", "البامبارا", "Бамбара"),
    opt("ff", "Fula (Pulaar)", "Peul (pulaar)", "Fula (pular)", "الفولانية", "Фула (пулар)"),
    opt("ln", "Lingala", "Lingala", "Lingala", "اللينغالا", "Лінгала"),
    opt("other", "Other language", "Autre langue", "Otro idioma", "لغة أخرى", "Інша мова"),
]

MIGRANT_CHOICES = {
    "yes_no": [YES, NO],
    "yes_no_pn": [YES, NO, PREFER_NOT],
    "sex": [
        opt("female", "Female", "Féminin", "Femenino", "أنثى", "Жіноча"),
        opt("male", "Male", "Masculin", "Masculino", "ذكر", "Чоловіча"),
        opt("other", "Other", "Autre", "Otro", "آخر", "Інша"),
        PREFER_NOT,
    ],
    "country": COUNTRIES,
    "language": LANGUAGES_SPOKEN,
    "legal_status": [
        opt("asylum_seeker", "I have asked for asylum (waiting for a decision)",
            "J'ai demandé l'asile (j'attends une décision)",
            "Solicité asilo (espero una decisión)", "قدّمت طلب لجوء (أنتظر القرار)",
            "Подано заяву на притулок (чекаю на рішення)"),
        opt("refugee", "I am recognised as a refugee", "J'ai le statut de réfugié",
            "Tengo la condición de refugiado", "لديّ صفة لاجئ معترف بها", "Маю статус біженця"),
        opt("temporary_protection", "I have temporary protection",
            "J'ai une protection temporaire", "Tengo protección temporal", "لديّ حماية مؤقتة",
            "Маю тимчасовий захист"),
        opt("regular", "I have a visa or a residence permit",
            "J'ai un visa ou un titre de séjour", "Tengo visa o permiso de residencia",
            "لديّ تأشيرة أو تصريح إقامة", "Маю візу або дозвіл на проживання"),
        opt("irregular", "I have no papers to stay in this country",
            "Je n'ai pas de papiers pour rester dans ce pays",
            "No tengo papeles para quedarme en este país",
            "ليس لديّ أوراق للبقاء في هذا البلد",
            "Не маю документів для перебування в цій країні"),
        opt("stateless", "I am stateless (no nationality)", "Je suis apatride (sans nationalité)",
            "Soy apátrida (sin nacionalidad)", "أنا بلا جنسية", "Я особа без громадянства"),
        opt("dont_know", "I don't know", "Je ne sais pas", "No sé", "لا أعرف", "Не знаю"),
        PREFER_NOT,
    ],
    "relation": [
        opt("partner", "Husband, wife or partner", "Mari, femme ou partenaire",
            "Esposo, esposa o pareja", "زوج أو زوجة أو شريك", "Чоловік, дружина або партнер"),
        opt("child", "Son or daughter", "Fils ou fille", "Hijo o hija", "ابن أو ابنة",
            "Син або донька"),
        opt("parent", "Mother or father", "Mère ou père", "Madre o padre", "أم أو أب",
            "Мати або батько"),
        opt("sibling", "Brother or sister", "Frère ou sœur", "Hermano o hermana", "أخ أو أخت",
            "Брат або сестра"),
        opt("other_relative", "Other relative", "Autre membre de la famille", "Otro familiar",
            "قريب آخر", "Інший родич"),
        opt("not_relative", "Friend or other person", "Ami ou autre personne",
            "Amigo u otra persona", "صديق أو شخص آخر", "Друг або інша людина"),
    ],
    "danger": [
        opt("violence", "Violence", "Violence", "Violencia", "العنف", "Насильство"),
        opt("detention", "Detention (being locked up)", "Détention (enfermement)",
            "Detención (encierro)", "الاحتجاز (الحبس)", "Затримання (позбавлення волі)"),
        opt("exploitation", "Exploitation or trafficking (forced work, being sold)",
            "Exploitation ou traite (travail forcé, vente de personnes)",
            "Explotación o trata (trabajo forzado, venta de personas)",
            "الاستغلال أو الاتجار بالبشر (العمل القسري، البيع)",
            "Експлуатація або торгівля людьми (примусова праця, продаж людей)"),
        opt("extortion", "Extortion (forced to pay money)",
            "Extorsion (argent exigé par la force)", "Extorsión (le obligaron a pagar dinero)",
            "الابتزاز (الإجبار على دفع المال)", "Вимагання (змушували платити гроші)"),
        opt("family_separation", "Separation from family", "Séparation de la famille",
            "Separación de la familia", "الانفصال عن العائلة", "Розлучення з родиною"),
        opt("no_food_water", "Lack of food or water", "Manque de nourriture ou d'eau",
            "Falta de comida o agua", "نقص الطعام أو الماء", "Нестача їжі або води"),
        opt("sea_crossing", "Dangerous sea crossing", "Traversée dangereuse en mer",
            "Cruce peligroso por mar", "عبور خطير للبحر", "Небезпечна переправа морем"),
        NONE_OF_THESE,
        PREFER_NOT,
    ],
    "service": [*SERVICES, NONE_OF_THESE],
    "rating": [
        opt("1", "1 - Very bad", "1 - Très mauvaise", "1 - Muy mala", "1 - سيئة جداً",
            "1 - Дуже погана"),
        opt("2", "2 - Bad", "2 - Mauvaise", "2 - Mala", "2 - سيئة", "2 - Погана"),
        opt("3", "3 - Neither good nor bad", "3 - Ni bonne ni mauvaise", "3 - Ni buena ni mala",
            "3 - لا جيدة ولا سيئة", "3 - Ні добра, ні погана"),
        opt("4", "4 - Good", "4 - Bonne", "4 - Buena", "4 - جيدة", "4 - Добра"),
        opt("5", "5 - Very good", "5 - Très bonne", "5 - Muy buena", "5 - جيدة جداً",
            "5 - Дуже добра"),
    ],
}


def migrant_survey() -> list[dict]:
    about_you = [
        q("date", "visit_date", "quasi date:month", tr(
            en="Date of this visit", fr="Date de cette visite", es="Fecha de esta visita",
            ar="تاريخ هذه الزيارة", uk="Дата цього візиту",
        ), hint=tr(
            en="Filled in automatically. Change it only if it is wrong.",
            fr="Remplie automatiquement. Modifiez-la seulement si elle est fausse.",
            es="Se completa automáticamente. Cámbiela solo si no es correcta.",
            ar="يُملأ تلقائياً. غيّره فقط إذا كان خاطئاً.",
            uk="Заповнюється автоматично. Змінюйте, лише якщо дата неправильна.",
        ), default="today()", required="yes", constraint=". <= today()",
            constraint_message=NOT_IN_FUTURE),
        q("integer", "age", "quasi band:10 top:80", tr(
            en="How old are you?", fr="Quel âge avez-vous ?", es="¿Cuántos años tiene?",
            ar="كم عمرك؟", uk="Скільки вам років?",
        ), hint=tr(
            en="In years. If the person is not sure, write an estimate.",
            fr="En années. Si la personne n'est pas sûre, notez une estimation.",
            es="En años. Si la persona no está segura, anote una estimación.",
            ar="بالسنوات. إذا لم يكن الشخص متأكداً، اكتب عمراً تقريبياً.",
            uk="У роках. Якщо людина не знає точно, запишіть приблизний вік.",
        ), constraint=". >= 0 and . <= 120", constraint_message=number_between(0, 120)),
        q("select_one sex", "sex", "quasi", tr(
            en="What is your sex or gender?", fr="Quel est votre sexe ou votre genre ?",
            es="¿Cuál es su sexo o género?", ar="ما هو جنسك؟", uk="Яка ваша стать?",
        ), required="yes"),
        q("select_one country", "country_of_origin", "quasi", tr(
            en="Which country are you from?", fr="De quel pays venez-vous ?",
            es="¿De qué país es usted?", ar="من أي بلد أنت؟", uk="З якої ви країни?",
        ), appearance="minimal", choice_filter=NOT_STATELESS),
        q("select_one country", "nationality", "quasi", tr(
            en="What is your nationality?", fr="Quelle est votre nationalité ?",
            es="¿Cuál es su nacionalidad?", ar="ما هي جنسيتك؟", uk="Яке ваше громадянство?",
        ), hint=tr(
            en="The country where you are a citizen.",
            fr="Le pays dont vous avez la nationalité.",
            es="El país del que tiene la nacionalidad.",
            ar="البلد الذي تحمل جنسيته.",
            uk="Країна, громадянство якої ви маєте.",
        ), appearance="minimal"),
        q("select_multiple language", "languages", "keep", tr(
            en="Which languages do you speak?", fr="Quelles langues parlez-vous ?",
            es="¿Qué idiomas habla?", ar="ما هي اللغات التي تتحدثها؟",
            uk="Якими мовами ви розмовляєте?",
        ), hint=CHOOSE_ALL),
        q("select_one legal_status", "legal_status", "sensitive", tr(
            en="Which of these describes your situation in this country?",
            fr="Laquelle de ces situations est la vôtre dans ce pays ?",
            es="¿Cuál de estas situaciones es la suya en este país?",
            ar="أيّ من هذه الحالات تنطبق عليك في هذا البلد؟",
            uk="Яка з цих ситуацій стосується вас у цій країні?",
        ), hint=tr(
            en="Choose one. You can choose not to answer.",
            fr="Choisissez une réponse. Vous pouvez choisir de ne pas répondre.",
            es="Elija una. Puede elegir no responder.",
            ar="اختر إجابة واحدة. يمكنك أن تختار عدم الإجابة.",
            uk="Виберіть одну відповідь. Ви можете не відповідати.",
        ), required="yes"),
        q("integer", "household_count", "keep", tr(
            en="How many people are travelling with you now (family or others)?",
            fr="Combien de personnes voyagent avec vous en ce moment (famille ou autres) ?",
            es="¿Cuántas personas viajan con usted ahora (familia u otras)?",
            ar="كم شخصاً يسافر معك الآن (من العائلة أو غيرهم)؟",
            uk="Скільки людей зараз подорожує з вами (родина чи інші)?",
        ), hint=tr(
            en="Do not count yourself. Write 0 if you travel alone.",
            fr="Ne vous comptez pas. Écrivez 0 si vous voyagez seul ou seule.",
            es="No se cuente a usted. Escriba 0 si viaja solo o sola.",
            ar="لا تحسب نفسك. اكتب 0 إذا كنت تسافر وحدك.",
            uk="Не рахуйте себе. Напишіть 0, якщо ви подорожуєте самі.",
        ), constraint=". >= 0 and . <= 30", constraint_message=number_between(0, 30)),
    ]
    household = group("household", tr(
        en="Person travelling with you", fr="Personne qui voyage avec vous",
        es="Persona que viaja con usted", ar="شخص يسافر معك",
        uk="Людина, яка подорожує з вами",
    ), [
        q("integer", "member_age", "quasi band:10", tr(
            en="How old is this person?", fr="Quel âge a cette personne ?",
            es="¿Qué edad tiene esta persona?", ar="كم عمر هذا الشخص؟",
            uk="Скільки років цій людині?",
        ), hint=tr(
            en="An estimate is fine.", fr="Une estimation suffit.",
            es="Una estimación es suficiente.", ar="يكفي عمر تقريبي.", uk="Можна приблизно.",
        ), constraint=". >= 0 and . <= 120", constraint_message=number_between(0, 120)),
        q("select_one relation", "member_relation", "keep", tr(
            en="Who is this person to you?", fr="Quel est son lien avec vous ?",
            es="¿Qué relación tiene con usted?", ar="ما صلة هذا الشخص بك؟",
            uk="Ким вам доводиться ця людина?",
        )),
    ], repeat=True, repeat_count="${household_count}", appearance="field-list")
    journey = group("journey", tr(
        en="Your journey", fr="Votre parcours", es="Su viaje", ar="رحلتك", uk="Ваш шлях",
    ), [
        q("select_multiple country", "countries_crossed", "keep", tr(
            en="Which countries did you pass through on your way here?",
            fr="Quels pays avez-vous traversés pour arriver ici ?",
            es="¿Por qué países pasó para llegar aquí?",
            ar="ما هي البلدان التي مررت بها في طريقك إلى هنا؟",
            uk="Через які країни ви проїжджали дорогою сюди?",
        ), hint=tr(
            en="Choose all that apply. Leave empty if you did not pass through another country.",
            fr="Choisissez toutes les réponses qui conviennent. Laissez vide si vous n'avez "
            "traversé aucun autre pays.",
            es="Elija todas las que correspondan. Deje en blanco si no pasó por ningún otro "
            "país.",
            ar="اختر كل ما ينطبق. اتركه فارغاً إذا لم تمرّ بأي بلد آخر.",
            uk="Виберіть усі відповідні варіанти. Залиште порожнім, якщо ви не проїжджали "
            "інших країн.",
        ), choice_filter=NOT_STATELESS),
        q("integer", "journey_months", "keep", tr(
            en="How many months did your journey take?",
            fr="Combien de mois a duré votre voyage ?",
            es="¿Cuántos meses duró su viaje?",
            ar="كم شهراً استغرقت رحلتك؟",
            uk="Скільки місяців тривав ваш шлях?",
        ), hint=tr(
            en="Write 0 if it took less than one month.",
            fr="Écrivez 0 si cela a pris moins d'un mois.",
            es="Escriba 0 si duró menos de un mes.",
            ar="اكتب 0 إذا استغرقت أقل من شهر.",
            uk="Напишіть 0, якщо менше місяця.",
        ), constraint=". >= 0 and . <= 600", constraint_message=number_between(0, 600)),
        q("select_multiple danger", "dangers", "sensitive", tr(
            en="During your journey, did you face any of these dangers?",
            fr="Pendant votre voyage, avez-vous connu l'un de ces dangers ?",
            es="Durante su viaje, ¿sufrió alguno de estos peligros?",
            ar="خلال رحلتك، هل واجهت أياً من هذه المخاطر؟",
            uk="Чи стикалися ви з будь-якою з цих небезпек під час шляху?",
        ), hint=tr(
            en="Choose all that apply. You can choose not to answer.",
            fr="Choisissez toutes les réponses qui conviennent. Vous pouvez choisir de ne pas "
            "répondre.",
            es="Elija todas las que correspondan. Puede elegir no responder.",
            ar="اختر كل ما ينطبق. يمكنك أن تختار عدم الإجابة.",
            uk="Виберіть усі відповідні варіанти. Ви можете не відповідати.",
        ), required="yes", constraint=exclusive("none", "prefer_not"),
            constraint_message=CHOOSE_ALONE),
        q("select_one yes_no_pn", "family_separated", "sensitive", tr(
            en="Have you been separated from a member of your family during your journey?",
            fr="Pendant votre voyage, votre famille a-t-elle été séparée ?",
            es="Durante su viaje, ¿su familia quedó separada?",
            ar="هل تفرّقت عن أحد أفراد عائلتك خلال رحلتك؟",
            uk="Чи були ви розлучені з кимось із родини під час шляху?",
        ), hint=tr(
            en="For example, you lost contact with a relative. The Red Cross and Red Crescent "
            "can help families find each other.",
            fr="Par exemple, vous n'avez plus de nouvelles d'un proche. La Croix-Rouge et le "
            "Croissant-Rouge peuvent aider les familles à se retrouver.",
            es="Por ejemplo, perdió el contacto con un familiar. La Cruz Roja y la Media Luna "
            "Roja pueden ayudar a las familias a reencontrarse.",
            ar="مثلاً، فقدت الاتصال بأحد أقاربك. يمكن للصليب الأحمر والهلال الأحمر مساعدة "
            "العائلات على العثور على أفرادها.",
            uk="Наприклад, ви втратили зв'язок з кимось із рідних. Червоний Хрест і Червоний "
            "Півмісяць можуть допомогти родинам знайти одне одного.",
        ), required="yes"),
        q("date", "arrival_date", "quasi date:month", tr(
            en="When did you arrive in this country?",
            fr="Quelle est la date de votre arrivée dans ce pays ?",
            es="¿Cuándo llegó a este país?",
            ar="متى وصلت إلى هذا البلد؟",
            uk="Коли ви прибули до цієї країни?",
        ), hint=tr(
            en="An approximate date is fine.", fr="Une date approximative suffit.",
            es="Una fecha aproximada es suficiente.", ar="يكفي تاريخ تقريبي.",
            uk="Можна вказати приблизну дату.",
        ), constraint=". <= today()", constraint_message=NOT_IN_FUTURE),
    ])
    needs = group("needs", tr(
        en="Your needs and our services", fr="Vos besoins et nos services",
        es="Sus necesidades y nuestros servicios", ar="احتياجاتك وخدماتنا",
        uk="Ваші потреби та наші послуги",
    ), [
        q("select_multiple service", "needs_needed", "keep", tr(
            en="Which kinds of help did you need here?",
            fr="De quelle aide aviez-vous besoin ici ?",
            es="¿Qué tipo de ayuda necesitaba aquí?",
            ar="ما نوع المساعدة التي احتجت إليها هنا؟",
            uk="Яка допомога вам була потрібна тут?",
        ), hint=CHOOSE_ALL, required="yes", constraint=exclusive("none"),
            constraint_message=CHOOSE_ALONE),
        q("select_multiple service", "needs_met", "keep", tr(
            en="Which of these did you receive?",
            fr="Lesquelles de ces aides avez-vous reçues ?",
            es="¿Cuáles de estas ayudas recibió?",
            ar="أيّ من هذه المساعدات حصلت عليها؟",
            uk="Що з цього ви отримали?",
        ), hint=tr(
            en="Choose all that apply. Choose \"None of these\" if you received none of them.",
            fr="Choisissez toutes les réponses qui conviennent. Choisissez « Aucun de ces "
            "choix » si vous n'avez reçu aucune de ces aides.",
            es="Elija todas las que correspondan. Elija «Ninguna de estas opciones» si no "
            "recibió ninguna.",
            ar="اختر كل ما ينطبق. اختر «لا شيء من هذه» إذا لم تحصل على أيّ منها.",
            uk="Виберіть усі відповідні варіанти. Виберіть «Нічого з цього», якщо ви не "
            "отримали жодної.",
        ), required="yes", relevant="count-selected(${needs_needed}) > 0 and "
            "not(selected(${needs_needed}, 'none'))",
            constraint=exclusive("none"), constraint_message=CHOOSE_ALONE,
            choice_filter="selected(${needs_needed}, name) or name = 'none'"),
        q("select_one rating", "satisfaction", "keep", tr(
            en="Overall, how was the help you received here?",
            fr="Dans l'ensemble, comment était l'aide reçue ici ?",
            es="En general, ¿cómo fue la ayuda que recibió aquí?",
            ar="بشكل عام، كيف كانت المساعدة التي حصلت عليها هنا؟",
            uk="Загалом, якою була допомога, яку ви отримали тут?",
        ), appearance="likert"),
        q("rank service", "priorities", "keep", tr(
            en="What should the Red Cross and Red Crescent focus on most? Put these in order.",
            fr="Sur quoi la Croix-Rouge et le Croissant-Rouge doivent-ils se concentrer le "
            "plus ? Classez ces aides par ordre d'importance.",
            es="¿En qué deberían centrarse más la Cruz Roja y la Media Luna Roja? Ordene "
            "estas ayudas.",
            ar="على ماذا يجب أن يركّز الصليب الأحمر والهلال الأحمر أكثر؟ رتّب هذه المساعدات.",
            uk="На чому Червоний Хрест і Червоний Півмісяць мають зосередитися найбільше? "
            "Розставте ці види допомоги за порядком.",
        ), hint=MOST_IMPORTANT_FIRST, choice_filter="name != 'none'"),
    ])
    story = q("text", "story", "free_text", tr(
        en="Would you like to tell us more about your experience: what helped you, or what was "
        "difficult?",
        fr="Voulez-vous nous en dire plus sur votre expérience : ce qui a été utile ou "
        "difficile pour vous ?",
        es="¿Quiere contarnos algo más sobre su experiencia: qué le ayudó o qué fue difícil?",
        ar="هل تريد أن تخبرنا المزيد عن تجربتك: ما الذي ساعدك، أو ما الذي كان صعباً؟",
        uk="Чи хочете ви розповісти більше про свій досвід: що вам допомогло або що було "
        "важко?",
    ), hint=tr(
        en="Please do not say names, phone numbers or addresses.",
        fr="Merci de ne pas donner de noms, de numéros de téléphone ni d'adresses.",
        es="Por favor, no diga nombres, números de teléfono ni direcciones.",
        ar="من فضلك لا تذكر أسماء أو أرقام هواتف أو عناوين.",
        uk="Будь ласка, не називайте імен, номерів телефонів чи адрес.",
    ), appearance="multiline")
    agreed = "${contact_consent} = 'yes'"
    contact = group("contact", tr(
        en="Contact later (optional)", fr="Contact ultérieur (facultatif)",
        es="Contacto posterior (opcional)", ar="التواصل لاحقاً (اختياري)",
        uk="Зв'язок пізніше (необов'язково)",
    ), [
        q("select_one yes_no", "contact_consent", "keep", tr(
            en="Can we contact you later to talk more about your experience? If yes, we will "
            "ask for your name and phone number. They are used only for this and never appear "
            "in the results.",
            fr="Pouvons-nous vous recontacter plus tard pour parler de votre expérience ? Si "
            "oui, nous vous demanderons votre nom et votre numéro de téléphone. Ils servent "
            "uniquement à cela et n'apparaissent jamais dans les résultats.",
            es="¿Podemos contactarle más adelante para hablar más sobre su experiencia? Si "
            "acepta, le pediremos su nombre y su número de teléfono. Solo se usan para esto y "
            "nunca aparecen en los resultados.",
            ar="هل يمكننا التواصل معك لاحقاً للحديث أكثر عن تجربتك؟ إذا وافقت، سنطلب اسمك "
            "ورقم هاتفك. نستخدمهما لهذا الغرض فقط، ولن يظهرا أبداً في النتائج.",
            uk="Чи можемо ми зв'язатися з вами пізніше, щоб більше поговорити про ваш досвід? "
            "Якщо так, ми запитаємо ваше ім'я та номер телефону. Вони потрібні лише для цього "
            "й ніколи не з'являться в результатах.",
        ), required="yes"),
        q("text", "contact_name", "direct", NAME, hint=NAME_HINT, required="yes",
          relevant=agreed),
        q("text", "contact_phone", "direct", tr(
            en="Your phone number", fr="Votre numéro de téléphone",
            es="Su número de teléfono", ar="رقم هاتفك", uk="Ваш номер телефону",
        ), hint=tr(
            en="With the country code if possible.", fr="Avec l'indicatif du pays si possible.",
            es="Con el código del país si es posible.", ar="مع رمز البلد إن أمكن.",
            uk="Якщо можливо, з кодом країни.",
        ), required="yes", relevant=agreed, appearance="numbers",
            constraint=r"regex(., '^\+?[0-9 ]{6,20}$')", constraint_message=tr(
            en="Use only digits, spaces and + (6 to 20 characters).",
            fr="Utilisez uniquement des chiffres, des espaces et + (6 à 20 caractères).",
            es="Use solo cifras, espacios y + (de 6 a 20 caracteres).",
            ar="استخدم الأرقام والمسافات و+ فقط (من 6 إلى 20 حرفاً).",
            uk="Використовуйте лише цифри, пробіли та + (від 6 до 20 символів).",
        )),
    ], appearance="field-list")
    thanks = q("note", "thanks", "keep", tr(
        en="Thank you very much for sharing your experience. Your answers will help the Red "
        "Cross and Red Crescent better support people who have left their homes.",
        fr="Merci beaucoup d'avoir partagé votre expérience. Vos réponses aideront la "
        "Croix-Rouge et le Croissant-Rouge à mieux soutenir les personnes qui ont quitté "
        "leur foyer.",
        es="Muchas gracias por compartir su experiencia. Sus respuestas ayudarán a la Cruz "
        "Roja y la Media Luna Roja a apoyar mejor a las personas que han dejado su hogar.",
        ar="شكراً جزيلاً لمشاركتك تجربتك. ستساعد إجاباتك الصليب الأحمر والهلال الأحمر على "
        "دعم الأشخاص الذين غادروا ديارهم بشكل أفضل.",
        uk="Щиро дякуємо, що поділилися своїм досвідом. Ваші відповіді допоможуть Червоному "
        "Хресту і Червоному Півмісяцю краще підтримувати людей, які залишили свій дім.",
    ))
    return [
        *metadata(),
        q("note", "intro", "keep", tr(
            en="Hello. We are from the Red Cross and Red Crescent. We want to learn from your "
            "experience, to better help people who have left their homes. It takes about 15 "
            "minutes. You can skip any question or stop at any time. Your answers are "
            "confidential: the results only show what many people said together. They do not "
            "change the help you get here. We will ask for your name only if you want us to "
            "contact you later.",
            fr="Bonjour. Nous faisons partie de la Croix-Rouge et du Croissant-Rouge. Nous "
            "voulons apprendre de votre expérience, pour mieux aider les personnes qui ont "
            "quitté leur foyer. Cela prend environ 15 minutes. Vous pouvez passer une question "
            "ou arrêter à tout moment. Vos réponses sont confidentielles : les résultats "
            "montrent seulement ce que beaucoup de personnes ont dit ensemble. Elles ne changent "
            "rien à l'aide que vous recevez ici. Nous vous demanderons votre nom seulement si "
            "vous souhaitez que nous vous recontactions.",
            es="Hola. Somos de la Cruz Roja y la Media Luna Roja. Queremos aprender de su "
            "experiencia, para ayudar mejor a las personas que han dejado su hogar. Toma unos "
            "15 minutos. Puede saltar cualquier pregunta o parar en cualquier momento. Sus "
            "respuestas son confidenciales: los resultados solo muestran lo que muchas personas "
            "dijeron en conjunto. No cambian la ayuda que recibe aquí. Solo le pediremos su "
            "nombre si usted quiere que le contactemos más adelante.",
            ar="مرحباً. نحن من الصليب الأحمر والهلال الأحمر. نريد أن نتعلّم من تجربتك، لكي "
            "نساعد بشكل أفضل الأشخاص الذين غادروا ديارهم. يستغرق ذلك حوالي 15 دقيقة. يمكنك "
            "تخطّي أي سؤال أو التوقف في أي وقت. إجاباتك سرية: النتائج تُظهر فقط ما قاله كثير من "
            "الناس معاً. وهي لا تغيّر المساعدة التي تحصل عليها هنا. لن نطلب اسمك إلا إذا "
            "أردت أن نتواصل معك لاحقاً.",
            uk="Вітаємо. Ми представляємо Червоний Хрест і Червоний Півмісяць. Ми хочемо "
            "дізнатися про ваш досвід, щоб краще допомагати людям, які залишили свій дім. Це "
            "займе близько 15 хвилин. Ви можете пропустити будь-яке питання або зупинитися в "
            "будь-який момент. Ваші відповіді конфіденційні: у результатах видно лише те, що "
            "сказали багато людей разом. Вони не впливають на допомогу, яку ви отримуєте тут. "
            "Ми запитаємо ваше ім'я, лише якщо ви захочете, щоб ми зв'язалися з вами пізніше.",
        )),
        q("select_one yes_no", "consent", "keep", tr(
            en="Do you agree to answer these questions?",
            fr="Acceptez-vous de répondre à ces questions ?",
            es="¿Acepta responder a estas preguntas?",
            ar="هل توافق على الإجابة عن هذه الأسئلة؟",
            uk="Чи погоджуєтеся ви відповісти на ці питання?",
        ), required="yes"),
        refused_note(),
        *after_consent([
            *about_you, *household, *journey, *needs, story, *contact, thanks,
        ]),
    ]


# ---------------------------------------------------------------------------------------------
# Experience and expertise of National Society staff and volunteers
# ---------------------------------------------------------------------------------------------

STAFF_CHOICES = {
    "yes_no": [YES, NO],
    "role": [
        opt("staff", "Staff member", "Membre du personnel", "Personal contratado", "موظف/ة",
            "Працівник/працівниця"),
        opt("volunteer", "Volunteer", "Volontaire", "Voluntario/a", "متطوع/ة",
            "Волонтер/волонтерка"),
        opt("manager", "Manager or coordinator", "Responsable (gestion ou coordination)",
            "Responsable de gestión o coordinación", "مدير/ة أو منسق/ة",
            "Керівник/керівниця або координатор/координаторка"),
        opt("other", "Other", "Autre", "Otro", "أخرى", "Інше"),
    ],
    "activity": [
        *SERVICES,
        opt("hsp", "Humanitarian Service Point", "Point de service humanitaire",
            "Punto de Servicio Humanitario", "نقطة الخدمات الإنسانية",
            "Пункт гуманітарних послуг"),
        opt("helpline", "Helpline for migrants", "Ligne d'assistance pour les personnes "
            "migrantes", "Línea de ayuda para personas migrantes", "خط مساعدة للمهاجرين",
            "Гаряча лінія для мігрантів"),
        opt("mobile_team", "Mobile team", "Équipe mobile", "Equipo móvil", "فريق متنقّل",
            "Мобільна команда"),
        opt("advocacy", "Advocacy", "Plaidoyer", "Incidencia", "المناصرة", "Адвокація"),
        opt("cash", "Cash assistance", "Assistance monétaire", "Asistencia en efectivo",
            "المساعدات النقدية", "Грошова допомога"),
    ],
    "partner": [
        opt("ifrc", "IFRC (International Federation)", "FICR (Fédération internationale)",
            "FICR (Federación Internacional)",
            "الاتحاد الدولي لجمعيات الصليب الأحمر والهلال الأحمر",
            "МФТЧХ (Міжнародна федерація)"),
        opt("icrc", "ICRC (International Committee of the Red Cross)",
            "CICR (Comité international de la Croix-Rouge)",
            "CICR (Comité Internacional de la Cruz Roja)", "اللجنة الدولية للصليب الأحمر",
            "МКЧХ (Міжнародний комітет Червоного Хреста)"),
        opt("other_ns", "Other National Societies", "D'autres Sociétés nationales",
            "Otras Sociedades Nacionales", "جمعيات وطنية أخرى", "Інші національні товариства"),
        opt("apmn", "Asia Pacific Migration Network (APMN)",
            "Réseau Asie-Pacifique sur la migration (APMN)",
            "Red de Migración de Asia-Pacífico (APMN)",
            "شبكة آسيا والمحيط الهادئ للهجرة (APMN)",
            "Азійсько-Тихоокеанська мережа з питань міграції (APMN)"),
        opt("sahel_plus", "Sahel+ network", "Réseau Sahel+", "Red Sahel+", "شبكة الساحل+",
            "Мережа «Сахель+»"),
        opt("mena", "MENA migration network (Middle East and North Africa)",
            "Réseau migration MENA (Moyen-Orient et Afrique du Nord)",
            "Red de migración MENA (Oriente Medio y Norte de África)",
            "شبكة الهجرة في الشرق الأوسط وشمال أفريقيا (MENA)",
            "Мережа з питань міграції MENA (Близький Схід і Північна Африка)"),
        opt("perco", "PERCO (European Red Cross platform on migration)",
            "PERCO (plateforme européenne de la Croix-Rouge sur la migration)",
            "PERCO (plataforma europea de la Cruz Roja sobre migración)",
            "PERCO (المنصة الأوروبية للصليب الأحمر بشأن الهجرة)",
            "PERCO (європейська платформа Червоного Хреста з питань міграції)"),
        NONE_OF_THESE,
    ],
    "challenge": [
        opt("deaths_missing", "Deaths and missing migrants on the routes",
            "Décès et disparitions de personnes migrantes sur les routes",
            "Muertes y desapariciones de personas migrantes en las rutas",
            "الوفيات والمهاجرون المفقودون على طرق الهجرة",
            "Загибель і зникнення мігрантів у дорозі"),
        opt("family_separation", "Family separation", "Séparation des familles",
            "Separación familiar", "تفرّق العائلات", "Розлучення родин"),
        opt("access_services", "Access to essential services", "Accès aux services essentiels",
            "Acceso a servicios esenciales", "الحصول على الخدمات الأساسية",
            "Доступ до основних послуг"),
        opt("violence_exploitation", "Violence, exploitation and trafficking",
            "Violence, exploitation et traite", "Violencia, explotación y trata",
            "العنف والاستغلال والاتجار بالبشر", "Насильство, експлуатація та торгівля людьми"),
        opt("detention", "Immigration detention", "Rétention administrative des migrants",
            "Detención migratoria", "احتجاز المهاجرين", "Утримання мігрантів під вартою"),
        opt("mental_health", "Mental health and psychosocial needs",
            "Besoins en santé mentale et soutien psychosocial",
            "Necesidades de salud mental y apoyo psicosocial",
            "احتياجات الصحة النفسية والدعم النفسي الاجتماعي",
            "Потреби у сфері психічного здоров'я та психосоціальної підтримки"),
        opt("unaccompanied_children", "Unaccompanied and separated children",
            "Enfants non accompagnés et séparés", "Niñas y niños no acompañados y separados",
            "الأطفال غير المصحوبين والمنفصلين عن ذويهم",
            "Діти без супроводу та розлучені з батьками"),
        opt("climate", "Displacement due to climate change and disasters",
            "Déplacements liés au changement climatique et aux catastrophes",
            "Desplazamiento por el cambio climático y los desastres",
            "النزوح بسبب تغيّر المناخ والكوارث", "Переміщення через зміну клімату та катастрофи"),
        opt("discrimination", "Discrimination and xenophobia", "Discrimination et xénophobie",
            "Discriminación y xenofobia", "التمييز وكراهية الأجانب",
            "Дискримінація та ксенофобія"),
        opt("irregular_status", "Barriers linked to irregular status",
            "Obstacles liés à la situation irrégulière", "Obstáculos por la situación irregular",
            "العوائق المرتبطة بالوضع غير النظامي",
            "Перешкоди, пов'язані з неврегульованим статусом"),
        opt("humanitarian_access", "Restrictions on humanitarian access to migrants",
            "Restrictions de l'accès humanitaire aux personnes migrantes",
            "Restricciones al acceso humanitario a las personas migrantes",
            "القيود على الوصول الإنساني إلى المهاجرين",
            "Обмеження гуманітарного доступу до мігрантів"),
        opt("other", "Other", "Autre", "Otro", "أخرى", "Інше"),
    ],
    "priority": [
        opt("save_lives", "Saving lives on migration routes (including search and rescue)",
            "Sauver des vies sur les routes migratoires (y compris recherche et sauvetage)",
            "Salvar vidas en las rutas migratorias (incluidos la búsqueda y el salvamento)",
            "إنقاذ الأرواح على طرق الهجرة (بما في ذلك البحث والإنقاذ)",
            "Порятунок життів на міграційних маршрутах (зокрема пошук і рятування)"),
        opt("missing_rfl", "Missing migrants and Restoring Family Links",
            "Migrants disparus et rétablissement des liens familiaux",
            "Migrantes desaparecidos y restablecimiento del contacto entre familiares",
            "المهاجرون المفقودون وإعادة الروابط العائلية",
            "Зниклі мігранти та відновлення родинних зв'язків"),
        opt("access_services", "Access to essential services, whatever a person's status",
            "Accès aux services essentiels, quel que soit le statut",
            "Acceso a servicios esenciales, sea cual sea la situación migratoria",
            "الحصول على الخدمات الأساسية بغضّ النظر عن الوضع القانوني",
            "Доступ до основних послуг незалежно від статусу"),
        opt("protection", "Protection from violence, exploitation and detention",
            "Protection contre la violence, l'exploitation et la détention",
            "Protección frente a la violencia, la explotación y la detención",
            "الحماية من العنف والاستغلال والاحتجاز",
            "Захист від насильства, експлуатації та затримання"),
        opt("mhpss", "Mental health and psychosocial support",
            "Santé mentale et soutien psychosocial", "Salud mental y apoyo psicosocial",
            "الصحة النفسية والدعم النفسي الاجتماعي",
            "Психічне здоров'я та психосоціальна підтримка"),
        opt("inclusion", "Inclusion and welcoming communities",
            "Inclusion et communautés accueillantes", "Inclusión y comunidades acogedoras",
            "الإدماج والمجتمعات المرحِّبة", "Інклюзія та гостинні громади"),
        opt("climate", "Displacement linked to climate and disasters",
            "Déplacements liés au climat et aux catastrophes",
            "Desplazamiento vinculado al clima y los desastres",
            "النزوح المرتبط بالمناخ والكوارث", "Переміщення, пов'язане з кліматом і катастрофами"),
        opt("coordination", "Coordination across the Movement and along the routes",
            "Coordination au sein du Mouvement et le long des routes",
            "Coordinación dentro del Movimiento y a lo largo de las rutas",
            "التنسيق داخل الحركة وعلى امتداد طرق الهجرة",
            "Координація в межах Руху та вздовж маршрутів"),
    ],
}


def staff_survey() -> list[dict]:
    agreed = "${contact_consent} = 'yes'"
    return [
        *metadata(),
        q("note", "intro", "keep", tr(
            en="This questionnaire collects the experience and expertise of National Society "
            "staff and volunteers working on migration, to inform the Movement Strategy on "
            "Migration. It takes about 10 minutes. Your answers are confidential and are "
            "reported only in aggregated form. You can skip any question.",
            fr="Ce questionnaire recueille l'expérience et l'expertise du personnel et des "
            "volontaires des Sociétés nationales qui travaillent sur la migration, pour "
            "éclairer la Stratégie du Mouvement sur la migration. Il prend environ 10 minutes. "
            "Vos réponses sont confidentielles et ne sont présentées que sous forme agrégée. "
            "Vous pouvez passer n'importe quelle question.",
            es="Este cuestionario recoge la experiencia y los conocimientos del personal y el "
            "voluntariado de las Sociedades Nacionales que trabajan en migración, para "
            "orientar la Estrategia del Movimiento sobre Migración. Toma unos 10 minutos. Sus "
            "respuestas son confidenciales y solo se presentan de forma agregada. Puede saltar "
            "cualquier pregunta.",
            ar="يجمع هذا الاستبيان خبرات موظفي ومتطوعي الجمعيات الوطنية العاملين في مجال "
            "الهجرة، للاسترشاد بها في إعداد استراتيجية الحركة بشأن الهجرة. يستغرق حوالي 10 "
            "دقائق. إجاباتك سرية ولا تُعرض إلا في صورة مجمّعة. يمكنك تخطّي أي سؤال.",
            uk="Ця анкета збирає досвід і знання працівників та волонтерів національних "
            "товариств, які працюють у сфері міграції, щоб допомогти розробити Стратегію Руху "
            "з питань міграції. Заповнення займе близько 10 хвилин. Ваші відповіді "
            "конфіденційні й оприлюднюються лише в узагальненому вигляді. Ви можете "
            "пропустити будь-яке питання.",
        )),
        q("select_one yes_no", "consent", "keep", tr(
            en="Do you agree to take part?", fr="Acceptez-vous de participer ?",
            es="¿Acepta participar?", ar="هل توافق على المشاركة؟",
            uk="Чи погоджуєтеся ви взяти участь?",
        ), required="yes"),
        refused_note(),
        *after_consent([
            q("select_one role", "role", "quasi", tr(
                en="What is your role?", fr="Quel est votre rôle ?",
                es="¿Cuál es su función?", ar="ما هو دورك؟", uk="Яка ваша роль?",
            ), required="yes"),
            q("text", "national_society", "keep", tr(
                en="Which National Society do you work or volunteer for?",
                fr="Pour quelle Société nationale travaillez-vous ou êtes-vous volontaire ?",
                es="¿En qué Sociedad Nacional trabaja o colabora como voluntario/a?",
                ar="في أي جمعية وطنية تعمل أو تتطوع؟",
                uk="У якому національному товаристві ви працюєте або волонтерите?",
            ), hint=tr(
                en="For example: Lebanese Red Cross, Turkish Red Crescent.",
                fr="Par exemple : Croix-Rouge libanaise, Croissant-Rouge turc.",
                es="Por ejemplo: Cruz Roja Libanesa, Media Luna Roja Turca.",
                ar="مثلاً: الصليب الأحمر اللبناني، الهلال الأحمر التركي.",
                uk="Наприклад: Товариство Червоного Хреста України, Турецький Червоний "
                "Півмісяць.",
            ), required="yes"),
            q("integer", "years_in_migration", "quasi band:5", tr(
                en="How many years have you worked on migration?",
                fr="Depuis combien d'années travaillez-vous sur la migration ?",
                es="¿Cuántos años lleva trabajando en migración?",
                ar="كم سنة عملت في مجال الهجرة؟",
                uk="Скільки років ви працюєте у сфері міграції?",
            ), hint=tr(
                en="Count paid and volunteer work. Write 0 if less than one year.",
                fr="Comptez le travail salarié et bénévole. Écrivez 0 si moins d'un an.",
                es="Cuente el trabajo remunerado y el voluntario. Escriba 0 si es menos de un "
                "año.",
                ar="احسب العمل المأجور والتطوعي. اكتب 0 إذا كانت المدة أقل من سنة.",
                uk="Враховуйте оплачувану та волонтерську роботу. Напишіть 0, якщо менше року.",
            ), constraint=". >= 0 and . <= 60", constraint_message=number_between(0, 60)),
            q("select_multiple activity", "services_run", "keep", tr(
                en="Which services for migrants does your team run?",
                fr="Quels services pour les personnes migrantes votre équipe assure-t-elle ?",
                es="¿Qué servicios para personas migrantes ofrece su equipo?",
                ar="ما الخدمات التي يقدّمها فريقك للمهاجرين؟",
                uk="Які послуги для мігрантів надає ваша команда?",
            ), hint=CHOOSE_ALL),
            q("select_multiple partner", "collaboration", "keep", tr(
                en="Which other parts of the Movement do you work with on migration?",
                fr="Avec quelles autres composantes du Mouvement travaillez-vous sur la "
                "migration ?",
                es="¿Con qué otros componentes del Movimiento colabora en migración?",
                ar="مع أي مكوّنات أخرى من الحركة تتعاون في مجال الهجرة؟",
                uk="З якими іншими складовими Руху ви співпрацюєте з питань міграції?",
            ), hint=CHOOSE_ALL, constraint=exclusive("none"), constraint_message=CHOOSE_ALONE),
            q("select_multiple challenge", "challenges", "keep", tr(
                en="What are the most pressing humanitarian challenges for migrants where you "
                "work?",
                fr="Quels sont les défis humanitaires les plus urgents pour les personnes "
                "migrantes là où vous travaillez ?",
                es="¿Cuáles son los desafíos humanitarios más urgentes para las personas "
                "migrantes donde usted trabaja?",
                ar="ما هي أكثر التحديات الإنسانية إلحاحاً التي يواجهها المهاجرون حيث تعمل؟",
                uk="Які гуманітарні проблеми мігрантів є найнагальнішими там, де ви працюєте?",
            ), hint=tr(
                en="Choose up to three.", fr="Choisissez trois réponses au maximum.",
                es="Elija hasta tres.", ar="اختر ثلاثة كحد أقصى.",
                uk="Виберіть не більше трьох.",
            ), constraint="count-selected(.) <= 3", constraint_message=tr(
                en="Choose no more than three.", fr="Ne choisissez pas plus de trois réponses.",
                es="No elija más de tres.", ar="لا تختر أكثر من ثلاثة.",
                uk="Виберіть не більше трьох.",
            )),
            q("text", "challenges_other", "free_text", tr(
                en="Which other challenge?", fr="Quel autre défi ?",
                es="¿Qué otro desafío?", ar="ما هو التحدي الآخر؟", uk="Яка інша проблема?",
            ), relevant="selected(${challenges}, 'other')"),
            q("rank priority", "priorities", "keep", tr(
                en="What should the Movement Strategy on Migration prioritise? Put these in "
                "order.",
                fr="Quelles devraient être les priorités de la Stratégie du Mouvement sur la "
                "migration ? Classez-les par ordre d'importance.",
                es="¿Qué debería priorizar la Estrategia del Movimiento sobre Migración? "
                "Ordene estas opciones.",
                ar="ما الذي يجب أن تعطيه استراتيجية الحركة بشأن الهجرة الأولوية؟ رتّب هذه "
                "الخيارات.",
                uk="Що має бути пріоритетом Стратегії Руху з питань міграції? Розставте ці "
                "варіанти за порядком.",
            ), hint=MOST_IMPORTANT_FIRST),
            q("text", "comment", "free_text", tr(
                en="Any other comment or idea for the strategy?",
                fr="Avez-vous d'autres commentaires ou idées pour la stratégie ?",
                es="¿Tiene algún otro comentario o idea para la estrategia?",
                ar="هل لديك أي تعليق أو فكرة أخرى بشأن الاستراتيجية؟",
                uk="Чи маєте ви інші коментарі чи ідеї щодо стратегії?",
            ), hint=tr(
                en="Please do not write names or contact details of migrants or colleagues.",
                fr="Merci de ne pas écrire de noms ni de coordonnées de personnes migrantes ou "
                "de collègues.",
                es="Por favor, no escriba nombres ni datos de contacto de personas migrantes "
                "o de colegas.",
                ar="من فضلك لا تكتب أسماء أو بيانات اتصال لمهاجرين أو زملاء.",
                uk="Будь ласка, не пишіть імен чи контактних даних мігрантів або колег.",
            ), appearance="multiline"),
            *group("contact", tr(
                en="Follow-up (optional)", fr="Suivi (facultatif)",
                es="Seguimiento (opcional)", ar="المتابعة (اختياري)",
                uk="Подальший зв'язок (необов'язково)",
            ), [
                q("select_one yes_no", "contact_consent", "keep", tr(
                    en="May the strategy team contact you to discuss your answers? If yes, we "
                    "will ask for your name and email address. They are used only for this "
                    "and never appear in the results.",
                    fr="L'équipe chargée de la stratégie peut-elle vous contacter pour "
                    "discuter de vos réponses ? Si oui, nous vous demanderons votre nom et "
                    "votre adresse e-mail. Ils servent uniquement à cela et n'apparaissent "
                    "jamais dans les résultats.",
                    es="¿Puede el equipo de la estrategia contactarle para hablar de sus "
                    "respuestas? Si acepta, le pediremos su nombre y su correo electrónico. "
                    "Solo se usan para esto y nunca aparecen en los resultados.",
                    ar="هل يمكن لفريق الاستراتيجية التواصل معك لمناقشة إجاباتك؟ إذا وافقت، "
                    "سنطلب اسمك وبريدك الإلكتروني. نستخدمهما لهذا الغرض فقط، ولن يظهرا "
                    "أبداً في النتائج.",
                    uk="Чи може команда, що розробляє стратегію, зв'язатися з вами, щоб "
                    "обговорити ваші відповіді? Якщо так, ми запитаємо ваше ім'я та адресу "
                    "електронної пошти. Вони потрібні лише для цього й ніколи не з'являться в "
                    "результатах.",
                ), required="yes"),
                q("text", "contact_name", "direct", NAME, hint=NAME_HINT, required="yes",
                  relevant=agreed),
                q("text", "contact_email", "direct", tr(
                    en="Your email address", fr="Votre adresse e-mail",
                    es="Su correo electrónico", ar="بريدك الإلكتروني",
                    uk="Ваша адреса електронної пошти",
                ), required="yes", relevant=agreed,
                    constraint=r"regex(., '^[^@\s]+@[^@\s]+\.[^@\s]+$')", constraint_message=tr(
                    en="This does not look like an email address.",
                    fr="Cette adresse e-mail ne semble pas valide.",
                    es="Esta dirección de correo no parece válida.",
                    ar="لا يبدو هذا عنوان بريد إلكتروني صحيحاً.",
                    uk="Схоже, це не адреса електронної пошти.",
                )),
            ], appearance="field-list"),
            q("note", "thanks", "keep", tr(
                en="Thank you for sharing your experience and expertise.",
                fr="Merci d'avoir partagé votre expérience et votre expertise.",
                es="Gracias por compartir su experiencia y sus conocimientos.",
                ar="شكراً لمشاركتك خبرتك وتجربتك.",
                uk="Дякуємо, що поділилися своїм досвідом і знаннями.",
            )),
        ]),
    ]


FORMS: list[dict[str, Any]] = [
    {
        "file": "migrant_experience.xlsx",
        "settings": {
            "form_title": "Migrants' lived experience at Humanitarian Service Points",
            "form_id": "migrant_experience",
        },
        "survey": migrant_survey,
        "choices": MIGRANT_CHOICES,
    },
    {
        "file": "staff_volunteer_experience.xlsx",
        "settings": {
            "form_title": "Experience and expertise of National Society staff and volunteers",
            "form_id": "staff_volunteer_experience",
        },
        "survey": staff_survey,
        "choices": STAFF_CHOICES,
    },
]


# fmt: on

# ---------------------------------------------------------------------------------------------
# Writing and checking the workbooks
# ---------------------------------------------------------------------------------------------


def flatten(row: dict) -> dict[str, str]:
    """One row as sheet cells: translated texts become one `column::language` cell each."""
    cells = {}
    for column, value in row.items():
        if isinstance(value, tuple):
            cells.update(
                {f"{column}::{lang}": text for lang, text in zip(LANGUAGES, value, strict=True)}
            )
        elif value:
            cells[column] = value
    return cells


def headers(order: tuple[str, ...], rows: list[dict[str, str]]) -> list[str]:
    """The columns used by at least one row, in `order`, languages in LANGUAGES order."""
    used = {column for row in rows for column in row}
    expanded = [[f"{c}::{lang}" for lang in LANGUAGES] if c in TRANSLATED else [c] for c in order]
    return [column for columns in expanded for column in columns if column in used]


def add_sheet(workbook: Workbook, title: str, columns: list[str], rows: list[dict]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        wide = column.split("::")[0] in TRANSLATED or column == "form_title"
        sheet.column_dimensions[get_column_letter(index)].width = 48 if wide else 22
        if wide:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2" if title in {"survey", "choices"} else "A2"


def stable_bytes(workbook: Workbook) -> bytes:
    """The .xlsx bytes with fixed zip and document timestamps, so equal content is equal bytes."""
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2026-11-27T00:00:00Z",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 11, 27, 0, 0, 0))
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build(form: dict) -> tuple[Path, list[dict]]:
    survey = form["survey"]()
    survey_rows = [flatten(row) for row in survey]
    choice_rows = [
        flatten({"list_name": list_name, "name": name, "label": label})
        for list_name, options in form["choices"].items()
        for name, label in options
    ]
    settings = {**form["settings"], "version": VERSION, "default_language": LANGUAGES[0]}
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(workbook, "survey", headers(SURVEY_COLUMNS, survey_rows), survey_rows)
    add_sheet(
        workbook, "choices", headers(("list_name", "name", "label"), choice_rows), choice_rows
    )
    add_sheet(workbook, "settings", list(settings), [settings])
    path = HERE / form["file"]
    path.write_bytes(stable_bytes(workbook))
    return path, survey


def privacy_problems(path: Path) -> list[str]:
    """Every question row of the written survey sheet needs a value of the privacy vocabulary."""
    rows = load_workbook(path)["survey"].iter_rows(values_only=True)
    columns = next(rows)
    problems = []
    for number, cells in enumerate(rows, start=2):
        row = dict(zip(columns, cells, strict=True))
        if row["type"] in GROUP_TYPES:
            continue
        where = f"survey row {number} ({row['name']})"
        words = (row["privacy"] or "").split()
        if not words or words[0] not in CLASSES:
            problems.append(f"{where}: privacy {row['privacy']!r} is not a classification")
        elif words[1:] and words[0] != "quasi":
            problems.append(f"{where}: only quasi takes generalisers")
        else:
            problems += [
                f"{where}: {word!r} is not a generaliser"
                for word in words[1:]
                if not GENERALISER.match(word)
            ]
    return problems


def main() -> int:
    failed = False
    for form in FORMS:
        path, survey = build(form)
        problems = privacy_problems(path)
        warnings: list[str] = []
        try:
            convert(xlsform=path.read_bytes(), file_type=".xlsx", validate=True, warnings=warnings)
        except Exception as exc:  # report pyxform's or ODK Validate's error as is
            problems.append(f"pyxform: {exc}")
        problems += [f"pyxform warning: {warning}" for warning in warnings]
        questions = sum(row["type"] not in GROUP_TYPES for row in survey)
        print(
            f"{path.relative_to(HERE.parent.parent)}: {form['settings']['form_id']} "
            f"version {VERSION}, {questions} questions"
        )
        for problem in problems:
            print(f"  {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
