//! Text messages to citizens' phones: one-time sign-in codes, and status
//! notifications (sent from the outbox, `crate::notify`). One trait, so the
//! provider is a deployment choice: the log (development and demos) or
//! Kavenegar (its verify/lookup API for codes, a template approved by the
//! operator with the code as its token; its sms/send API for free text).

use crate::config::{Secret, SmsConfig};
use app::model::PhoneNumber;
use std::{sync::Arc, time::Duration};

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The provider could not be reached or answered garbage.
    #[error("SMS provider unreachable: {0}")]
    Transport(String),
    /// The provider refused (credit, template, number).
    #[error("SMS provider refused with status {status}: {message}")]
    Rejected { status: i64, message: String },
}

/// Sends one-time codes.
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_code(&self, phone: &PhoneNumber, code: &str) -> Result<(), SmsError>;
    /// A free-text message (status notifications). `local_id` names it for
    /// good (the outbox row): a provider that knows the id again does not
    /// send it twice, so a sender that died after the provider took the
    /// message but before it was marked sent costs no second text.
    async fn send_text(
        &self,
        phone: &PhoneNumber,
        text: &str,
        local_id: i64,
    ) -> Result<(), SmsError>;
}

/// Builds the configured provider.
pub fn from_config(config: &SmsConfig) -> anyhow::Result<Arc<dyn SmsSender>> {
    Ok(match config {
        SmsConfig::Log => Arc::new(LogSms),
        SmsConfig::Kavenegar {
            base_url,
            api_key,
            template,
        } => Arc::new(Kavenegar::new(base_url, api_key.clone(), template)?),
    })
}

/// Writes the code to the server log instead of sending it.
pub struct LogSms;

#[async_trait::async_trait]
impl SmsSender for LogSms {
    async fn send_code(&self, phone: &PhoneNumber, code: &str) -> Result<(), SmsError> {
        tracing::warn!(phone = %phone.masked(), code, "one-time code (SMS provider: log)");
        Ok(())
    }

    async fn send_text(
        &self,
        phone: &PhoneNumber,
        text: &str,
        local_id: i64,
    ) -> Result<(), SmsError> {
        tracing::info!(phone = %phone.masked(), text, local_id, "text message (SMS provider: log)");
        Ok(())
    }
}

/// Kavenegar's verify/lookup API:
/// `POST {base}/v1/{api-key}/verify/lookup.json` with form fields
/// `receptor`, `token` and `template`; it answers
/// `{"return": {"status": 200, "message": "…"}, "entries": …}`.
pub struct Kavenegar {
    client: reqwest::Client,
    base_url: String,
    api_key: Secret,
    template: String,
}

#[derive(serde::Deserialize)]
struct Reply {
    #[serde(rename = "return")]
    ret: ReplyStatus,
}

#[derive(serde::Deserialize)]
struct ReplyStatus {
    status: i64,
    #[serde(default)]
    message: String,
}

impl Kavenegar {
    pub fn new(base_url: &str, api_key: Secret, template: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            template: template.to_owned(),
        })
    }
}

impl Kavenegar {
    /// Posts `form` to `{base}/v1/{key}/{method}` and reads the reply.
    async fn call(&self, method: &str, form: &[(&str, &str)]) -> Result<(), SmsError> {
        let url = format!("{}/v1/{}/{method}", self.base_url, self.api_key.expose());
        // The key is part of the URL: errors are logged without it.
        let response = self
            .client
            .post(url)
            .form(form)
            .send()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        let http_status = response.status();
        let reply: Reply = response
            .json()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        if http_status.is_success() && reply.ret.status == 200 {
            Ok(())
        } else {
            Err(SmsError::Rejected {
                status: reply.ret.status,
                message: reply.ret.message,
            })
        }
    }
}

#[async_trait::async_trait]
impl SmsSender for Kavenegar {
    async fn send_code(&self, phone: &PhoneNumber, code: &str) -> Result<(), SmsError> {
        self.call(
            "verify/lookup.json",
            &[
                ("receptor", phone.as_str()),
                ("token", code),
                ("template", self.template.as_str()),
            ],
        )
        .await
    }

    /// `POST {base}/v1/{key}/sms/send.json` with `receptor`, `message` and
    /// `localid` (Kavenegar sends a message whose `localid` it has seen
    /// before only once, and answers with the first one's entry).
    async fn send_text(
        &self,
        phone: &PhoneNumber,
        text: &str,
        local_id: i64,
    ) -> Result<(), SmsError> {
        let local_id = local_id.to_string();
        self.call(
            "sms/send.json",
            &[
                ("receptor", phone.as_str()),
                ("message", text),
                ("localid", local_id.as_str()),
            ],
        )
        .await
    }
}
