"""Sentences of the evaluation stories, by language, written for this bench.

Slots: {n} a mention of the respondent's own name, {f} a relative's name (never in the direct
answers), {w} the everyday word the respondent's given name also is, {age} {year} {date}
{price} {count} ordinary numbers, {id} a structured identifier. Naming phrases here were
written without copying the redaction code's cue lists; where a language has one usual way to
say "my name is", that phrase is in both (see the bench's report for the overlap).
"""

# ruff: noqa: RUF001, E501 - tables of sentences in eight languages, one a line
from __future__ import annotations

LANGUAGES = ("en", "fr", "es", "ar", "uk", "prs", "ps", "ti")
SURNAME_WORDS = frozenset({"ሓጎስ"})  # a surname that is also a word ("joy"): counted with homonyms

FILLER = {
    "en": [
        "The road through the mountains took us nine nights.",
        "At the reception centre they gave us blankets and hot tea.",
        "My children did not understand why we had to leave so suddenly.",
        "The boat was overcrowded and the engine stopped twice.",
        "Nobody told us where the bus was going.",
        "I worked as a mechanic before the war reached our town.",
    ],
    "fr": [
        "La route dans les montagnes nous a pris neuf nuits.",
        "Au centre d'accueil on nous a donné des couvertures et du thé chaud.",
        "Mes enfants ne comprenaient pas pourquoi nous partions si vite.",
        "Le bateau était surchargé et le moteur s'est arrêté deux fois.",
        "Personne ne nous a dit où allait le bus.",
    ],
    "es": [
        "El camino por la selva nos tomó nueve días.",
        "En el albergue nos dieron cobijas y café caliente.",
        "Mis hijos no entendían por qué salimos tan de repente.",
        "El bus se dañó dos veces antes de la frontera.",
        "Nadie nos dijo a dónde iba el camión.",
    ],
    "ar": [
        "استغرق الطريق عبر الجبال تسع ليال.",
        "في مركز الاستقبال أعطونا بطانيات وشايا ساخنا.",
        "لم يفهم أطفالي لماذا غادرنا بهذه السرعة.",
        "كان القارب مكتظا وتوقف المحرك مرتين.",
        "لم يخبرنا أحد إلى أين تذهب الحافلة.",
    ],
    "uk": [
        "Дорога до кордону забрала в нас три доби.",
        "У пункті прийому нам дали ковдри і гарячий чай.",
        "Діти не розуміли, чому ми так швидко поїхали.",
        "Потяг двічі зупинявся посеред поля.",
        "Ніхто не сказав нам, куди їде автобус.",
    ],
    "prs": [
        "راه از میان کوه‌ها نه شب طول کشید.",
        "در مرکز پذیرش به ما کمپل و چای گرم دادند.",
        "فرزندانم نمی‌فهمیدند که چرا این قدر زود رفتیم.",
        "کشتی پر از آدم بود و ماشین آن دو بار خاموش شد.",
        "هیچ کس به ما نگفت که بس به کجا می‌رود.",
    ],
    "ps": [
        "د غرونو لار موږ ته نهه شپې ونیولې.",
        "د استوګنې په مرکز کې یې موږ ته کمبلې او ګرمه چای راکړه.",
        "زما ماشومانو نه پوهېدل چې ولې موږ دومره ژر ووتو.",
        "کښتۍ ډکه وه او ماشین یې دوه ځله ودرېد.",
        "هېچا موږ ته ونه ویل چې بس چېرته ځي.",
    ],
    "ti": [
        "መገዲ ብኣኽራን ትሽዓተ ለይቲ ወሲዱልና።",
        "ኣብ መቐበሊ ማእከል ኮበርታን ውዑይ ሻሂን ሂቦምና።",
        "ደቀይ ስለምንታይ ብቕልጡፍ ከም ዝወጻእና ኣይተረድኦምን።",
        "እታ ጃልባ ምሉእ ነይራ እሞ ሞተራ ክልተ ግዜ ደው ኢሉ።",
        "ኣውቶቡስ ናበይ ከም ዝኸይድ ዝነገረና የለን።",
    ],
}

