//! What the bot tells Telegram at start: its commands (with descriptions in each language)
//! and how updates should reach it (webhook or polling).

use crate::config::TelegramSettings;
use crate::i18n::Locales;
use secrecy::ExposeSecret;
use teloxide::payloads::{SetMyCommandsSetters, SetWebhookSetters};
use teloxide::prelude::Requester;
use teloxide::types::{AllowedUpdate, BotCommand, BotCommandScope, ChatId, Recipient};
use teloxide::{Bot, RequestError};

/// Reporters' commands, as (command, locale key of its description).
pub const REPORTER_COMMANDS: [(&str, &str); 5] = [
    ("lapor", "cmd-lapor"),
    ("status", "cmd-status"),
    ("batal", "cmd-batal"),
    ("bantuan", "cmd-bantuan"),
    ("start", "cmd-start"),
];

/// Technicians' commands, shown in the war room.
pub const DESK_COMMANDS: [(&str, &str); 4] = [
    ("antrian", "cmd-antrian"),
    ("milik", "cmd-milik"),
    ("tiket", "cmd-tiket"),
    ("prioritas", "cmd-prioritas"),
];

fn commands(locales: &Locales, lang: &str, list: &[(&str, &str)]) -> Vec<BotCommand> {
    list.iter()
        .map(|(c, key)| BotCommand::new(*c, locales.text(lang, key)))
        .collect()
}

/// Registers the command menus: the default language (Indonesian) for everyone, English for
/// clients set to English, and the technicians' list in the war room.
pub async fn commands_menu(
    bot: &Bot,
    locales: &Locales,
    default_lang: &str,
    war_room: Option<i64>,
) -> Result<(), RequestError> {
    bot.set_my_commands(commands(locales, default_lang, &REPORTER_COMMANDS))
        .await?;
    if locales.has_language("en") && default_lang != "en" {
        bot.set_my_commands(commands(locales, "en", &REPORTER_COMMANDS))
            .language_code("en")
            .await?;
    }
    if let Some(room) = war_room {
        bot.set_my_commands(commands(locales, default_lang, &DESK_COMMANDS))
            .scope(BotCommandScope::Chat {
                chat_id: Recipient::Id(ChatId(room)),
            })
            .await?;
    }
    Ok(())
}

/// The webhook address for a public base URL.
pub fn webhook_url(public_url: &str) -> Result<url::Url, String> {
    let base = public_url.trim_end_matches('/');
    format!("{base}/webhooks/telegram")
        .parse()
        .map_err(|e| format!("SIGAP_PUBLIC_URL `{public_url}` is not a URL: {e}"))
}

/// Webhook mode: tells Telegram where to push, with the secret it must echo. Polling mode:
/// removes any webhook (getUpdates is refused while one is set); pending updates are kept.
pub async fn delivery(bot: &Bot, settings: &TelegramSettings) -> anyhow::Result<()> {
    let allowed = [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];
    match (&settings.public_url, &settings.webhook_secret) {
        (Some(url), Some(secret)) => {
            let url = webhook_url(url).map_err(anyhow::Error::msg)?;
            bot.set_webhook(url)
                .secret_token(secret.expose_secret())
                .allowed_updates(allowed)
                .await?;
        }
        _ => {
            bot.delete_webhook().await?;
        }
    }
    Ok(())
}
