//! The one clock the municipality's rules read: deadlines, escalations,
//! timeline times, "overdue", the text-message outbox. In production it is
//! the system clock. `PASOKH_CLOCK=simulated` is a training and demo mode
//! (never the default): system time plus an offset that an admin moves
//! forward, so a class can watch a week of deadlines pass in a minute. The
//! offset is kept in the database, so a restart keeps the simulated date,
//! and every process reloads it at each scheduler run (a minute), so a move
//! made on one node reaches the others.
//!
//! Security timers (session lifetimes, one-time codes, sign-in throttles,
//! the photo sweeper's grace) keep real time on purpose: advancing a
//! training clock by a month must not expire a real session or reopen a
//! throttle window.

use crate::error::OrInternal;
use app::error::{AppError, Conflict, Invalid};
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

/// The longest single move of a simulated clock (a year).
pub const MAX_ADVANCE_S: i64 = 366 * 86_400;

/// System time, or system time plus a training offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// `Some` in simulated mode: seconds ahead of the system clock.
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { offset: None }
    }

    /// A simulated clock, `offset_s` ahead of the system clock.
    pub fn simulated(offset_s: i64) -> Self {
        Self {
            offset: Some(Arc::new(AtomicI64::new(offset_s))),
        }
    }

    /// Unix seconds by this clock.
    pub fn now(&self) -> i64 {
        crate::now() + self.offset_s()
    }

    /// Seconds ahead of the system clock (0 unless simulated).
    pub fn offset_s(&self) -> i64 {
        self.offset.as_ref().map_or(0, |o| o.load(Ordering::SeqCst))
    }

    pub fn is_simulated(&self) -> bool {
        self.offset.is_some()
    }

    /// Loads the stored offset of a simulated clock (a restart keeps the
    /// simulated date).
    pub async fn load(&self, pool: &sqlx::AnyPool) -> Result<(), AppError> {
        let Some(offset) = &self.offset else {
            return Ok(());
        };
        let stored: Option<i64> =
            sqlx::query_scalar("SELECT offset_s FROM simulated_clock WHERE id = 1")
                .fetch_optional(pool)
                .await
                .or_internal("reading the simulated clock")?;
        // Time never goes back: a reader that raced a move keeps the later.
        offset.fetch_max(stored.unwrap_or(0), Ordering::SeqCst);
        Ok(())
    }

    /// Moves a simulated clock `secs` forward (1 s to [`MAX_ADVANCE_S`]:
    /// time never goes back), stores the new offset and writes `audit` in
    /// the same transaction; returns the new now. The system clock refuses.
    pub async fn advance(
        &self,
        store: &crate::store::Store,
        secs: i64,
        audit: crate::services::audit::Audit<'_>,
    ) -> Result<i64, AppError> {
        let Some(offset) = &self.offset else {
            return Err(Conflict::ClockNotSimulated.into());
        };
        if !(1..=MAX_ADVANCE_S).contains(&secs) {
            return Err(Invalid::AdvanceRange.into());
        }
        let mut w = store.write().await?;
        // One atomic upsert: two admins advancing at once add up, on either
        // backend and across server processes.
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO simulated_clock (id, offset_s) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET offset_s = simulated_clock.offset_s + $1 \
             RETURNING offset_s",
        )
        .bind(secs)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("moving the simulated clock")?;
        let now = crate::now() + new;
        crate::services::audit::record(&mut w.tx, now, audit).await?;
        w.commit().await.or_internal("moving the simulated clock")?;
        offset.fetch_max(new, Ordering::SeqCst);
        Ok(now)
    }
}