OWN = {  # the respondent's own name, in running text
    "en": [
        "The volunteer wrote {n} on my wristband.",
        "At the border the officer read {n} out loud twice.",
        "On the camp list there is {n} with a star next to it.",
        "Everyone at the camp knows me as {n}.",
        "When the doctor came she asked for {n} first.",
    ],
    "fr": [
        "La bénévole a écrit {n} sur mon bracelet.",
        "À la frontière, le policier a lu {n} à voix haute.",
        "Sur la liste du camp il y a {n} avec une étoile.",
        "Moi, c'est {n}, et je viens de loin.",
    ],
    "es": [
        "La voluntaria escribió {n} en mi pulsera.",
        "En la frontera el policía leyó {n} en voz alta.",
        "En la lista del albergue aparece {n} con una estrella.",
        "Soy {n} y vengo de muy lejos.",
    ],
    "ar": [
        "كتبت المتطوعة {n} على السوار.",
        "على الحدود قرأ الضابط {n} بصوت عال.",
        "في قائمة المخيم يوجد {n} وبجانبه نجمة.",
        "الكل هنا يعرفني باسم {n} منذ وصولي.",
    ],
    "uk": [
        "Волонтерка записала {n} у список.",
        "На кордоні прикордонник двічі прочитав {n} вголос.",
        "У таборі всі знають мене як {n}.",
        "Лікарка спершу покликала {n}.",
    ],
    "prs": [
        "داوطلب {n} را روی دستبند من نوشت.",
        "در مرز مامور دو بار {n} را بلند خواند.",
        "در لیست کمپ {n} با یک ستاره نوشته شده است.",
        "همه در کمپ مرا به نام {n} می‌شناسند.",
    ],
    "ps": [
        "رضاکار زما په لاسبند {n} ولیکه.",
        "په پوله کې مامور دوه ځله {n} په لوړ غږ ولوست.",
        "د کمپ په لیست کې {n} له ستوري سره لیکل شوی.",
        "په کمپ کې ټول ما د {n} په نوم پېژني.",
    ],
    "ti": [
        "እታ ወለንተኛ ኣብ ኣምባረይ {n} ጽሒፋ።",
        "ኣብ ዶብ እቲ ፖሊስ ክልተ ግዜ {n} ብዓው ኢሉ ኣንቢቡ።",
        "ኣብ ዝርዝር መዕቆቢ {n} ምስ ኮኾብ ተጻሒፉ ኣሎ።",
        "ኩሎም ኣብ መዕቆቢ ብ{n} ይፈልጡኒ።",
    ],
}

NAMING = {  # the own name where the sentence says it is a name (homonyms in a naming context)
    "en": ["Hello, my name is {n} and I came alone.", "You can call me {n}, like my grandmother."],
    "fr": ["Je m'appelle {n} et je suis venue seule."],
    "es": ["Me llamo {n} y llegué sola.", "Mi nombre es {n}, como mi abuela."],
    "ar": ["اسمي {n} وجئت وحدي.", "ينادونني {n} مثل جدتي."],
    "uk": ["Мене звати {n}, і я приїхала сама."],
    "prs": ["نام من {n} است و تنها آمدم."],
    "ps": ["زما نوم {n} دی او یوازې راغلم."],
    "ti": ["ስመይ {n} እዩ በይነይ መጺአ።", "ኩሎም {n} ይብሉኒ።"],
}

CLITIC = {  # {n} joined to a prefix or suffix
    "ar": ["أرسلوا الورقة ل{n} بعد شهر.", "ذهبت ب{n} إلى الطبيب.", "و{n} كانت متعبة جدا."],
    "prs": ["و{n} هم با ما بود."],
    "ti": ["እቲ ደብዳቤ ን{n} ተላኢኹ።", "{n}ን ኣደይን ብሓንሳብ መጺእና።"],
}

