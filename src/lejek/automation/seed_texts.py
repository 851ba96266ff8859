"""The shipped demo SOP's emails in English, Polish and Russian.

Each entry: key → language → (name, subject, body, attach the meeting invitation).
Merge fields: deal, contact, owner, organization, meeting (see context.merge_fields).
"""

CONFIRMATION_EN = """Hello {{ contact.first_name|default:"there" }},

thank you for booking a demo of {{ deal.title }}. We meet on \
{{ meeting.start|date:"l, j F Y" }} at {{ meeting.time }} ({{ meeting.duration_minutes }} minutes).
The invitation is attached: add it to your calendar.

Best regards,
{{ owner.name }}"""

CONFIRMATION_PL = """Dzień dobry{% if contact.first_name %} {{ contact.first_name }}{% endif %},

dziękujemy za umówienie prezentacji: {{ deal.title }}. Spotykamy się \
{{ meeting.start|date:"j.m.Y" }} o godz. {{ meeting.time }} ({{ meeting.duration_minutes }} min).
Zaproszenie jest w załączniku: dodaj je do kalendarza.

Pozdrawiam
{{ owner.name }}"""

CONFIRMATION_RU = """Здравствуйте{% if contact.first_name %}, {{ contact.first_name }}{% endif %}!

Спасибо, что записались на демонстрацию: {{ deal.title }}. Встречаемся \
{{ meeting.start|date:"d.m.Y" }} в {{ meeting.time }} ({{ meeting.duration_minutes }} мин).
Приглашение во вложении — добавьте его в календарь.

С уважением,
{{ owner.name }}"""

CASE_STUDY_EN = """Hello {{ contact.first_name|default:"there" }},

ahead of our call tomorrow at {{ meeting.time }}, here is a case study of a team like \
{{ organization.name|default:"yours" }} and what they achieved with us.

See you soon,
{{ owner.name }}"""

CASE_STUDY_PL = """Dzień dobry{% if contact.first_name %} {{ contact.first_name }}{% endif %},

przed naszą rozmową ({{ meeting.start|date:"j.m.Y" }}, godz. {{ meeting.time }}) przesyłam \
studium przypadku zespołu podobnego do Państwa i tego, co z nami osiągnął.

Do usłyszenia
{{ owner.name }}"""

CASE_STUDY_RU = """Здравствуйте{% if contact.first_name %}, {{ contact.first_name }}{% endif %}!

Перед нашим звонком ({{ meeting.start|date:"d.m.Y" }} в {{ meeting.time }}) отправляю \
кейс команды, похожей на вашу, и её результаты с нами.

До встречи,
{{ owner.name }}"""

REMINDER_EN = """Hello {{ contact.first_name|default:"there" }},

a reminder: our call starts today at {{ meeting.time }}.

{{ owner.name }}"""

REMINDER_PL = """Dzień dobry{% if contact.first_name %} {{ contact.first_name }}{% endif %},

przypominam: nasza rozmowa zaczyna się dziś o godz. {{ meeting.time }}.

{{ owner.name }}"""

REMINDER_RU = """Здравствуйте{% if contact.first_name %}, {{ contact.first_name }}{% endif %}!

Напоминаю: наш звонок сегодня в {{ meeting.time }}.

{{ owner.name }}"""

FOLLOW_UP_EN = """Hello {{ contact.first_name|default:"there" }},

thank you for your time today. The key points we discussed:
{{ meeting.outcome|default:"(see the notes below)" }}
{{ meeting.notes }}

I will get back to you shortly about the next steps.

Best regards,
{{ owner.name }}"""

FOLLOW_UP_PL = """Dzień dobry{% if contact.first_name %} {{ contact.first_name }}{% endif %},

dziękuję za dzisiejszą rozmowę. Najważniejsze ustalenia:
{{ meeting.outcome|default:"(zob. notatki poniżej)" }}
{{ meeting.notes }}

Wkrótce odezwę się w sprawie kolejnych kroków.

Pozdrawiam
{{ owner.name }}"""

FOLLOW_UP_RU = """Здравствуйте{% if contact.first_name %}, {{ contact.first_name }}{% endif %}!

Спасибо за сегодняшнюю встречу. Главное из обсуждённого:
{{ meeting.outcome|default:"(см. заметки ниже)" }}
{{ meeting.notes }}

Скоро свяжусь с вами насчёт следующих шагов.

С уважением,
{{ owner.name }}"""

EMAILS: dict[str, dict[str, tuple[str, str, str, bool]]] = {
    "demo-confirmation": {
        "en": (
            "Demo confirmation",
            "Your demo: {{ meeting.start|date:'j M' }}, {{ meeting.time }}",
            CONFIRMATION_EN,
            True,
        ),
        "pl": (
            "Potwierdzenie prezentacji",
            "Prezentacja: {{ meeting.start|date:'j.m' }}, godz. {{ meeting.time }}",
            CONFIRMATION_PL,
            True,
        ),
        "ru": (
            "Подтверждение демонстрации",
            "Демонстрация: {{ meeting.start|date:'d.m' }}, {{ meeting.time }}",
            CONFIRMATION_RU,
            True,
        ),
    },
    "demo-case-study": {
        "en": ("Case study before the demo", "Before our call: a case study", CASE_STUDY_EN, False),
        "pl": (
            "Studium przypadku przed prezentacją",
            "Przed rozmową: studium przypadku",
            CASE_STUDY_PL,
            False,
        ),
        "ru": ("Кейс перед демонстрацией", "Перед звонком: кейс клиента", CASE_STUDY_RU, False),
    },
    "demo-reminder": {
        "en": ("Demo reminder", "Reminder: our call at {{ meeting.time }}", REMINDER_EN, False),
        "pl": (
            "Przypomnienie o prezentacji",
            "Przypomnienie: rozmowa o {{ meeting.time }}",
            REMINDER_PL,
            False,
        ),
        "ru": (
            "Напоминание о демонстрации",
            "Напоминание: звонок в {{ meeting.time }}",
            REMINDER_RU,
            False,
        ),
    },
    "demo-follow-up": {
        "en": ("Demo follow-up", "Thank you: the key points of our call", FOLLOW_UP_EN, False),
        "pl": ("Podsumowanie prezentacji", "Dziękuję: podsumowanie rozmowy", FOLLOW_UP_PL, False),
        "ru": ("Итоги демонстрации", "Спасибо: итоги нашей встречи", FOLLOW_UP_RU, False),
    },
}
