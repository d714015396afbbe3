//! Text messages to citizens about their complaints, through an outbox: a
//! message is written in the same transaction as the change it announces,
//! and [`Outbox::deliver_due`] sends it later with retries and backoff. So a
//! failing provider never blocks or undoes a staff action, and a restart
//! loses no message. Each message is leased before it is sent (safe with
//! several server processes); a sender that dies mid-send loses its lease
//! and another takes the message over. A crash between the provider's
//! acceptance and our commit would send it again; the message's outbox id
//! goes with it as the provider's local id, and a provider that keeps
//! them (Kavenegar's `localid`) sends it once.

use crate::{
    error::{internal, OrInternal},
    sms::SmsSender,
    store::Store,
};
use app::{
    error::AppError,
    i18n::{Lang, Msg},
    model::{PhoneNumber, Status, TrackingCode},
};
use std::sync::Arc;

/// Attempts before the outbox gives a message up.
pub const MAX_ATTEMPTS: i64 = 10;
/// Seconds a sender holds a message it is sending: well over the SMS
/// client's 10 s timeout, so a live sender never loses a lease mid-send,
/// and short enough that a dead one's message waits half a minute.
const LEASE_S: i64 = 30;
/// Messages sent per run at most (the next run takes the rest).
const BATCH: usize = 50;

/// Seconds to wait before attempt `n + 1` after `n` failed: 30 s doubling,
/// at most an hour.
pub fn backoff(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (30_i64 << exp).min(3600)
}

/// The template announcing a move from `from` to `to`, when the public sees
/// a change. Returned-as-misrouted is internal rerouting: no message.
pub fn template_for(from: Status, to: Status) -> Option<Msg> {
    if from.public() == to.public() {
        return None;
    }
    Some(match to {
        Status::Referred => Msg::SmsReferred,
        Status::InProgress => Msg::SmsInProgress,
        Status::Resolved => Msg::SmsResolved,
        Status::Verified | Status::Closed => Msg::SmsClosed,
        Status::Reopened => Msg::SmsReopened,
        Status::Infeasible => Msg::SmsInfeasible,
        Status::NotMunicipal => Msg::SmsNotMunicipal,
        Status::Duplicate => Msg::SmsDuplicate,
        Status::Submitted | Status::Returned => return None,
    })
}

/// The message text: `template` in `lang` with the code, the original's
/// code (duplicates) and the short link filled in.
pub fn render(
    template: Msg,
    lang: Lang,
    code: &TrackingCode,
    original: Option<&TrackingCode>,
    public_url: Option<&str>,
) -> String {
    let link = public_url
        .map(|base| format!("{}/t/{code}", base.trim_end_matches('/')))
        .unwrap_or_default();
    let text = template
        .text(lang)
        .replace("{code}", code.as_str())
        .replace(
            "{original}",
            original.map(TrackingCode::as_str).unwrap_or_default(),
        )
        .replace("{link}", &link);
    text.trim_end().to_owned()
}

/// A message to write into the outbox.
#[derive(Debug, Clone)]
pub struct Message {
    pub phone: String,
    pub body: String,
    pub complaint_id: Option<i64>,
}

/// Writes `messages` into the outbox inside `tx`, due now.
pub async fn enqueue(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    messages: &[Message],
) -> Result<(), AppError> {
    for m in messages {
        sqlx::query(
            "INSERT INTO sms_outbox (phone, body, complaint_id, created_at, next_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(&m.phone)
        .bind(&m.body)
        .bind(m.complaint_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .or_internal("writing the SMS outbox")?;
    }
    Ok(())
}

/// The people to tell about complaint `complaint_id`: its filer and the
/// filers of the complaints merged into it, with their languages.
pub async fn recipients(
    tx: &mut sqlx::AnyConnection,
    complaint_id: i64,
) -> Result<Vec<(String, Lang)>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT u.phone, u.lang FROM complaint c JOIN app_user u ON u.id = c.citizen_id \
         WHERE (c.id = $1 OR c.duplicate_of = $1) AND u.phone IS NOT NULL AND u.disabled = 0",
    )
    .bind(complaint_id)
    .fetch_all(&mut *tx)
    .await
    .or_internal("finding whom to notify")?;
    Ok(rows
        .into_iter()
        .map(|(phone, lang)| (phone, Lang::parse(&lang).unwrap_or_default()))
        .collect())
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    phone: String,
    body: String,
    attempts: i64,
}

