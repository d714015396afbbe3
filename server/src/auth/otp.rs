//! Phone sign-in: a six-digit one-time code by SMS, then a session.
//!
//! Rules, each a single atomic statement in the database, so they hold
//! under parallel requests and across server processes:
//! - a code lives [`CODE_TTL`] seconds and signs in once;
//! - [`MAX_ATTEMPTS`] checks per code; the last wrong one locks the number
//!   for [`LOCKOUT`] seconds (no checking and no sending);
//! - a new code is sent at most every [`RESEND_AFTER`] seconds, and at most
//!   [`MAX_SENDS`] times per [`SEND_WINDOW`], per number;
//! - at most `OtpLimits::per_address` codes an hour per client address;
//! - across all numbers, `OtpLimits::hourly_ceiling` codes an hour is an
//!   alarm and a brake, not a wall: past it every address is held to
//!   `OtpLimits::per_address_braked`, so one caller pumping SMS cannot
//!   lock everyone else out of signing in;
//! - only hashes of codes and session tokens are stored.

use crate::{
    config::OtpLimits,
    error::{internal, OrInternal},
    sms::SmsSender,
    store::Store,
};
use app::{
    api::ports::Viewer,
    error::{AppError, Invalid},
    model::PhoneNumber,
};
use sha2::{Digest, Sha256};
use std::{net::IpAddr, sync::Arc};

/// Seconds a code stays valid.
pub const CODE_TTL: i64 = 120;
/// Wrong guesses allowed per code before the lockout.
pub const MAX_ATTEMPTS: i64 = 5;
/// Seconds a number stays locked after too many wrong guesses.
pub const LOCKOUT: i64 = 15 * 60;
/// Seconds before another code may be sent to the same number.
pub const RESEND_AFTER: i64 = 60;
/// Codes per number per window.
pub const MAX_SENDS: i64 = 5;
/// The window for [`MAX_SENDS`], in seconds.
pub const SEND_WINDOW: i64 = 60 * 60;
/// Seconds a session lasts.
pub const SESSION_TTL: i64 = 30 * 24 * 60 * 60;

/// A new session: the token goes into the cookie, its hash into the table.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user_id: i64,
    pub expires_at: i64,
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    format!("{:x}", h.finalize())
}

fn code_hash(phone: &PhoneNumber, code: &str) -> String {
    sha256_hex(&["otp", phone.as_str(), code])
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(&["session", token])
}

fn parse_phone(raw: &str) -> Result<PhoneNumber, AppError> {
    PhoneNumber::parse(raw).map_err(|_| Invalid::PhoneFormat.into())
}

/// Six digits in any script, spaces allowed.
fn parse_code(raw: &str) -> Result<String, AppError> {
    let code: String = app::model::digits::to_latin(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(Invalid::CodeFormat.into())
    }
}

/// Sign-in, sessions and sign-out.
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    sms: Arc<dyn SmsSender>,
    limits: OtpLimits,
}

#[derive(sqlx::FromRow)]
struct Checked {
    code_hash: String,
    attempts: i64,
}

#[derive(sqlx::FromRow)]
struct ChallengeState {
    locked_until: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    phone: Option<String>,
    username: Option<String>,
    display_name: String,
    must_change_password: i64,
}

/// Who a live session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionUser {
    Citizen(Viewer),
    Staff(app::api::staff::StaffViewer),
}

impl Accounts {
    pub fn new(store: Store, sms: Arc<dyn SmsSender>, limits: OtpLimits) -> Self {
        Self { store, sms, limits }
    }

