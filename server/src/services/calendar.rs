//! The working calendar the deadlines count in: the configuration's office
//! hours, weekend and holidays, plus the holidays an admin keeps in the
//! database. Saving the list rebuilds the calendar at once; other server
//! processes pick it up at their next scheduler tick (a minute).

use super::audit::{self, Audit};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{
    api::{
        forms::HolidaysForm,
        settings::WorkWeekForm,
        staff::{Holiday, StaffViewer},
    },
    error::AppError,
    i18n::{jalali::JalaliDate, Lang},
    model::{calendar::WorkCalendar, Role},
};
use std::sync::{Arc, RwLock};

/// The current calendar, shared by intake, workflow and the scheduler.
#[derive(Clone)]
pub struct Calendars {
    store: Store,
    /// From the configuration.
    base: Arc<WorkCalendar>,
    current: Arc<RwLock<Arc<WorkCalendar>>>,
}

impl Calendars {
    /// The configuration's calendar with the stored holidays.
    pub async fn load(store: Store, base: WorkCalendar) -> Result<Self, AppError> {
        let base = Arc::new(base);
        let calendars = Self {
            store,
            current: Arc::new(RwLock::new(base.clone())),
            base,
        };
        calendars.reload().await?;
        Ok(calendars)
    }

    /// The calendar to count in now.
    pub fn current(&self) -> Arc<WorkCalendar> {
        match self.current.read() {
            Ok(c) => c.clone(),
            // A panic while swapping cannot leave a half-built calendar:
            // the value is an `Arc` replaced whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds the calendar from the stored week and holidays.
    pub async fn reload(&self) -> Result<(), AppError> {
        let days: Vec<JalaliDate> = self
            .holidays()
            .await?
            .iter()
            .filter_map(|h| JalaliDate::parse(&h.day))
            .collect();
        let week: Option<(String, String, String)> =
            sqlx::query_as("SELECT hours, weekend, thursday_until FROM work_week WHERE id = 1")
                .fetch_optional(self.store.pool())
                .await
                .or_internal("reading the working week")?;
        // Stored only after `WorkWeekForm::parse` built it: it parses.
        let base = match week.and_then(|(h, w, t)| WorkCalendar::parse(&h, &w, &t, &[]).ok()) {
            Some(week) => self.base.with_week(&week),
            None => (*self.base).clone(),
        };
        let rebuilt = Arc::new(base.with_holidays(&days));
        match self.current.write() {
            Ok(mut c) => *c = rebuilt,
            Err(poisoned) => *poisoned.into_inner() = rebuilt,
        }
        Ok(())
    }

    /// Sets the working week (admins; audited), then counts in it at once.
    pub async fn save_week(
        &self,
        who: &StaffViewer,
        form: &WorkWeekForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let (hours, weekend, thursday) = form.parse()?;
        let mut w = self.store.write().await?;
        sqlx::query(
            "INSERT INTO work_week (id, hours, weekend, thursday_until, updated_at)              VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET hours = $1,              weekend = $2, thursday_until = $3, updated_at = $4",
        )
        .bind(&hours)
        .bind(&weekend)
        .bind(&thursday)
        .bind(self.store.now())
        .execute(&mut *w.tx)
        .await
        .or_internal("saving the working week")?;
        let detail = format!("{hours} / weekend {weekend} / thursday {thursday}");
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "work_week:save", client).detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("saving the working week")?;
        self.reload().await
    }

    /// The stored holidays, by date.
    pub async fn holidays(&self) -> Result<Vec<Holiday>, AppError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT day, name FROM holiday ORDER BY day")
                .fetch_all(self.store.pool())
                .await
                .or_internal("reading holidays")?;
        Ok(rows
            .into_iter()
            .map(|(day, name)| Holiday { day, name })
            .collect())
    }

    /// Replaces the stored holidays with the form's list (admins; checked
    /// whole before anything changes; one transaction, audited), then
    /// counts in the new calendar at once. The page's form and the API
    /// both come here.
    pub async fn replace(
        &self,
        who: &StaffViewer,
        form: &HolidaysForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let list = form.parse()?;
        let mut w = self.store.write().await?;
        if self.store.backend() == crate::store::Backend::Postgres {
            // Two replacements at once: the second waits for the first to
            // commit, then deletes what it wrote (SQLite's writer lock does
            // the same); without this its insert would meet the first's rows.
            sqlx::query("LOCK TABLE holiday IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *w.tx)
                .await
                .or_internal("locking holidays")?;
        }
        sqlx::query("DELETE FROM holiday")
            .execute(&mut *w.tx)
            .await
            .or_internal("replacing holidays")?;
        for (day, name) in &list {
            sqlx::query("INSERT INTO holiday (day, name) VALUES ($1, $2)")
                .bind(day.short(Lang::En))
                .bind(name)
                .execute(&mut *w.tx)
                .await
                .or_internal("replacing holidays")?;
        }
        let detail = format!("{} holidays", list.len());
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "holidays:replace", client).detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("replacing holidays")?;
        self.reload().await
    }
}