/// Sends what the outbox holds.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    sms: Arc<dyn SmsSender>,
}

/// What one run of the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
}

impl Outbox {
    pub fn new(store: Store, sms: Arc<dyn SmsSender>) -> Self {
        Self { store, sms }
    }

    /// Leases the oldest due message, if any: one conditional update, so of
    /// several senders exactly one gets it.
    async fn lease(&self, now: i64) -> Result<Option<Due>, AppError> {
        let mut w = self.store.write().await?;
        let due: Option<Due> = sqlx::query_as(
            "UPDATE sms_outbox SET lease_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM sms_outbox WHERE sent_at IS NULL AND failed_at IS NULL \
                         AND next_at <= $2 AND lease_until <= $2 ORDER BY id LIMIT 1) \
               AND sent_at IS NULL AND lease_until <= $2 \
             RETURNING id, phone, body, attempts",
        )
        .bind(now + LEASE_S)
        .bind(now)
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("leasing an outbox message")?;
        w.commit().await.or_internal("committing a lease")?;
        Ok(due)
    }

    /// Sends every message due at `now` (up to a batch), each once.
    pub async fn deliver_due(&self, now: i64) -> Result<Delivery, AppError> {
        let mut done = Delivery::default();
        for _ in 0..BATCH {
            let Some(due) = self.lease(now).await? else {
                break;
            };
            let result = match PhoneNumber::parse(&due.phone) {
                Ok(phone) => self
                    .sms
                    .send_text(&phone, &due.body, due.id)
                    .await
                    .map_err(|e| e.to_string()),
                Err(_) => Err("not a mobile number".to_owned()),
            };
            let mut w = self.store.write().await?;
            match result {
                Ok(()) => {
                    sqlx::query(
                        "UPDATE sms_outbox SET sent_at = $1, last_error = NULL WHERE id = $2",
                    )
                    .bind(now)
                    .bind(due.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("marking a message sent")?;
                    done.sent += 1;
                }
                Err(error) => {
                    let give_up = due.attempts >= MAX_ATTEMPTS;
                    tracing::warn!(id = due.id, attempts = due.attempts, give_up, %error, "SMS not sent");
                    sqlx::query(
                        "UPDATE sms_outbox SET next_at = $1, lease_until = 0, last_error = $2, \
                         failed_at = $3 WHERE id = $4",
                    )
                    .bind(now + backoff(due.attempts))
                    .bind(error.chars().take(300).collect::<String>())
                    .bind(give_up.then_some(now))
                    .bind(due.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("rescheduling a message")?;
                    if give_up {
                        done.given_up += 1;
                    } else {
                        done.failed += 1;
                    }
                }
            }
            w.commit().await.or_internal("committing a delivery")?;
        }
        Ok(done)
    }

    /// Messages not yet sent nor given up (for probes and tests).
    pub async fn pending(&self) -> Result<i64, AppError> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM sms_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(self.store.pool())
        .await
        .map_err(|e| internal("counting the outbox", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), 30);
        assert_eq!(backoff(2), 60);
        assert_eq!(backoff(5), 480);
        assert_eq!(backoff(9), 3600);
        assert_eq!(backoff(50), 3600);
    }

    #[test]
    fn only_public_changes_are_announced() {
        use Status::*;
        assert_eq!(template_for(Submitted, Referred), Some(Msg::SmsReferred));
        assert_eq!(template_for(Referred, InProgress), None);
        assert_eq!(template_for(InProgress, Resolved), Some(Msg::SmsResolved));
        assert_eq!(template_for(Resolved, Verified), None);
        assert_eq!(template_for(Verified, Closed), Some(Msg::SmsClosed));
        assert_eq!(template_for(Resolved, Reopened), Some(Msg::SmsReopened));
        assert_eq!(template_for(Referred, Returned), None);
    }

    #[test]
    fn messages_carry_the_code_and_the_short_link() {
        let code = TrackingCode::from_serial(123_456_789).expect("code");
        let fa = render(
            Msg::SmsResolved,
            Lang::Fa,
            &code,
            None,
            Some("https://137.example.ir/"),
        );
        assert!(fa.contains(code.as_str()), "{fa}");
        assert!(
            fa.contains(&format!("https://137.example.ir/t/{code}")),
            "{fa}"
        );
        assert!(fa.contains("۳۱"), "{fa}");
        let en = render(Msg::SmsClosed, Lang::En, &code, None, None);
        assert!(en.ends_with("Thank you."), "{en}");
    }
}
