//! Work that runs on a timer rather than a request: pruning expired
//! sessions, spent sign-in codes and old counters, and sweeping photo
//! objects no complaint refers to. Each run is idempotent and safe beside
//! other server processes (the sweeper's protocol is in `media::orphans`).

use crate::{auth::otp::Accounts, media, store::Store};
use std::time::Duration;
use tracing::Instrument;

/// How often the jobs run.
const EVERY: Duration = Duration::from_secs(3600);

/// What the jobs work on.
#[derive(Clone)]
pub struct Jobs {
    pub store: Store,
    pub accounts: Accounts,
    pub media: media::MediaStore,
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

    /// Runs the jobs now and then every hour, until the task is dropped.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            loop {
                every.tick().await;
                self.run_once()
                    .instrument(tracing::info_span!("jobs"))
                    .await;
            }
        })
    }
}
