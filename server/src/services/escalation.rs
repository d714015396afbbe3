//! Missed deadlines climb: the first breach of a unit's deadline (first
//! response or resolution) flags the complaint in the unit manager's
//! cartable (level 1); if it is still not met a grace period of working
//! hours later, it goes to inspection (level 2, بازرسی). Each escalation is
//! one row and one timeline event, written in one transaction.
//!
//! The job is a scan of state, not a queue: a breach is found from the
//! complaint's status and deadlines each time it runs, so a crash or a
//! restart misses nothing, and the unique key of `escalation` (complaint,
//! unit, deadline, level) makes a second finder (a retry, another server
//! process on the same PostgreSQL) insert nothing and record no event.

use super::audit::Audit;
use super::{record_event, Actor, Event, EventKind};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{api::staff::StaffViewer, error::AppError, model::Role};

/// Breaches handled per batch; the job loops until a batch comes back short.
const BATCH: i64 = 200;

/// Which deadline was missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Nobody at the unit acted (accepted, returned, answered) in time.
    Response,
    /// Not resolved in time.
    Resolution,
}

impl Deadline {
    pub fn as_str(self) -> &'static str {
        match self {
            Deadline::Response => "response",
            Deadline::Resolution => "resolution",
        }
    }

    /// The open complaints past this deadline at `$1`, with no escalation
    /// of level `$2` for their current unit yet. `response` counts only
    /// complaints nobody has acted on (still referred); `resolution` every
    /// complaint a unit holds and has not resolved.
    fn breached_sql(self) -> &'static str {
        match self {
            Deadline::Response => {
                "SELECT c.id, c.unit_id, c.response_due_at AS due_at FROM complaint c \
                 WHERE c.status = 'referred' AND c.unit_id IS NOT NULL \
                 AND c.response_due_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.complaint_id = c.id \
                   AND e.unit_id = c.unit_id AND e.deadline = 'response' AND e.level = $2) \
                 ORDER BY c.response_due_at, c.id LIMIT $3"
            }
            Deadline::Resolution => {
                "SELECT c.id, c.unit_id, c.sla_due_at AS due_at FROM complaint c \
                 WHERE c.status IN ('referred', 'in_progress', 'reopened') \
                 AND c.unit_id IS NOT NULL AND c.sla_due_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.complaint_id = c.id \
                   AND e.unit_id = c.unit_id AND e.deadline = 'resolution' AND e.level = $2) \
                 ORDER BY c.sla_due_at, c.id LIMIT $3"
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct Breach {
    id: i64,
    unit_id: i64,
    due_at: i64,
}

/// What one run raised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Raised {
    /// To the unit managers' cartables.
    pub managers: u64,
    /// To inspection.
    pub inspection: u64,
    /// Council referrals whose receivers were reminded.
    pub council_reminders: u64,
}

/// Finds missed deadlines and escalates them.
#[derive(Clone)]
pub struct EscalationService {
    store: Store,
    calendar: super::calendar::Calendars,
    /// Working seconds between level 1 and level 2.
    grace_s: i64,
    /// The council's unanswered referrals are reminded on the same tick.
    council: super::council::CouncilService,
    /// The site's address, for links in reminders.
    public_url: Option<String>,
    /// Reloaded each tick: another process may have imported districts.
    districts: super::districts::Districts,
}

impl EscalationService {
    pub fn new(
        store: Store,
        calendar: super::calendar::Calendars,
        grace_hours: i64,
        public_url: Option<String>,
        districts: super::districts::Districts,
    ) -> Self {
        Self {
            council: super::council::CouncilService::new(store.clone()),
            store,
            calendar,
            grace_s: grace_hours * 3600,
            public_url,
            districts,
        }
    }

    /// Training mode: an admin moves the simulated clock `secs` forward
    /// (audited), then the scheduler runs at once on the new time. Returns
    /// the new now and what was raised. The API and the admin page's form
    /// both come here.
    pub async fn advance_clock(
        &self,
        who: &StaffViewer,
        secs: i64,
        client: &str,
    ) -> Result<(i64, Raised), AppError> {
        require(who, &[Role::Admin])?;
        let detail = secs.to_string();
        let now = self
            .store
            .clock()
            .advance(
                &self.store,
                secs,
                Audit {
                    actor_user_id: Some(who.user_id),
                    actor: &who.username,
                    action: "clock:advance",
                    target: None,
                    detail: Some(&detail),
                    client: Some(client),
                },
            )
            .await?;
        Ok((now, self.run().await?))
    }

    /// One pass at the store's now: every breach escalated once.
    pub async fn run(&self) -> Result<Raised, AppError> {
        // Another server process may have saved new holidays or districts,
        // or moved the training clock: follow them before reading the time.
        self.calendar.reload().await?;
        self.districts.reload().await?;
        self.store.clock().load(self.store.pool()).await?;
        let now = self.store.now();
        let mut raised = Raised::default();
        for deadline in [Deadline::Response, Deadline::Resolution] {
            raised.managers += self.level(deadline, 1, now, now).await?;
            // Level 2: still breached at the end of the grace that followed
            // the deadline. `add_working(due, grace) <= now` is checked per
            // row; the query narrows to deadlines at least `grace` clock
            // seconds old (working time never runs faster than the clock).
            raised.inspection += self.level(deadline, 2, now - self.grace_s, now).await?;
        }
        raised.council_reminders = self.council.remind(self.public_url.as_deref()).await?;
        Ok(raised)
    }

    /// Raises level `level` for complaints whose `deadline` passed before
    /// `before`; returns how many were raised by this call.
    async fn level(
        &self,
        deadline: Deadline,
        level: i64,
        before: i64,
        now: i64,
    ) -> Result<u64, AppError> {
        let mut raised = 0;
        let calendar = self.calendar.current();
        loop {
            let breaches: Vec<Breach> = sqlx::query_as(deadline.breached_sql())
                .bind(before)
                .bind(level)
                .bind(BATCH)
                .fetch_all(self.store.pool())
                .await
                .or_internal("finding missed deadlines")?;
            let short = (breaches.len() as i64) < BATCH;
            let mut progressed = false;
            for b in breaches {
                if level == 2 && calendar.add_working(b.due_at, self.grace_s) > now {
                    // Inside its grace in working time (a weekend in
                    // between): a later run takes it.
                    continue;
                }
                progressed = true;
                if self.raise(&b, deadline, level, now).await? {
                    raised += 1;
                }
            }
            // A full batch of rows still in their grace would come back
            // forever: stop when a batch made no progress.
            if short || !progressed {
                return Ok(raised);
            }
        }
    }

    /// One escalation and its timeline event, once: `false` when another
    /// run (or server) raised it first.
    async fn raise(
        &self,
        b: &Breach,
        deadline: Deadline,
        level: i64,
        now: i64,
    ) -> Result<bool, AppError> {
        let mut w = self.store.write().await?;
        let inserted = sqlx::query(
            "INSERT INTO escalation (complaint_id, unit_id, deadline, level, due_at, at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (complaint_id, unit_id, deadline, level) DO NOTHING",
        )
        .bind(b.id)
        .bind(b.unit_id)
        .bind(deadline.as_str())
        .bind(level)
        .bind(b.due_at)
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("recording an escalation")?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        let event = Event {
            kind: if level == 1 {
                EventKind::Escalated
            } else {
                EventKind::EscalatedToInspection
            },
            unit_id: Some(b.unit_id),
            public: false,
            ..Event::by(Actor::System)
        };
        record_event(&mut w.tx, b.id, now, event).await?;
        w.commit().await.or_internal("recording an escalation")?;
        Ok(true)
    }
}
