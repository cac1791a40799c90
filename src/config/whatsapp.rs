//! The WhatsApp Business Cloud API number. The documented environment names
//! (`SIGAP_WA_TOKEN`, `SIGAP_WA_PHONE_NUMBER_ID`, `SIGAP_WA_APP_SECRET`,
//! `SIGAP_WA_VERIFY_TOKEN`, `SIGAP_WA_API_URL`) override the file's `[whatsapp]`.

use super::ConfigError;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct WhatsAppSettings {
    /// A system user's permanent access token; `SIGAP_WA_TOKEN`.
    pub token: Option<SecretString>,
    /// The sending number's id in the Meta app (not the phone number);
    /// `SIGAP_WA_PHONE_NUMBER_ID`.
    pub phone_number_id: Option<String>,
    /// Signs every webhook call; `SIGAP_WA_APP_SECRET`.
    pub app_secret: Option<SecretString>,
    /// Chosen by us and typed into the Meta app when registering the webhook;
    /// `SIGAP_WA_VERIFY_TOKEN`.
    pub verify_token: Option<SecretString>,
    /// Another Graph API server, version included (a test double); `SIGAP_WA_API_URL`.
    pub api_url: Option<String>,
    /// The Graph API version in the default address.
    pub api_version: String,
    /// The number's throughput (Meta's default is 80 a second; more once Meta raises it).
    pub messages_per_second: usize,
    /// Messages to one person in a burst; over any `burst` × 6 s no more go (Meta allows a
    /// burst, then about one message in 6 s to one person).
    pub per_recipient_burst: usize,
    pub templates: WhatsAppTemplates,
}

/// Names of the message templates submitted for approval (see README); the language is
/// the reporter's (`id` or `en`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct WhatsAppTemplates {
    /// {{1}} ticket number, {{2}} new status.
    pub status: String,
    /// {{1}} ticket number; quick replies: fixed, not fixed.
    pub confirm: String,
    /// {{1}} ticket number; quick replies: scores 1 to 5.
    pub survey: String,
    /// {{1}} the message itself, on one line: for anything else.
    pub notice: String,
}

impl Default for WhatsAppTemplates {
    fn default() -> Self {
        WhatsAppTemplates {
            status: "sigap_status".into(),
            confirm: "sigap_konfirmasi".into(),
            survey: "sigap_survei".into(),
            notice: "sigap_pesan".into(),
        }
    }
}

impl Default for WhatsAppSettings {
    fn default() -> Self {
        WhatsAppSettings {
            token: None,
            phone_number_id: None,
            app_secret: None,
            verify_token: None,
            api_url: None,
            api_version: "v21.0".into(),
            messages_per_second: 80,
            per_recipient_burst: 30,
            templates: WhatsAppTemplates::default(),
        }
    }
}

impl std::fmt::Debug for WhatsAppSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<SecretString>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("WhatsAppSettings")
            .field("token", &redacted(&self.token))
            .field("phone_number_id", &self.phone_number_id)
            .field("app_secret", &redacted(&self.app_secret))
            .field("verify_token", &redacted(&self.verify_token))
            .field("api_url", &self.api_url)
            .field("api_version", &self.api_version)
            .field("messages_per_second", &self.messages_per_second)
            .field("per_recipient_burst", &self.per_recipient_burst)
            .field("templates", &self.templates)
            .finish()
    }
}

impl WhatsAppSettings {
    /// All four of token, number, app secret and verify token are set.
    pub fn enabled(&self) -> bool {
        self.token.is_some()
            && self.phone_number_id.is_some()
            && self.app_secret.is_some()
            && self.verify_token.is_some()
    }

    /// Where the Graph API is, version included.
    pub fn api_base(&self) -> String {
        match &self.api_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("https://graph.facebook.com/{}", self.api_version),
        }
    }

    /// The documented environment names, over whatever the file said.
    pub(super) fn read_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let secret = |name| var(name).map(SecretString::from);
        if let Some(t) = secret("SIGAP_WA_TOKEN") {
            self.token = Some(t);
        }
        if let Some(n) = var("SIGAP_WA_PHONE_NUMBER_ID") {
            self.phone_number_id = Some(n.trim().to_owned());
        }
        if let Some(s) = secret("SIGAP_WA_APP_SECRET") {
            self.app_secret = Some(s);
        }
        if let Some(s) = secret("SIGAP_WA_VERIFY_TOKEN") {
            self.verify_token = Some(s);
        }
        if let Some(u) = var("SIGAP_WA_API_URL") {
            self.api_url = Some(u);
        }
        // A blank secret (an empty line in the file) is no secret: with an empty app
        // secret anyone could sign a webhook.
        for s in [&mut self.token, &mut self.app_secret, &mut self.verify_token] {
            if s.as_ref().is_some_and(|v| v.expose_secret().trim().is_empty()) {
                *s = None;
            }
        }
        if self.phone_number_id.as_ref().is_some_and(|n| n.trim().is_empty()) {
            self.phone_number_id = None;
        }
        let missing: Vec<&str> = [
            ("SIGAP_WA_TOKEN", self.token.is_none()),
            ("SIGAP_WA_PHONE_NUMBER_ID", self.phone_number_id.is_none()),
            ("SIGAP_WA_APP_SECRET", self.app_secret.is_none()),
            ("SIGAP_WA_VERIFY_TOKEN", self.verify_token.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if !missing.is_empty() && missing.len() < 4 {
            return Err(ConfigError::Invalid(format!(
                "WhatsApp needs all four settings; missing: {}",
                missing.join(", ")
            )));
        }
        if let Some(u) = &self.api_url {
            url::Url::parse(u)
                .map_err(|e| ConfigError::Invalid(format!("SIGAP_WA_API_URL `{u}` is not a URL: {e}")))?;
        }
        if self.messages_per_second == 0 || self.per_recipient_burst == 0 {
            return Err(ConfigError::Invalid(
                "whatsapp.messages_per_second and per_recipient_burst must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_four_or_none_and_secrets_redacted() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
        };
        let mut s = WhatsAppSettings::default();
        s.read_env(env(&[])).unwrap();
        assert!(!s.enabled());
        let mut s = WhatsAppSettings::default();
        let err = s.read_env(env(&[("SIGAP_WA_TOKEN", "EAAG-secret")])).unwrap_err();
        assert!(err.to_string().contains("SIGAP_WA_APP_SECRET"), "{err}");
        let mut s = WhatsAppSettings::default();
        s.read_env(env(&[
            ("SIGAP_WA_TOKEN", "EAAG-secret"),
            ("SIGAP_WA_PHONE_NUMBER_ID", "1098"),
            ("SIGAP_WA_APP_SECRET", "app_secret_42"),
            ("SIGAP_WA_VERIFY_TOKEN", "verify_secret_42"),
        ]))
        .unwrap();
        assert!(s.enabled());
        assert_eq!(s.api_base(), "https://graph.facebook.com/v21.0");
        let shown = format!("{s:?}");
        for value in ["EAAG-secret", "app_secret_42", "verify_secret_42"] {
            assert!(!shown.contains(value), "{shown}");
        }
    }

    #[test]
    fn a_blank_secret_from_the_file_counts_as_missing() {
        let mut s = WhatsAppSettings {
            token: Some("EAAG-secret".into()),
            phone_number_id: Some("1098".into()),
            app_secret: Some("  ".into()),
            verify_token: Some("verify_secret_42".into()),
            ..WhatsAppSettings::default()
        };
        let err = s.read_env(|_| None).unwrap_err();
        assert!(err.to_string().contains("SIGAP_WA_APP_SECRET"), "{err}");
    }
}
