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
//!
//! Web pushes (`crate::push`) go through the same [`Outbox`], over their
//! own table and [`Courier`].

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

/// Why a courier could not deliver an outbox row.
#[derive(Debug)]
pub enum Failure {
    /// Try again later (network, provider or push service trouble).
    Retry(String),
    /// The address no longer exists (a push service's 404/410): never
    /// again; the courier forgets it.
    Gone(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Retry(e) => f.write_str(e),
            Failure::Gone(e) => write!(f, "gone: {e}"),
        }
    }
}

/// What differs between the outboxes: the table, the columns a row
/// carries to the courier, and how it is delivered. The leasing, backoff
/// and giving up are [`Outbox`]'s, the same for every channel.
#[async_trait::async_trait]
pub trait Courier: Send + Sync + 'static {
    /// The outbox table (`sms_outbox`, `push_outbox`): `id`, `attempts`,
    /// `next_at`, `lease_until`, `sent_at`, `failed_at`, `last_error`.
    const TABLE: &'static str;
    /// Its columns a delivery needs, comma-separated.
    const COLUMNS: &'static str;
    /// One row's [`Self::COLUMNS`].
    type Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Sync + Unpin;
    /// The channel's name in the log.
    const NAME: &'static str;

    /// Delivers outbox row `id`.
    async fn send(&self, id: i64, row: &Self::Row) -> Result<(), Failure>;

    /// Forgets the address of a row the far end called [`Failure::Gone`],
    /// inside the transaction that closes the row.
    async fn forget(
        &self,
        _tx: &mut sqlx::AnyConnection,
        _row: &Self::Row,
    ) -> Result<(), AppError> {
        Ok(())
    }
}

/// Text messages through the SMS provider (`sms_outbox`).
#[derive(Clone)]
pub struct Sms(pub Arc<dyn SmsSender>);

#[derive(sqlx::FromRow)]
pub struct SmsRow {
    phone: String,
    body: String,
}

#[async_trait::async_trait]
impl Courier for Sms {
    const TABLE: &'static str = "sms_outbox";
    const COLUMNS: &'static str = "phone, body";
    type Row = SmsRow;
    const NAME: &'static str = "SMS";

    async fn send(&self, id: i64, row: &SmsRow) -> Result<(), Failure> {
        let phone = PhoneNumber::parse(&row.phone)
            .map_err(|_| Failure::Retry("not a mobile number".to_owned()))?;
        self.0
            .send_text(&phone, &row.body, id)
            .await
            .map_err(|e| Failure::Retry(e.to_string()))
    }
}

/// Sends what an outbox holds: the text messages by default, the web
/// pushes with [`crate::push::Push`].
#[derive(Clone)]
pub struct Outbox<C = Sms> {
    store: Store,
    courier: Arc<C>,
}

/// What one run of the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
}

impl Outbox<Sms> {
    /// The text-message outbox.
    pub fn new(store: Store, sms: Arc<dyn SmsSender>) -> Self {
        Self::with(store, Sms(sms))
    }
}

impl<C: Courier> Outbox<C> {
    /// The outbox of `courier`'s table.
    pub fn with(store: Store, courier: C) -> Self {
        Self {
            store,
            courier: Arc::new(courier),
        }
    }

    /// Leases the oldest due row, if any: one conditional update, so of
    /// several senders exactly one gets it. Returns its id, attempts so
    /// far (this one included) and columns.
    async fn lease(&self, now: i64) -> Result<Option<(i64, i64, C::Row)>, AppError> {
        use sqlx::{FromRow, Row};
        let mut w = self.store.write().await?;
        let sql = format!(
            "UPDATE {t} SET lease_until = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM {t} WHERE sent_at IS NULL AND failed_at IS NULL \
                         AND next_at <= $2 AND lease_until <= $2 ORDER BY id LIMIT 1) \
               AND sent_at IS NULL AND lease_until <= $2 \
             RETURNING id, attempts, {c}",
            t = C::TABLE,
            c = C::COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(now + LEASE_S)
            .bind(now)
            .fetch_optional(&mut *w.tx)
            .await
            .or_internal("leasing an outbox row")?;
        w.commit().await.or_internal("committing a lease")?;
        row.map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("attempts")?,
                C::Row::from_row(&r)?,
            ))
        })
        .transpose()
        .map_err(|e: sqlx::Error| internal("reading a leased outbox row", e))
    }

    /// Sends every row due at `now` (up to a batch), each once.
    pub async fn deliver_due(&self, now: i64) -> Result<Delivery, AppError> {
        let mut done = Delivery::default();
        for _ in 0..BATCH {
            let Some((id, attempts, row)) = self.lease(now).await? else {
                break;
            };
            let result = self.courier.send(id, &row).await;
            let mut w = self.store.write().await?;
            match result {
                Ok(()) => {
                    sqlx::query(&format!(
                        "UPDATE {} SET sent_at = $1, last_error = NULL WHERE id = $2",
                        C::TABLE
                    ))
                    .bind(now)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("marking an outbox row sent")?;
                    done.sent += 1;
                }
                Err(failure) => {
                    let gone = matches!(failure, Failure::Gone(_));
                    let give_up = gone || attempts >= MAX_ATTEMPTS;
                    let error = failure.to_string();
                    tracing::warn!(channel = C::NAME, id, attempts, give_up, %error, "not sent");
                    sqlx::query(&format!(
                        "UPDATE {} SET next_at = $1, lease_until = 0, last_error = $2, \
                         failed_at = $3 WHERE id = $4",
                        C::TABLE
                    ))
                    .bind(now + backoff(attempts))
                    .bind(error.chars().take(300).collect::<String>())
                    .bind(give_up.then_some(now))
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("rescheduling an outbox row")?;
                    if gone {
                        self.courier.forget(&mut w.tx, &row).await?;
                    }
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

    /// Rows not yet sent nor given up (for probes and tests).
    pub async fn pending(&self) -> Result<i64, AppError> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {} WHERE sent_at IS NULL AND failed_at IS NULL",
            C::TABLE
        ))
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
