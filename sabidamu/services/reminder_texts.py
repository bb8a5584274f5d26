"""The words of the reminders (issue 15), in Kazakh and Russian: one subject and one body per kind.

Kept as data beside the service (like the card's terms in services/cards.py) so the in-app notice, the e-mail and
the tests read the same sentences. The only child data a reminder carries is the child's first name; dates are
written in the nominative after a colon («соңғы күні: 2026 ж. 15 қазан»), so no case ending depends on them.
"""
from __future__ import annotations

import datetime as dt

from ..localized import DEFAULT_LANG, LANGS

KK_MONTHS = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
             "қараша", "желтоқсан")
RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря")

PURPOSES = {
    "kindergarten_monitoring": {"kk": "Балабақшадағы мониторинг", "ru": "Мониторинг в детском саду"},
    "specialist_access": {"kk": "Маманның қолжетімділігі", "ru": "Доступ специалиста"},
    "school_transfer": {"kk": "Картаны мектепке беру", "ru": "Передача карты в школу"},
}

SUBJECTS = {
    "screening_due": {"kk": "SabiDamu: {child} үшін келесі скрининг уақыты келді",
                      "ru": "SabiDamu: {child} — пора пройти следующий скрининг"},
    "stage_open": {"kk": "SabiDamu: «{group}» тобында {stage} басталды",
                   "ru": "SabiDamu: в группе «{group}» начался {stage}"},
    "stage_closing": {"kk": "SabiDamu: «{group}» тобында {stage} бір аптадан кейін аяқталады",
                      "ru": "SabiDamu: в группе «{group}» {stage} заканчивается через неделю"},
    "consent_expiring": {"kk": "SabiDamu: {child} бойынша келісімнің мерзімі аяқталып келеді",
                         "ru": "SabiDamu: срок согласия по ребенку {child} скоро истекает"},
    "card_received": {"kk": "SabiDamu: мектептің кіріс жәшігіне жаңа карта келді",
                      "ru": "SabiDamu: во входящие школы поступила новая карта"},
}

BODIES = {
    "screening_due": {
        "kk": "{child} үшін келесі үйдегі скринингтің уақыты келді (мерзімі: {date}). Скрининг шамамен 15 минут "
              "алады; оның нәтижесі диагноз емес.",
        "ru": "Пришло время следующего домашнего скрининга для ребенка {child} (срок: {date}). Скрининг занимает "
              "около 15 минут; его результат — не диагноз."},
    "stage_open": {
        "kk": "«{group}» тобында {stage} басталды. Деңгейлерді енгізудің соңғы күні: {end}.",
        "ru": "В группе «{group}» начался {stage}. Последний день ввода уровней — {end}."},
    "stage_closing": {
        "kk": "«{group}» тобында {stage} бір аптадан кейін аяқталады, соңғы күні: {end}. Деңгейлері әлі "
              "енгізілмеген балалар саны: {missing}.",
        "ru": "В группе «{group}» {stage} заканчивается через неделю, последний день — {end}. Детей, у которых "
              "еще не введены уровни: {missing}."},
    "consent_expiring": {
        "kk": "{child} бойынша «{purpose}» келісімінің соңғы күні: {until}. Келісім әлі керек болса, оны баланың "
              "келісімдер бетінде қайта беріңіз.",
        "ru": "Последний день согласия «{purpose}» по ребенку {child} — {until}. Если согласие еще нужно, дайте "
              "его заново на странице согласий ребенка."},
    "card_received": {
        "kk": "«{org}» ұйымынан баланың жеке даму картасы келді. Оны мектептің кіріс жәшігінде қабылдаңыз немесе "
              "қайтарыңыз.",
        "ru": "От организации «{org}» поступила индивидуальная карта развития ребенка. Примите или верните ее во "
              "входящих школы."},
}

FOOTER = {
    "kk": "Бұл еске салғыштарды SabiDamu тіркелгісінің баптауларында өшіруге болады: {link}\n"
          "Бұл хат автоматты түрде жіберілді, оған жауап бермеңіз.",
    "ru": "Эти напоминания можно отключить в настройках учетной записи SabiDamu: {link}\n"
          "Это письмо отправлено автоматически, не отвечайте на него.",
}


def lang_of(locale: str | None) -> str:
    return locale if locale in LANGS else DEFAULT_LANG


def date_text(value: dt.date | None, lang: str) -> str:
    """«2026 ж. 15 қазан» / «15 октября 2026 г.» (nominative in Kazakh: it always follows a colon)."""
    if value is None:
        return ""
    if lang == "kk":
        return f"{value.year} ж. {value.day} {KK_MONTHS[value.month - 1]}"
    return f"{value.day} {RU_MONTHS[value.month - 1]} {value.year} г."


def subject(kind: str, lang: str, **values: str) -> str:
    return SUBJECTS[kind][lang_of(lang)].format(**values)


def body(kind: str, lang: str, **values: str) -> str:
    return BODIES[kind][lang_of(lang)].format(**values)


def footer(lang: str, link: str) -> str:
    return FOOTER[lang_of(lang)].format(link=link)
