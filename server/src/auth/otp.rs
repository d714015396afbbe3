//! Phone sign-in: a six-digit one-time code by SMS, then a session.
//!
//! Rules (all enforced here, in one transaction per step):
//! - a code lives [`CODE_TTL`] seconds and signs in once;
//! - [`MAX_ATTEMPTS`] wrong guesses lock the number for [`LOCKOUT`] seconds
//!   (no checking and no sending);
//! - a new code is sent at most every [`RESEND_AFTER`] seconds, and at most
//!   [`MAX_SENDS`] times per [`SEND_WINDOW`];
//! - across all numbers, at most `hourly_limit` codes an hour (configurable),
//!   so a script cycling through numbers cannot drain the SMS budget;
//! - only hashes of codes and session tokens are stored.

use crate::{
    error::{internal, OrInternal},
    sms::SmsSender,
    store::Store,
};
use app::{api::ports::Viewer, error::AppError, model::PhoneNumber};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;

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
    PhoneNumber::parse(raw).map_err(|_| AppError::invalid("phone", "format"))
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
        Err(AppError::invalid("code", "format"))
    }
}

/// Sign-in, sessions and sign-out.
#[derive(Clone)]
pub struct Accounts {
    store: Store,
    sms: Arc<dyn SmsSender>,
    hourly_limit: i64,
}

impl Accounts {
    pub fn new(store: Store, sms: Arc<dyn SmsSender>, hourly_limit: i64) -> Self {
        Self {
            store,
            sms,
            hourly_limit,
        }
    }

    /// Deletes sessions that have expired and challenges nobody can use any
    /// more (run now and then; sign-in never depends on it).
    pub async fn prune(&self) -> Result<u64, AppError> {
        let now = crate::now();
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
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
        w.commit().await.or_internal("committing a prune")?;
        Ok(sessions + challenges)
    }

    /// Sends a fresh code to `raw_phone` if the limits allow. Returns the
    /// normalised number.
    pub async fn request_code(&self, raw_phone: &str) -> Result<PhoneNumber, AppError> {
        let phone = parse_phone(raw_phone)?;
        let now = crate::now();
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let row = sqlx::query(
            "SELECT sent_at, window_start, sends, locked_until FROM otp_challenge WHERE phone = $1",
        )
        .bind(phone.as_str())
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("reading a challenge")?;
        let sent_this_hour: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(sends), 0) AS BIGINT) FROM otp_challenge WHERE window_start > $1",
        )
        .bind(now - SEND_WINDOW)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("counting codes sent")?;
        if sent_this_hour >= self.hourly_limit {
            tracing::warn!(
                limit = self.hourly_limit,
                "one-time codes: the hourly limit for all numbers is reached"
            );
            return Err(AppError::RateLimited);
        }
        let (mut window_start, mut sends) = (now, 0);
        if let Some(row) = row {
            let get = |c: &str| row.try_get::<i64, _>(c).or_internal("challenge column");
            if get("locked_until")? > now || now - get("sent_at")? < RESEND_AFTER {
                return Err(AppError::RateLimited);
            }
            if now - get("window_start")? < SEND_WINDOW {
                window_start = get("window_start")?;
                sends = get("sends")?;
            }
            if sends >= MAX_SENDS {
                return Err(AppError::RateLimited);
            }
        }
        sqlx::query(
            "INSERT INTO otp_challenge (phone, code_hash, sent_at, expires_at, attempts, \
             window_start, sends, locked_until, used) VALUES ($1, $2, $3, $4, 0, $5, $6, 0, 0) \
             ON CONFLICT (phone) DO UPDATE SET code_hash = $2, sent_at = $3, expires_at = $4, \
             attempts = 0, window_start = $5, sends = $6, locked_until = 0, used = 0",
        )
        .bind(phone.as_str())
        .bind(code_hash(&phone, &code))
        .bind(now)
        .bind(now + CODE_TTL)
        .bind(window_start)
        .bind(sends + 1)
        .execute(&mut *w.tx)
        .await
        .or_internal("storing a challenge")?;
        w.commit().await.or_internal("committing a challenge")?;
        // Sent after the commit: a code that reaches a phone is always on file.
        self.sms
            .send_code(&phone, &code)
            .await
            .map_err(|e| internal("sending a one-time code", e))?;
        Ok(phone)
    }

    /// Checks a code; on success the number's citizen account (created on
    /// first sign-in) gets a new session.
    pub async fn verify(&self, raw_phone: &str, raw_code: &str) -> Result<NewSession, AppError> {
        let phone = parse_phone(raw_phone)?;
        let code = parse_code(raw_code)?;
        let now = crate::now();
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let row = sqlx::query(
            "SELECT code_hash, expires_at, attempts, locked_until, used FROM otp_challenge \
             WHERE phone = $1",
        )
        .bind(phone.as_str())
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("reading a challenge")?
        .ok_or_else(|| AppError::invalid("code", "expired"))?;
        let get = |c: &str| row.try_get::<i64, _>(c).or_internal("challenge column");
        if get("locked_until")? > now {
            return Err(AppError::RateLimited);
        }
        if get("used")? != 0 || get("expires_at")? <= now {
            return Err(AppError::invalid("code", "expired"));
        }
        let stored: String = row.try_get("code_hash").or_internal("code hash")?;
        if stored != code_hash(&phone, &code) {
            let attempts = get("attempts")? + 1;
            let locked_until = if attempts >= MAX_ATTEMPTS {
                now + LOCKOUT
            } else {
                0
            };
            sqlx::query(
                "UPDATE otp_challenge SET attempts = $1, locked_until = $2 WHERE phone = $3",
            )
            .bind(attempts)
            .bind(locked_until)
            .bind(phone.as_str())
            .execute(&mut *w.tx)
            .await
            .or_internal("counting a wrong code")?;
            w.commit().await.or_internal("committing a wrong code")?;
            return Err(if locked_until > 0 {
                AppError::RateLimited
            } else {
                AppError::invalid("code", "wrong")
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
        let token = {
            let bytes: [u8; 32] = rand::random();
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
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

    /// The citizen a session token belongs to, if it is live.
    pub async fn viewer(&self, token: &str) -> Result<Option<Viewer>, AppError> {
        if token.len() != 64 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT u.id, u.phone FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .bind(crate::now())
        .fetch_optional(self.store.pool())
        .await
        .or_internal("reading a session")?;
        let Some(row) = row else { return Ok(None) };
        let phone: Option<String> = row.try_get("phone").or_internal("session phone")?;
        Ok(Some(Viewer {
            user_id: row.try_get("id").or_internal("session user")?,
            phone_masked: phone
                .and_then(|p| PhoneNumber::parse(&p).ok())
                .map(|p| p.masked())
                .unwrap_or_default(),
        }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
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
        assert_eq!(
            parse_code("12345"),
            Err(AppError::invalid("code", "format"))
        );
        assert_eq!(
            parse_code("12345a"),
            Err(AppError::invalid("code", "format"))
        );
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
