//! Work that runs on a timer rather than a request: sending the SMS and the
//! web-push outboxes (every few seconds), escalating missed deadlines (every minute), pruning
//! expired sessions, spent sign-in codes and old counters, and sweeping
//! photo objects no complaint refers to (every hour). Each run is
//! idempotent and safe beside other server processes (the outbox leases
//! each message; escalations are unique per breach; the sweeper's protocol
//! is in `media::orphans`).

use crate::{
    auth::otp::Accounts, media, notify::Outbox, services::escalation::EscalationService,
    store::Store,
};
use std::time::Duration;
use tracing::Instrument;

/// How often the housekeeping jobs run.
const EVERY: Duration = Duration::from_secs(3600);
/// How often the outbox is sent.
const OUTBOX_EVERY: Duration = Duration::from_secs(3);
/// How often missed deadlines are looked for.
const ESCALATION_EVERY: Duration = Duration::from_secs(60);

/// What the jobs work on.
#[derive(Clone)]
pub struct Jobs {
    pub store: Store,
    pub accounts: Accounts,
    pub media: media::MediaStore,
    pub outbox: Outbox,
    pub escalation: EscalationService,
    /// The web pushes' outbox, unless push is off.
    pub push: Option<std::sync::Arc<crate::push::PushOutbox>>,
}

impl Jobs {
    /// One run of every job; failures are logged, never fatal.
    pub async fn run_once(&self) {
        match self.accounts.prune().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "pruned expired sessions, codes and counters"),
            Err(e) => tracing::warn!(error = %e, "pruning"),
        }
        if let Err(e) = media::orphans::sweep(&self.store, &self.media, media::orphans::GRACE).await
        {
            tracing::warn!(error = %e, "sweeping media");
        }
    }

    /// Escalates missed deadlines once; failures are logged.
    pub async fn escalate(&self) {
        match self.escalation.run().await {
            Ok(r) if r.managers + r.inspection + r.council_reminders > 0 => tracing::info!(
                to_managers = r.managers,
                to_inspection = r.inspection,
                council_reminders = r.council_reminders,
                "missed deadlines escalated, council referrals reminded"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "escalation"),
        }
    }

    /// Sends the outbox's due messages once; failures are logged.
    pub async fn send_outbox(&self) {
        match self.outbox.deliver_due(self.store.now()).await {
            Ok(d) if d.sent + d.failed + d.given_up > 0 => {
                tracing::info!(
                    sent = d.sent,
                    failed = d.failed,
                    given_up = d.given_up,
                    "SMS outbox"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "SMS outbox"),
        }
    }

    /// Sends the push outbox's due pushes once; failures are logged. A job
    /// of its own, so an unreachable push service never delays an SMS.
    pub async fn send_pushes(&self) {
        let Some(push) = &self.push else {
            return;
        };
        match push.deliver_due(self.store.now()).await {
            Ok(d) if d.sent + d.failed + d.given_up > 0 => {
                tracing::info!(
                    sent = d.sent,
                    failed = d.failed,
                    given_up = d.given_up,
                    "push outbox"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "push outbox"),
        }
    }

    /// Runs the housekeeping now and then every hour, the escalations every
    /// minute and the outboxes every few seconds, until the tasks are aborted.
    pub fn spawn(self) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            repeat(OUTBOX_EVERY, "push", self.clone(), |j| async move {
                j.send_pushes().await
            }),
            repeat(EVERY, "jobs", self.clone(), |j| async move {
                j.run_once().await
            }),
            repeat(
                ESCALATION_EVERY,
                "escalation",
                self.clone(),
                |j| async move { j.escalate().await },
            ),
            repeat(OUTBOX_EVERY, "outbox", self, |j| async move {
                j.send_outbox().await
            }),
        ]
    }
}

/// Runs `job` now and then every `period` (a late run delays the next
/// rather than bunching them), in a span named `name`.
fn repeat<F, Fut>(
    period: Duration,
    name: &'static str,
    jobs: Jobs,
    job: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(Jobs) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            job(jobs.clone())
                .instrument(tracing::info_span!("job", name))
                .await;
        }
    })
}
