//! The audit log: one append-only row for every staff action and sign-in,
//! written in the same transaction as what it records (a failed sign-in in
//! its own). Nothing in the code updates or deletes it.

use crate::error::OrInternal;
use app::error::AppError;

/// One line to append.
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a> {
    pub actor_user_id: Option<i64>,
    /// The username, or `-`.
    pub actor: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub client: Option<&'a str>,
}

impl<'a> Audit<'a> {
    /// A staff member's `action` from `client`, with no target or detail.
    pub fn by(who: &'a app::api::staff::StaffViewer, action: &'a str, client: &'a str) -> Self {
        Self {
            actor_user_id: Some(who.user_id),
            actor: &who.username,
            action,
            target: None,
            detail: None,
            client: Some(client),
        }
    }

    pub fn target(self, target: &'a str) -> Self {
        Self {
            target: Some(target),
            ..self
        }
    }

    pub fn detail(self, detail: &'a str) -> Self {
        Self {
            detail: Some(detail),
            ..self
        }
    }
}

/// Longest detail kept (a note is cut here; the timeline keeps it whole).
const DETAIL_MAX: usize = 500;

/// Appends `entry` inside `tx`.
pub async fn record(
    tx: &mut sqlx::AnyConnection,
    at: i64,
    entry: Audit<'_>,
) -> Result<(), AppError> {
    let detail = entry
        .detail
        .map(|d| d.chars().take(DETAIL_MAX).collect::<String>());
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor, action, target, detail, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(entry.actor_user_id)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.target)
    .bind(detail)
    .bind(entry.client)
    .execute(&mut *tx)
    .await
    .or_internal("writing the audit log")?;
    Ok(())
}