    /// Deletes sessions that have expired and challenges nobody can use any
    /// more (run now and then; sign-in never depends on it).
    pub async fn prune(&self) -> Result<u64, AppError> {
        let now = crate::now();
        let mut w = self.store.write().await?;
        let sessions = sqlx::query("DELETE FROM user_session WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("pruning sessions")?
            .rows_affected();
        let challenges = sqlx::query(
            "DELETE FROM otp_challenge WHERE expires_at <= $1 AND locked_until <= $1 \
             AND window_start <= $2",
        )
        .bind(now)
        .bind(now - SEND_WINDOW)
        .execute(&mut *w.tx)
        .await
        .or_internal("pruning challenges")?
        .rows_affected();
        // Counters' windows are at most an hour: a day-old one counts nothing.
        let counters = sqlx::query("DELETE FROM rate_counter WHERE window_start <= $1")
            .bind(now - 24 * 60 * 60)
            .execute(&mut *w.tx)
            .await
            .or_internal("pruning counters")?
            .rows_affected();
        w.commit().await.or_internal("committing a prune")?;
        Ok(sessions + challenges + counters)
    }

    /// Sends a fresh code to `raw_phone` if the limits allow. Returns the
    /// normalised number.
    pub async fn request_code(
        &self,
        raw_phone: &str,
        client: IpAddr,
    ) -> Result<PhoneNumber, AppError> {
        let phone = parse_phone(raw_phone)?;
        let now = crate::now();
        // Counted (and committed) whether or not a code goes out: it limits
        // requests, including ones the per-number rules refuse.
        let from_address = self
            .store
            .hit(&format!("otp:addr:{client}"), SEND_WINDOW, now)
            .await
            .or_internal("counting codes per address")?;
        let sent_this_hour: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(sends), 0) AS BIGINT) FROM otp_challenge WHERE window_start > $1",
        )
        .bind(now - SEND_WINDOW)
        .fetch_one(self.store.pool())
        .await
        .or_internal("counting codes sent")?;
        let braked = sent_this_hour >= self.limits.hourly_ceiling;
        if braked {
            tracing::warn!(
                sent_this_hour,
                ceiling = self.limits.hourly_ceiling,
                "one-time codes over the hourly ceiling: every address is held to {} an hour",
                self.limits.per_address_braked
            );
        }
        let per_address = if braked {
            self.limits.per_address_braked
        } else {
            self.limits.per_address
        };
        if from_address > per_address {
            return Err(AppError::RateLimited);
        }
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        let mut w = self.store.write().await?;
        sqlx::query(
            "INSERT INTO otp_challenge (phone, code_hash, sent_at, expires_at, attempts, \
             window_start, sends, locked_until, used) VALUES ($1, '', 0, 0, 0, 0, 0, 0, 1) \
             ON CONFLICT (phone) DO NOTHING",
        )
        .bind(phone.as_str())
        .execute(&mut *w.tx)
        .await
        .or_internal("creating a challenge")?;
        // One statement checks every per-number rule and records the send,
        // so parallel requests for one number cannot both pass.
        let sent = sqlx::query(
            "UPDATE otp_challenge SET code_hash = $2, sent_at = $3, expires_at = $4, \
             attempts = 0, used = 0, \
             sends = CASE WHEN window_start <= $5 THEN 1 ELSE sends + 1 END, \
             window_start = CASE WHEN window_start <= $5 THEN $3 ELSE window_start END \
             WHERE phone = $1 AND locked_until <= $3 AND sent_at <= $6 \
             AND (window_start <= $5 OR sends < $7)",
        )
        .bind(phone.as_str())
        .bind(code_hash(&phone, &code))
        .bind(now)
        .bind(now + CODE_TTL)
        .bind(now - SEND_WINDOW)
        .bind(now - RESEND_AFTER)
        .bind(MAX_SENDS)
        .execute(&mut *w.tx)
        .await
        .or_internal("storing a challenge")?
        .rows_affected();
        if sent != 1 {
            return Err(AppError::RateLimited);
        }
        w.commit().await.or_internal("committing a challenge")?;
        // Sent after the commit: a code that reaches a phone is always on file.
        self.sms
            .send_code(&phone, &code)
            .await
            .map_err(|e| internal("sending a one-time code", e))?;
        Ok(phone)
    }

    /// Checks a code; on success the number's citizen account (created on
    /// first sign-in) gets a new session, and `lang` becomes the language of
    /// the citizen's text messages.
    pub async fn verify(
        &self,
        raw_phone: &str,
        raw_code: &str,
        lang: app::i18n::Lang,
    ) -> Result<NewSession, AppError> {
        let phone = parse_phone(raw_phone)?;
        let code = parse_code(raw_code)?;
        let now = crate::now();
        let mut w = self.store.write().await?;
        // Counting the attempt and reading the code are one statement that
        // holds the row until commit: of any number of parallel guesses,
        // at most MAX_ATTEMPTS are ever compared.
        let checked: Option<Checked> = sqlx::query_as(
            "UPDATE otp_challenge SET attempts = attempts + 1 \
             WHERE phone = $1 AND used = 0 AND expires_at > $2 AND locked_until <= $2 \
             AND attempts < $3 RETURNING code_hash, attempts",
        )
        .bind(phone.as_str())
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("counting an attempt")?;
        let Some(checked) = checked else {
            let state: Option<ChallengeState> =
                sqlx::query_as("SELECT locked_until FROM otp_challenge WHERE phone = $1")
                    .bind(phone.as_str())
                    .fetch_optional(&mut *w.tx)
                    .await
                    .or_internal("reading a challenge")?;
            return Err(match state {
                Some(s) if s.locked_until > now => AppError::RateLimited,
                _ => Invalid::CodeExpired.into(),
            });
        };
        if checked.code_hash != code_hash(&phone, &code) {
            let locked = checked.attempts >= MAX_ATTEMPTS;
            if locked {
                sqlx::query("UPDATE otp_challenge SET locked_until = $1 WHERE phone = $2")
                    .bind(now + LOCKOUT)
                    .bind(phone.as_str())
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("locking a number")?;
            }
            w.commit().await.or_internal("committing a wrong code")?;
            return Err(if locked {
                AppError::RateLimited
            } else {
                Invalid::CodeWrong.into()
            });
        }
        sqlx::query("UPDATE otp_challenge SET used = 1 WHERE phone = $1")
            .bind(phone.as_str())
            .execute(&mut *w.tx)
            .await
            .or_internal("using a code")?;
        let existing: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, disabled FROM app_user WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *w.tx)
                .await
                .or_internal("finding a citizen")?;
        let user_id = match existing {
            Some((_, disabled)) if disabled != 0 => return Err(AppError::Forbidden),
            Some((id, _)) => id,
            None => sqlx::query_scalar(
                "INSERT INTO app_user (phone, role, created_at) VALUES ($1, 'citizen', $2) \
                 RETURNING id",
            )
            .bind(phone.as_str())
            .bind(now)
            .fetch_one(&mut *w.tx)
            .await
            .or_internal("creating a citizen")?,
        };
        sqlx::query("UPDATE app_user SET lang = $1 WHERE id = $2")
            .bind(lang.tag())
            .bind(user_id)
            .execute(&mut *w.tx)
            .await
            .or_internal("remembering a language")?;
        let token = app::model::random_hex(32);
        let expires_at = now + SESSION_TTL;
        sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *w.tx)
        .await
        .or_internal("creating a session")?;
        w.commit().await.or_internal("committing a sign-in")?;
        tracing::info!(phone = %phone.masked(), user_id, "citizen signed in");
        Ok(NewSession {
            token,
            user_id,
            expires_at,
        })
    }

    /// The citizen or staff member a session token belongs to, if it is live.
    pub async fn session(&self, token: &str) -> Result<Option<SessionUser>, AppError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT u.id, u.phone, u.username, u.display_name, u.must_change_password \
             FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .bind(crate::now())
        .fetch_optional(self.store.pool())
        .await
        .or_internal("reading a session")?;
        let Some(row) = row else { return Ok(None) };
        if let Some(username) = row.username {
            let grants = super::staff::grants(&self.store, row.id).await?;
            return Ok(Some(SessionUser::Staff(app::api::staff::StaffViewer {
                user_id: row.id,
                username,
                display_name: row.display_name,
                grants,
                must_change_password: row.must_change_password != 0,
            })));
        }
        Ok(Some(SessionUser::Citizen(Viewer {
            user_id: row.id,
            phone_masked: row
                .phone
                .and_then(|p| PhoneNumber::parse(&p).ok())
                .map(|p| p.masked())
                .unwrap_or_default(),
        })))
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let mut w = self.store.write().await?;
        sqlx::query("DELETE FROM user_session WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *w.tx)
            .await
            .or_internal("ending a session")?;
        w.commit().await.or_internal("committing a sign-out")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_any_digit_script() {
        assert_eq!(parse_code("۱۲۳ ۴۵۶"), Ok("123456".to_owned()));
        assert_eq!(parse_code("١٢٣٤٥٦"), Ok("123456".to_owned()));
        assert_eq!(parse_code("12345"), Err(Invalid::CodeFormat.into()));
        assert_eq!(parse_code("12345a"), Err(Invalid::CodeFormat.into()));
    }

    #[test]
    fn hashes_depend_on_the_phone_and_the_code() {
        let a = PhoneNumber::parse("09121234567").unwrap();
        let b = PhoneNumber::parse("09121234568").unwrap();
        assert_ne!(code_hash(&a, "123456"), code_hash(&b, "123456"));
        assert_ne!(code_hash(&a, "123456"), code_hash(&a, "123457"));
        assert_ne!(token_hash("x"), code_hash(&a, "x"));
    }
}
