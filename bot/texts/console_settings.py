"""console_settings: the operators' settings screens (Console → Settings), the checks' answers,
the previews of what customers will see, and the notice other operators get."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.i18n import N_, _, n_, reader, reading_as
from bot.services import console as names
from bot.services.console import ConsoleSettings
from bot.services.settings_input import InvalidSetting
from bot.texts import common
from bot.texts.common import help_text
from bot.texts.formatting import cut, esc, number, short, when
from bot.texts.settings import language_name, zone_name

_TAG = re.compile(r"<[^<>]*>")

_LABELS: dict[str, str] = {
    # TRANSLATORS: a console setting's name, in "Ann changed <setting>" and "Saved: <setting>".
    names.WELCOME: N_("welcome text"),
    names.HELP_ADDITION: N_("help text addition"),
    names.SUPPORT_CONTACT: N_("support contact"),
    names.PANEL_WEB_URL: N_("panel website"),
    names.TOP_UP_URL: N_("top-up page"),
    names.DEFAULT_LANGUAGE: N_("default language"),
    names.DEFAULT_TIME_ZONE: N_("default time zone"),
    names.HIDDEN_CATEGORIES: N_("hidden categories"),
    names.HIDDEN_SERVICES: N_("hidden services"),
    names.DISPLAY_NAMES: N_("service display names"),
    names.MAINTENANCE: N_("maintenance"),
    names.MAINTENANCE_MESSAGE: N_("maintenance message"),
    names.INVITE_ONLY: N_("invite-only access"),
}


def setting_label(name: str) -> str:
    label = _LABELS.get(name)
    return _(label) if label is not None else esc(name)


def one_line(text: str, limit: int = 50) -> str:
    """Operator HTML as one short plain line (tags dropped), escaped."""
    plain = " ".join(html.unescape(_TAG.sub("", text)).split())
    return short(plain, limit)


# --- the settings screen ---------------------------------------------------------------------


def not_set() -> str:
    # TRANSLATORS: the value of a setting that is not set.
    return _("not set")


def default_value(value: str) -> str:
    # TRANSLATORS: a setting's value that is the default one.
    return _("{value} (default)", value=value)


def built_in() -> str:
    # TRANSLATORS: the bot's own (built-in) welcome text, or English as the default language.
    return _("built-in")


def welcome_value(languages: Sequence[str]) -> str:
    if not languages:
        return built_in()
    own = ", ".join(esc(language_name(code)) for code in languages)
    # TRANSLATORS: {languages}: the languages that have their own welcome text.
    return _("own in {languages}", languages=own)


def language_value(code: str | None) -> str:
    """The default language: one of ours, or English (the built-in default)."""
    if code is None:
        return default_value(esc(language_name("en")))
    return esc(language_name(code))


def count_value(count: int) -> str:
    return _("none") if count == 0 else number(count)


def screen(settings: ConsoleSettings, default_web_url: str, default_top_up_url: str) -> str:
    """Every setting with its current value, short."""
    language = settings.default_language
    zone = settings.default_time_zone
    web = esc(settings.panel_web_url)
    top_up = esc(settings.top_up_url)
    rows = [
        _("⚙️ <b>Settings</b>: what customers see. Tap one to change it."),
        "",
        _("👋 Welcome: {value}", value=welcome_value(sorted(settings.welcome))),
        _(
            "❓ Help addition: {value}",
            value=one_line(settings.help_addition) if settings.help_addition else not_set(),
        ),
        _("💬 Support: {value}", value=esc(settings.support_contact or not_set())),
        _(
            "🌐 Website: {value}",
            value=default_value(web) if settings.panel_web_url == default_web_url else web,
        ),
        _(
            "💳 Top-up page: {value}",
            value=default_value(top_up) if settings.top_up_url == default_top_up_url else top_up,
        ),
        _(
            "🗣 Default language: {value}",
            value=language_value(language),
        ),
        _(
            "🕓 Default time zone: {value}",
            value=zone_name(zone) if zone else default_value("UTC"),
        ),
        _(
            "🙈 Hidden categories: {value}",
            value=count_value(len(settings.hidden_categories)),
        ),
        _("🙈 Hidden services: {value}", value=count_value(len(settings.hidden_services))),
        _("🏷 Display names: {value}", value=count_value(len(settings.display_names))),
    ]
    return "\n".join(rows)


def button_welcome() -> str:
    # TRANSLATORS: console button on the settings screen (short: two share a row on a phone).
    return _("👋 Welcome")


def button_help() -> str:
    # TRANSLATORS: console button (short): the text added under /help.
    return _("❓ Help text")


def button_support() -> str:
    # TRANSLATORS: console button (short).
    return _("💬 Support")


def button_website() -> str:
    # TRANSLATORS: console button (short): the panel's website address.
    return _("🌐 Website")


def button_top_up() -> str:
    # TRANSLATORS: console button (short): the panel's page where customers add funds.
    return _("💳 Top-up page")


def button_language() -> str:
    # TRANSLATORS: console button (short): the default language.
    return _("🗣 Language")


def button_zone() -> str:
    # TRANSLATORS: console button (short): the default time zone.
    return _("🕓 Time zone")


def button_categories() -> str:
    # TRANSLATORS: console button (short): categories hidden from customers.
    return _("🙈 Categories")


def button_services() -> str:
    # TRANSLATORS: console button (short): services hidden from customers.
    return _("🙈 Services")


def button_names() -> str:
    # TRANSLATORS: console button (short): the names customers see for services.
    return _("🏷 Names")


def button_settings() -> str:
    # TRANSLATORS: console button back to the settings screen.
    return _("⬅️ Settings")


def button_undo() -> str:
    # TRANSLATORS: console button under a saved setting: puts back the value before.
    return _("↩️ Undo")


def button_reset() -> str:
    # TRANSLATORS: console button: the setting goes back to its default value.
    return _("♻️ Back to default")


def button_welcome_reset() -> str:
    # TRANSLATORS: console button: this language gets the bot's own welcome text again.
    return _("♻️ Use the built-in welcome")


def button_language_default() -> str:
    # TRANSLATORS: console button: no default language of the operators' (English).
    return _("♻️ English (default)")


def button_welcome_language(code: str, own: bool) -> str:
    """A language by its own name; ✏️ when it has its own welcome."""
    return f"✏️ {language_name(code)}" if own else language_name(code)


def button_chosen(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def button_category(name: str, hidden: bool) -> str:
    return f"{'🚫' if hidden else '✅'} {cut(name, 40)}"  # a label is plain text


def button_unhide(service_id: str) -> str:
    # TRANSLATORS: console button (short): show this hidden service to customers again.
    return _("👁 Show {id}", id=service_id)


def button_rename(service_id: str, name: str) -> str:
    return f"✏️ {service_id} · {cut(name, 30)}"  # a label is plain text


def button_remove_name(service_id: str) -> str:
    # TRANSLATORS: console button (short): drop the display name (the panel's name is shown).
    return _("🗑 {id}", id=service_id)


# --- prompts -----------------------------------------------------------------------------


def _current(value: str | None) -> str:
    return _("Now: {value}", value=value if value is not None else not_set())


def welcome_languages() -> str:
    return _(
        "👋 <b>Welcome text</b>\n"
        "Customers get it on /start, in their language. Pick a language "
        "(✏️: it has its own text; the others get the built-in welcome)."
    )


def text_limits() -> str:
    return _(
        "At most {limit} characters. Formatting from your Telegram app is kept, or write "
        "Telegram HTML: <code>&lt;b&gt;bold&lt;/b&gt;</code>, "
        "<code>&lt;i&gt;italic&lt;/i&gt;</code>, "
        '<code>&lt;a href="https://…"&gt;link&lt;/a&gt;</code>.',
        limit=number(1000),
    )


def _now_text(current: str | None, unset: str) -> str:
    """The current text of a setting, quoted whole (it is valid Telegram HTML)."""
    if current is None:
        return _current(unset)
    if "<blockquote" in current:  # Telegram does not nest quotes
        return f"{_current('')}\n{current}"
    return f"{_current('')}\n<blockquote>{current}</blockquote>"


def welcome_prompt(code: str, current: str | None) -> str:
    now = _now_text(current, built_in())
    head = _(
        "👋 <b>Welcome text in {language}</b>\n{now}\n\nSend the new welcome text.",
        language=esc(language_name(code)),
        now=now,
    )
    return f"{head}\n{text_limits()}"


def help_prompt(current: str | None) -> str:
    now = _now_text(current, not_set())
    head = _(
        "❓ <b>Help text addition</b>\nShown under the built-in /help text.\n{now}\n\n"
        "Send the text to add.",
        now=now,
    )
    return f"{head}\n{text_limits()}"


def support_prompt(current: str | None) -> str:
    return _(
        "💬 <b>Support contact</b>\nShown in /help and in every error about money or a "
        "failed order.\n{now}\n\nSend a Telegram username such as <code>@my_support</code> "
        "(5–32 letters, digits or underscores) or a link starting with https://.",
        now=_current(esc(current) if current else None),
    )


def website_prompt(current: str, is_default: bool) -> str:
    value = default_value(esc(current)) if is_default else esc(current)
    return _(
        "🌐 <b>Panel website</b>\nWhere customers sign up and find their API key; the "
        "top-up page defaults to it + <code>/addfunds</code>.\n{now}\n\n"
        "Send the address, starting with https://.",
        now=_current(value),
    )


def top_up_prompt(current: str, is_default: bool) -> str:
    value = default_value(esc(current)) if is_default else esc(current)
    return _(
        "💳 <b>Top-up page</b>\nThe “Top up” button opens it wherever a customer's balance "
        "is shown or too low.\n{now}\n\nSend the address, starting with https://.",
        now=_current(value),
    )


def languages_screen(current: str | None) -> str:
    return _(
        "🗣 <b>Default language</b>\nFor new customers whose Telegram app is in a language "
        "the bot does not speak. {now}",
        now=_current(language_value(current)),
    )


def zones_screen(current: str | None) -> str:
    return _(
        "🕓 <b>Default time zone</b>\nTimes are shown in it to customers who did not pick "
        "their own. {now}\n\nTap one, or type a zone name (<code>Asia/Tashkent</code>), a "
        "city or an offset (<code>+3</code>, <code>UTC+5:30</code>).",
        now=_current(zone_name(current) if current else default_value("UTC")),
    )


# --- checks --------------------------------------------------------------------------------


def invalid(error: InvalidSetting) -> str:
    """Why a typed value was refused (nothing was saved)."""
    params = error.params
    reason = error.reason
    if reason == "empty":
        return _("⚠️ That is empty. Nothing was saved.")
    if reason == "not_text":
        return _("⚠️ Send it as a text message. Nothing was saved.")
    if reason == "too_long":
        limit = int(str(params.get("limit", 0)))
        length = int(str(params.get("length", 0)))
        return _(
            "⚠️ That is {length} characters long; the limit is {limit}. Nothing was saved.",
            length=number(length),
            limit=number(limit),
        )
    if reason == "html":
        # TRANSLATORS: {problem} is a short technical reason in English, e.g. "<b> is not closed".
        return _(
            "⚠️ Telegram would refuse that formatting: <i>{problem}</i>. Nothing was saved.",
            problem=esc(params.get("problem", "")),
        )
    if reason == "refused":
        # TRANSLATORS: {problem} is Telegram's own reason, in English.
        return _(
            "⚠️ Telegram refused this text: <i>{problem}</i>. Nothing was saved.",
            problem=esc(params.get("problem", "")),
        )
    if reason == "username":
        return _(
            "⚠️ That is not a Telegram username: it has 5–32 Latin letters, digits or "
            "underscores after the @ and starts with a letter. Nothing was saved."
        )
    if reason == "contact":
        return _("⚠️ Send a @username or a link starting with https://. Nothing was saved.")
    if reason == "url":
        return _(
            "⚠️ That is not a web address: it must start with https:// (or http://) and "
            "name a site, such as <code>https://example.com/addfunds</code>. Nothing was saved."
        )
    if reason == "url_too_long":
        return _(
            "⚠️ That address is too long (at most {limit} characters). Nothing was saved.",
            limit=number(int(str(params.get("limit", 0)))),
        )
    if reason == "no_ids":
        return _("⚠️ Send one or more service ids, such as <code>12 15</code>.")
    if reason == "unknown_ids":
        raw = params.get("ids", [])
        ids = [str(i) for i in raw] if isinstance(raw, list) else []
        return n_(
            "⚠️ Your panel has no service {ids}. Nothing was saved.",
            "⚠️ Your panel has no services {ids}. Nothing was saved.",
            len(ids),
            ids=esc(", ".join(cut(i, 20) for i in ids[:10])),
        )
    if reason == "odd_ids":
        raw = params.get("ids", [])
        ids = [str(i) for i in raw] if isinstance(raw, list) else []
        # TRANSLATORS: {ids} are service ids the operator typed; the console's buttons cannot
        # carry them (other characters, or too long).
        return n_(
            "⚠️ The console cannot handle service id {ids}: only Latin letters, digits and "
            "_ . - up to 40 characters. Nothing was saved.",
            "⚠️ The console cannot handle service ids {ids}: only Latin letters, digits and "
            "_ . - up to 40 characters. Nothing was saved.",
            len(ids),
            ids=esc(", ".join(cut(i, 20) for i in ids[:10])),
        )
    if reason == "one_line":
        return _("⚠️ A name is one line. Nothing was saved.")
    if reason == "name_format":
        return _(
            "⚠️ Send the service id, an equals sign and the name: "
            "<code>12 = Instagram followers ⚡</code>. Nothing was saved."
        )
    return _("⚠️ That does not fit. Nothing was saved.")


def zone_unknown(typed: str) -> str:
    return _(
        "⚠️ I don't know the time zone <i>{typed}</i>. Nothing was saved.",
        typed=esc(typed[:64]),
    )


def need_key() -> str:
    return _(
        "🔑 This needs your panel's catalogue: connect your panel key with /key first "
        "(the bot reads the catalogue with it)."
    )


# --- catalogue screens ---------------------------------------------------------------------


def categories_screen(shown: int, total: int, missing: int) -> str:
    lines = [
        _(
            "🙈 <b>Hidden categories</b>\nCustomers don't see a hidden category nor its "
            "services. Tap to hide or show (✅ shown, 🚫 hidden)."
        ),
        _(
            "Customers see {shown} of {total} categories.",
            shown=number(shown),
            total=number(total),
        ),
    ]
    if missing:
        lines.append(
            n_(
                "{count} hidden category is not in the catalogue now (kept hidden).",
                "{count} hidden categories are not in the catalogue now (kept hidden).",
                missing,
                count=number(missing),
            )
        )
    return "\n".join(lines)


def category_toggled(name: str, hidden: bool) -> str:
    # TRANSLATORS: short popup after tapping a category in the console.
    if hidden:
        return _("🚫 Hidden: {name}", name=cut(name, 80))  # a popup is plain text
    return _("✅ Shown: {name}", name=cut(name, 80))


def hidden_services_screen(rows: Sequence[tuple[str, str | None]], total: int) -> str:
    """`rows`: (id, the panel's name or None when unknown) of this page."""
    lines = [
        _(
            "🙈 <b>Hidden services</b>\nCustomers don't see them in lists or search, and "
            "cannot order them by id."
        ),
    ]
    if total == 0:
        lines.append(_("No service is hidden."))
    for service_id, name in rows:
        lines.append(
            f"• <code>{esc(service_id)}</code> {short(name, 60) if name else ''}".rstrip()
        )
    lines += [
        "",
        _("To hide services, send their ids (<code>12 15</code>). Tap 👁 to show one again."),
    ]
    return "\n".join(lines)


def names_screen(rows: Sequence[tuple[str, str]], total: int) -> str:
    lines = [
        _("🏷 <b>Display names</b>\nCustomers see your name for a service instead of the panel's."),
    ]
    if total == 0:
        lines.append(_("No service has a display name."))
    for service_id, name in rows:
        lines.append(f"• <code>{esc(service_id)}</code> → {esc(name)}")
    lines += [
        "",
        _(
            "To name a service, send <code>id = name</code> "
            "(<code>12 = Instagram followers ⚡</code>; at most {limit} characters, plain "
            "text). Tap ✏️ to rename one, 🗑 to show the panel's name again.",
            limit=number(100),
        ),
    ]
    return "\n".join(lines)


def name_prompt(service_id: str, panel_name: str | None, current: str | None) -> str:
    return _(
        "🏷 <b>Display name of service {id}</b>\nOn the panel: {panel}\n{now}\n\n"
        "Send the name customers will see (plain text, at most {limit} characters).",
        id=esc(service_id),
        panel=esc(panel_name) if panel_name else "—",
        now=_current(esc(current) if current else None),
        limit=number(100),
    )


def service_shown(service_id: str) -> str:
    # TRANSLATORS: short popup: customers see this service again.
    return _("👁 Service {id} is shown again.", id=cut(service_id, 40))


def name_removed(service_id: str) -> str:
    # TRANSLATORS: short popup: customers see the panel's name of this service again.
    return _("🗑 Service {id} shows the panel's name again.", id=cut(service_id, 40))


# --- after a save: the preview ------------------------------------------------------------


def saving() -> str:
    # TRANSLATORS: headline of a text's preview while it is being saved (edited a moment later).
    return _("⏳ Saving…")


def saved(name: str, detail: str | None = None) -> str:
    label = setting_label(name)
    if detail:
        # TRANSLATORS: {setting} is a setting's name; {detail} narrows it (e.g. a language).
        return _("✅ Saved: {setting} ({detail}).", setting=label, detail=detail)
    return _("✅ Saved: {setting}.", setting=label)


def undone(name: str) -> str:
    return _("↩️ Undone: {setting} is back to its value before.", setting=setting_label(name))


def undo_unknown() -> str:
    # TRANSLATORS: popup after tapping Undo of a change the audit log does not have.
    return _("Nothing to undo: that change is not in the log.")


def undo_changed_since(name: str) -> str:
    # TRANSLATORS: popup after tapping an old Undo: what that change set was changed again.
    return _(
        "Undo not possible: {setting} was changed again since. Change it by hand if needed.",
        setting=setting_label(name),
    )


def preview_title() -> str:
    return _("👁 <b>Customers will see:</b>")


def preview(title: str, body: str) -> str:
    return f"{title}\n\n{preview_title()}\n{body}"


def preview_welcome(text: str | None, language: str) -> str:
    if text is None:
        return _("The built-in welcome, in {language}.", language=esc(language_name(language)))
    return text


def support_line(contact: str | None, url: str | None) -> str:
    """The support line as customers read it in /help and errors (the very same text)."""
    if contact is None or url is None:
        return _("No support line.")
    return common.support_line(contact, url)


def preview_help(addition: str | None, contact: str | None, url: str | None) -> str:
    parts = [help_text()]
    if addition:
        parts.append(addition)
    if contact:
        parts.append(support_line(contact, url))
    return "\n\n".join(parts)


def preview_support(contact: str | None, url: str | None) -> str:
    return _(
        "In /help and in every error about money or a failed order:\n{line}",
        line=support_line(contact, url),
    )


def preview_website(web: str, top_up: str) -> str:
    return _(
        "Panel website: {web}\nTop-up page (the “Top up” button): {top_up}",
        web=esc(web),
        top_up=esc(top_up),
    )


def preview_top_up(top_up: str) -> str:
    return _(
        "This button wherever their balance is shown or too low; it opens {url}",
        url=esc(top_up),
    )


def button_top_up_preview() -> str:
    # TRANSLATORS: the customers' URL button to the panel's top-up page (as they see it).
    return _("💳 Top up")


def preview_language(code: str | None) -> str:
    language = esc(language_name(code or "en"))
    return _(
        "New customers whose Telegram app is in another language read the bot in {language}.",
        language=language,
    )


def preview_zone(zone: str | None) -> str:
    with reading_as(reader().language, zone):
        now = when(datetime.now(UTC))
    return _("A customer who did not pick a time zone sees the time now as: {now}", now=now)


def preview_categories(hidden: Sequence[str]) -> str:
    if not hidden:
        return _("Every category.")
    listed = ", ".join(short(name, 40) for name in hidden[:20])
    return _("Every category but: {names}", names=listed)


def preview_services(hidden: Sequence[str]) -> str:
    if not hidden:
        return _("Every service.")
    return _("Every service but: {ids}", ids=esc(", ".join(cut(i, 20) for i in hidden[:30])))


def preview_name(service_id: str, name: str | None, panel_name: str | None) -> str:
    shown = name or panel_name or service_id
    return _("Service {id}: {name}", id=esc(service_id), name=esc(shown))


def summary(name: str, settings: ConsoleSettings) -> str:
    """A setting's value now, on one line (for the notice to the other operators)."""
    if name == names.WELCOME:
        return welcome_value(sorted(settings.welcome))
    if name == names.HELP_ADDITION:
        return one_line(settings.help_addition) if settings.help_addition else not_set()
    if name == names.SUPPORT_CONTACT:
        return esc(settings.support_contact or not_set())
    if name == names.PANEL_WEB_URL:
        return esc(settings.panel_web_url)
    if name == names.TOP_UP_URL:
        return esc(settings.top_up_url)
    if name == names.DEFAULT_LANGUAGE:
        return language_value(settings.default_language)
    if name == names.DEFAULT_TIME_ZONE:
        zone = settings.default_time_zone
        return zone_name(zone) if zone else default_value("UTC")
    if name == names.HIDDEN_CATEGORIES:
        return count_value(len(settings.hidden_categories))
    if name == names.HIDDEN_SERVICES:
        return count_value(len(settings.hidden_services))
    if name == names.DISPLAY_NAMES:
        return count_value(len(settings.display_names))
    return ""


def notice(operator: str, name: str, value: str) -> str:
    """To the other operators after a save: who changed what, and the value now."""
    # TRANSLATORS: to the other operators; {operator} is a name, {setting} a setting's name.
    line = _("⚙️ {operator} changed {setting}", operator=esc(operator), setting=setting_label(name))
    return f"{line}: {value}" if value else line