INFLECTED = {  # Ukrainian: {n} is a case form
    "uk": ["Ми приїхали разом з {n}.", "Лист для {n} прийшов через місяць.", "Я бачила {n} вчора."],
}

CROSS = {  # {n} in the other script than the direct answer
    "en": ["In my passport it is written {n}."],
    "fr": ["Dans mon passeport c'est écrit {n}."],
    "es": ["En el pasaporte pusieron {n}."],
    "ar": ["في جواز السفر مكتوب {n} بالأحرف اللاتينية.", "في المخيم يكتبون {n} على البطاقة."],
    "uk": ["У закордонному паспорті написано {n}."],
    "prs": ["در پاسپورت من {n} نوشته شده است."],
    "ps": ["زما په پاسپورت کې {n} لیکل شوی."],
    "ti": ["ኣብ ፓስፖርተይ {n} ተጻሒፉ ኣሎ።"],
}

FAMILY = {  # a relative's name, announced by how the sentence speaks of them
    "en": ["I travelled with my cousin {f}.", "My sister's name is {f}.", "A man called {f} helped us."],
    "fr": ["Je suis venue avec ma cousine {f}.", "Mon frère s'appelle {f}.", "Un homme nommé {f} nous a aidés."],
    "es": ["Viajé con mi prima {f}.", "Mi hermano se llama {f}.", "Un señor llamado {f} nos ayudó."],
    "ar": ["اسم أخي {f}.", "ساعدنا رجل يدعى {f} في الطريق."],
    "uk": ["Мого брата звати {f}.", "Нам допоміг чоловік на ім'я {f}."],
    "prs": ["نام برادرم {f} است.", "مردی به نام {f} به ما کمک کرد."],
    "ps": ["زما د ورور نوم {f} دی."],
    "ti": ["ስም ሓወይ {f} እዩ።", "ሓደ {f} ዝበሃል ሰብኣይ ሓጊዙና።"],
}  # fmt: skip

COMMON = {  # the everyday word that equals the respondent's given name: must stay
    "hope": ["We still have {w} that we will go home.", "There is little {w} left in the camp."],
    "blessing": ["The rain was a {w} for the farmers.", "Every day without fighting is a {w}."],
    "bright": ["The room was {w} and clean.", "My daughter is very {w} at school."],
    "patience": ["You need a lot of {w} at the asylum office.", "My {w} is running out."],
    "esperanza": ["Todavía tenemos {w} de volver.", "La {w} es lo último que se pierde."],
    "dolores": ["Tengo {w} de cabeza desde el viaje.", "Los {w} de espalda no me dejan dormir."],
    "luz": ["No había {w} en el albergue.", "Cortaron la {w} toda la noche."],
    "أمل": ["لدينا {w} كبير بالعودة.", "لم يبق لنا {w} في هذا البلد."],
    "نور": ["لم يكن هناك {w} في الغرفة.", "انقطع {w} الكهرباء طوال الليل."],
    "هدى": ["نطلب من الله {w} وصبرا.", "كان كلامه {w} لنا في الطريق."],
    "وئام": ["عشنا في {w} مع الجيران.", "نريد {w} بين الناس."],
    "надія": ["У нас ще є {w} повернутися додому.", "Остання {w} була на волонтерів."],
    "віра": ["Моя {w} допомогла мені вижити.", "Без {w} ми б не дійшли."],
    "любов": ["Тільки {w} до дітей тримала мене.", "Це була {w} з першого погляду."],
    "امید": ["هنوز {w} داریم که به خانه برگردیم.", "در کمپ {w} کمی باقی مانده است."],
    "گل": ["در باغ ما {w} های زیادی بود.", "دخترم یک {w} برای معلمش برد."],
    "نرگس": ["در بهار {w} در کوه‌ها می‌روید.", "بوی {w} مرا به یاد خانه می‌اندازد."],
    "ሰላም": ["ኣብ ሃገርና {w} የለን።", "ንሕና {w} ጥራይ ኢና እንደሊ።"],
    "ተስፋ": ["ገና {w} ኣለና።", "ኣብ መዕቆቢ {w} ዳርጋ የለን።"],
    "ብርሃን": ["ኣብቲ ክፍሊ {w} የለን።", "ምሸት {w} ኤሌክትሪክ ተቛሪጹ።"],
    "ሕድሪ": ["እዚ {w} ኣቦና እዩ።", "ንሱ {w} ሰቢሩ።"],
}

