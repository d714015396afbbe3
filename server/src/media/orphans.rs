//! Photo objects that no complaint refers to, and the protocol that lets a
//! job remove them without ever removing one a concurrent filing uses.
//!
//! Keys are content-addressed, so two filings can store the same object,
//! and one of them may be refused after storing it. Deleting on refusal
//! would race the other (its complaint would commit pointing at nothing),
//! so requests never delete; instead:
//!
//! 1. a writer [`claim`]s the key (an upsert of `media_object.claimed_at`,
//!    committed) *before* it stores the object, then stores it, then commits
//!    the complaint that refers to it;
//! 2. the sweeper deletes an object only inside a transaction that first
//!    locks its claim row with a conditional `UPDATE` that matches only
//!    when the claim is older than the grace period and no `photo` row
//!    refers to the key. A writer claiming meanwhile waits on that row lock
//!    (PostgreSQL) or the writer lock (SQLite) until the sweeper commits,
//!    and then stores the object again; a writer that claimed first makes
//!    the `UPDATE` match nothing.
//!
//! The grace period outlasts any request (they time out after 120 s), so a
//! claim's filing has committed or failed before the sweeper may look.

use super::{photo_key_of, thumb_key_of, MediaStore};
use crate::{error::OrInternal, store::Store};
use app::error::AppError;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How old an unreferenced object must be before it is swept.
pub const GRACE: Duration = Duration::from_secs(3600);

/// Claims `photo_keys` for a writer about to store them (one transaction,
/// committed at once).
pub async fn claim(store: &Store, photo_keys: &[&str]) -> Result<(), AppError> {
    let mut w = store.write().await?;
    let now = crate::now();
    for key in photo_keys {
        sqlx::query(
            "INSERT INTO media_object (object_key, claimed_at) VALUES ($1, $2) \
             ON CONFLICT (object_key) DO UPDATE SET claimed_at = $2",
        )
        .bind(key)
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("claiming a photo object")?;
    }
    w.commit().await.or_internal("committing a claim")
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Photos removed with their thumbnails.
    pub photos: usize,
    /// Staging files a killed writer left (local store only).
    pub staging: usize,
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Removes unreferenced photo objects (and their thumbnails) whose claim
/// and whose file are older than `grace`, and stale staging files.
pub async fn sweep(store: &Store, media: &MediaStore, grace: Duration) -> anyhow::Result<Swept> {
    let cutoff_time = SystemTime::now() - grace;
    let cutoff = unix(cutoff_time);
    let mut swept = Swept {
        staging: media.sweep_staging(cutoff_time),
        ..Swept::default()
    };
    // One read of what complaints use, so a referenced photo costs no
    // transaction here; the locked check below still decides each orphan.
    let referenced: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT DISTINCT object_key FROM photo")
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .collect();
    let mut candidates: Vec<(String, i64)> = media
        .list()
        .await?
        .into_iter()
        .filter(|o| unix(o.last_modified) <= cutoff)
        .map(|o| (photo_key_of(&o.key), unix(o.last_modified)))
        .filter(|(key, _)| !referenced.contains(key))
        .collect();
    candidates.sort();
    candidates.dedup_by(|a, b| a.0 == b.0);
    for (key, modified) in candidates {
        let mut w = store.begin_write().await?;
        // An object stored before claims existed gets one, dated by its file.
        sqlx::query(
            "INSERT INTO media_object (object_key, claimed_at) VALUES ($1, $2) \
             ON CONFLICT (object_key) DO NOTHING",
        )
        .bind(&key)
        .bind(modified)
        .execute(&mut *w.tx)
        .await?;
        let locked = sqlx::query(
            "UPDATE media_object SET claimed_at = claimed_at \
             WHERE object_key = $1 AND claimed_at <= $2 \
             AND NOT EXISTS (SELECT 1 FROM photo WHERE object_key = $1)",
        )
        .bind(&key)
        .bind(cutoff)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if locked == 1 {
            // Still holding the claim row: no writer can store this key now.
            media.delete(&thumb_key_of(&key)).await?;
            media.delete(&key).await?;
            sqlx::query("DELETE FROM media_object WHERE object_key = $1")
                .bind(&key)
                .execute(&mut *w.tx)
                .await?;
            swept.photos += 1;
        }
        w.commit().await?;
    }
    if swept != Swept::default() {
        tracing::info!(
            photos = swept.photos,
            staging = swept.staging,
            "swept unreferenced media"
        );
    }
    Ok(swept)
}
