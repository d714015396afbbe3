//! Work that runs on a timer rather than a request: sending the SMS outbox
//! (every few seconds), pruning expired sessions, spent sign-in codes and
//! old counters, and sweeping photo objects no complaint refers to (every
//! hour). Each run is idempotent and safe beside other server processes
//! (the outbox leases each message; the sweeper's protocol is in
//! `media::orphans`).

use crate::{auth::otp::Accounts, media, notify::Outbox, store::Store};
use std::time::Duration;
use tracing::Instrument;

/// How often the housekeeping jobs run.
const EVERY: Duration = Duration::from_secs(3600);
/// How often the outbox is sent.
const OUTBOX_EVERY: Duration = Duration::from_secs(3);

/// What the jobs work on.
#[derive(Clone)]
pub struct Jobs {
    pub store: Store,
    pub accounts: Accounts,
    pub media: media::MediaStore,
    pub outbox: Outbox,
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

    /// Sends the outbox's due messages once; failures are logged.
    pub async fn send_outbox(&self) {
        match self.outbox.deliver_due(crate::now()).await {
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

    /// Runs the housekeeping now and then every hour, and the outbox every
    /// few seconds, until the tasks are aborted.
    pub fn spawn(self) -> Vec<tokio::task::JoinHandle<()>> {
        let outbox = self.clone();
        vec![
            tokio::spawn(async move {
                let mut every = tokio::time::interval(EVERY);
                loop {
                    every.tick().await;
                    self.run_once()
                        .instrument(tracing::info_span!("jobs"))
                        .await;
                }
            }),
            tokio::spawn(async move {
                let mut every = tokio::time::interval(OUTBOX_EVERY);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    outbox
                        .send_outbox()
                        .instrument(tracing::info_span!("outbox"))
                        .await;
                }
            }),
        ]
    }
}