NUMBERS = {  # ordinary numbers that identify no one: must stay
    "en": ["I was {age} years old when we left in {year}.", "We paid {price} dollars for the boat.",
           "On {date} we reached the island.", "We were {count} people in the truck."],
    "fr": ["J'avais {age} ans quand nous sommes partis en {year}.", "Nous avons payé {price} euros.",
           "Le {date} nous sommes arrivés.", "Nous étions {count} dans le camion."],
    "es": ["Tenía {age} años cuando salimos en {year}.", "Pagamos {price} dólares por el viaje.",
           "El {date} llegamos a la frontera.", "Éramos {count} personas en el camión."],
    "ar": ["كان عمري {age} سنة عندما غادرنا في {year}.", "دفعنا {price} دولار للمهرب.",
           "في {date} وصلنا إلى الجزيرة.", "كنا {count} شخصا في الشاحنة."],
    "uk": ["Мені було {age} років, коли ми виїхали у {year} році.", "Ми заплатили {price} гривень.",
           "{date} ми перетнули кордон.", "Нас було {count} людей в автобусі."],
    "prs": ["وقتی در سال {year} رفتیم {age} ساله بودم.", "ما {price} دالر به قاچاقبر دادیم.",
            "در تاریخ {date} به جزیره رسیدیم.", "ما {count} نفر در موتر بودیم."],
    "ps": ["کله چې په {year} کې ووتو زه {age} کلن وم.", "موږ {price} ډالر ورکړل.",
           "په {date} موږ ټاپو ته ورسېدو.", "موږ {count} کسان په موټر کې وو."],
    "ti": ["ኣብ {year} ክንወጽእ ከለና {age} ዓመት ነይረ።", "ንዘዋዋሪ {price} ዶላር ከፊልና።",
           "ብ{date} ናብታ ደሴት በጺሕና።", "ኣብቲ መኪና {count} ሰባት ኔርና።"],
}  # fmt: skip

STRUCTURED = {  # a structured identifier {id}: must go
    "en": ["Please call me on {id} if there is news.", "You can write to {id}.",
           "They kept my passport {id} for two weeks.", "My case is on {id}."],
    "fr": ["Appelez-moi au {id} s'il y a des nouvelles.", "Vous pouvez écrire à {id}.",
           "Ils ont gardé mon passeport {id} deux semaines."],
    "es": ["Llámenme al {id} si hay noticias.", "Pueden escribir a {id}.",
           "Se quedaron con mi pasaporte {id} dos semanas."],
    "ar": ["اتصلوا بي على {id} إذا كان هناك خبر.", "يمكنكم مراسلتي على {id}.",
           "احتفظوا بجواز سفري {id} أسبوعين."],
    "uk": ["Телефонуйте мені на {id}, якщо будуть новини.", "Можна написати на {id}.",
           "Мій паспорт {id} забрали на два тижні."],
    "prs": ["اگر خبری بود به شماره {id} زنگ بزنید.", "می‌توانید به {id} ایمیل بفرستید.",
            "پاسپورت من {id} را دو هفته نگه داشتند."],
    "ps": ["که خبر وي په {id} شمېره زنګ ووهئ.", "تاسو کولی شئ {id} ته ولیکئ.",
           "زما پاسپورت {id} یې دوه اونۍ وساته."],
    "ti": ["ሓበሬታ እንተሎ ብ{id} ደውሉለይ።", "ናብ {id} ክትጽሕፉ ትኽእሉ ኢኹም።",
           "ፓስፖርተይ {id} ንክልተ ሰሙን ሒዞምዎ።"],
}  # fmt: skip
