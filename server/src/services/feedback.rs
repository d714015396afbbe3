//! 1888 items (see `app::api::feedback`): filed once per form key, routed
//! to the named unit or the 1888 desk, answered once, the answer sent by
//! text to a signed-in citizen through the outbox, thanks counted in the
//! unit's report card in the same transaction as the filing.

use super::{audit::Audit, stats};
use crate::{
    auth::staff::active,
    error::{internal, OrInternal},
    notify::{self, Message},
    services::audit,
    store::Store,
};
use app::{
    api::{
        feedback::{
            FeedbackAnswerForm, FeedbackDesk, FeedbackInput, FeedbackKind, FeedbackView,
            StaffChoice,
        },
        staff::StaffViewer,
    },
    error::{AppError, Conflict, Invalid},
    i18n::{Lang, Msg},
    model::{complaint::Named, Role, TrackingCode},
};
use std::collections::{btree_map::Entry, BTreeMap};

/// Who works the 1888 desk (items that name no unit).
const DESK: [Role; 2] = [Role::Operator, Role::Supervisor];

#[derive(sqlx::FromRow)]
struct Row {
    tracking_code: String,
    kind: String,
    unit_id: Option<i64>,
    unit_fa: Option<String>,
    unit_en: Option<String>,
    employee: Option<String>,
    body: String,
    created_at: i64,
    answer: Option<String>,
    answered_at: Option<i64>,
}

const SELECT: &str = "SELECT f.tracking_code, f.kind, f.unit_id, u.name_fa AS unit_fa, \
     u.name_en AS unit_en, f.employee, f.body, f.created_at, f.answer, f.answered_at \
     FROM feedback f LEFT JOIN unit u ON u.id = f.unit_id";

impl Row {
    fn view(self) -> Result<FeedbackView, AppError> {
        Ok(FeedbackView {
            tracking_code: TrackingCode::parse(&self.tracking_code)
                .map_err(|_| internal("stored feedback code", &self.tracking_code))?,
            kind: FeedbackKind::parse(&self.kind)
                .ok_or_else(|| internal("stored feedback kind", &self.kind))?,
            unit: match (self.unit_fa, self.unit_en) {
                (Some(fa), Some(en)) => Some(Named { fa, en }),
                _ => None,
            },
            employee: self.employee,
            body: self.body,
            created_at: self.created_at,
            answer: self.answer,
            answered_at: self.answered_at,
            credit_choices: Vec::new(),
        })
    }
}

/// An answer as a text message carries it: at most 300 characters.
fn sms_excerpt(answer: &str) -> String {
    let mut out: String = answer.chars().take(300).collect();
    if answer.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[derive(Clone)]
pub struct FeedbackService {
    store: Store,
}

impl FeedbackService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn by_key(&self, key: &str) -> Result<Option<TrackingCode>, AppError> {
        let code: Option<String> =
            sqlx::query_scalar("SELECT tracking_code FROM feedback WHERE form_key = $1")
                .bind(key)
                .fetch_optional(self.store.pool())
                .await
                .or_internal("reading a feedback key")?;
        code.map(|c| TrackingCode::parse(&c).map_err(|_| internal("stored feedback code", &c)))
            .transpose()
    }

    /// Whom a thanks to `unit` may credit: the active staff with a role in
    /// that unit, or (`None`: the 1888 desk) any active staff member.
    async fn credit_choices<'c, E>(
        &self,
        db: E,
        unit: Option<i64>,
    ) -> Result<Vec<(i64, StaffChoice)>, AppError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        let scope = if unit.is_some() {
            "AND r.unit_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT DISTINCT u.id, u.username, u.display_name FROM app_user u \
             JOIN staff_role r ON r.user_id = u.id \
             WHERE u.disabled = 0 AND u.username IS NOT NULL {scope} \
             ORDER BY u.display_name, u.username"
        );
        let mut query = sqlx::query_as::<_, (i64, String, String)>(&sql);
        if let Some(unit) = unit {
            query = query.bind(unit);
        }
        Ok(query
            .fetch_all(db)
            .await
            .or_internal("listing staff to credit")?
            .into_iter()
            .map(|(id, username, display_name)| {
                (
                    id,
                    StaffChoice {
                        username,
                        display_name,
                    },
                )
            })
            .collect())
    }

    /// May `who` answer an item of unit `unit` (`None`: the 1888 desk)?
    fn answers(who: &StaffViewer, unit: Option<i64>) -> bool {
        who.has_any(&DESK) || unit.is_some_and(|u| who.unit_ids().contains(&u))
    }
}

#[async_trait::async_trait]
impl FeedbackDesk for FeedbackService {
    async fn file(
        &self,
        input: &FeedbackInput,
        citizen: Option<i64>,
        form_key: Option<&str>,
    ) -> Result<TrackingCode, AppError> {
        if let Some(code) = match form_key {
            Some(key) => self.by_key(key).await?,
            None => None,
        } {
            return Ok(code);
        }
        let unit: Option<i64> = match &input.unit {
            Some(code) => Some(
                sqlx::query_scalar("SELECT id FROM unit WHERE code = $1")
                    .bind(code)
                    .fetch_optional(self.store.pool())
                    .await
                    .or_internal("finding a unit")?
                    .ok_or(Invalid::UnitUnknown)?,
            ),
            None => None,
        };
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let code = super::unused_code(&mut w.tx).await?;
        // The form key's unique index decides between two posts at once:
        // the second inserts nothing and answers the first's code.
        let inserted = sqlx::query(
            "INSERT INTO feedback (tracking_code, kind, unit_id, employee, body, citizen_id, \
             form_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (form_key) DO NOTHING",
        )
        .bind(code.as_str())
        .bind(input.kind.as_str())
        .bind(unit)
        .bind(input.employee.as_deref())
        .bind(&input.body)
        .bind(citizen)
        .bind(form_key)
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("filing feedback")?
        .rows_affected();
        if inserted == 0 {
            // Commit nothing, but wait until the first post's writes are
            // durable (on SQLite it may share our group commit).
            w.commit()
                .await
                .or_internal("waiting for a concurrent post")?;
            let key = form_key.ok_or(AppError::Internal)?;
            return self.by_key(key).await?.ok_or(AppError::Internal);
        }
        if let (FeedbackKind::Thanks, Some(unit)) = (input.kind, unit) {
            stats::count_thanks(&mut w.tx, unit, now).await?;
        }
        w.commit().await.or_internal("filing feedback")?;
        tracing::info!(tracking_code = %code, kind = input.kind.as_str(), "1888 feedback filed");
        Ok(code)
    }

    async fn view(&self, code: &TrackingCode) -> Result<FeedbackView, AppError> {
        let row: Row = sqlx::query_as(&format!("{SELECT} WHERE f.tracking_code = $1"))
            .bind(code.as_str())
            .fetch_optional(self.store.pool())
            .await
            .or_internal("reading feedback")?
            .ok_or(AppError::NotFound)?;
        row.view()
    }

    async fn queue(&self, who: &StaffViewer) -> Result<Vec<FeedbackView>, AppError> {
        active(who)?;
        let units = who.unit_ids();
        let desk = who.has_any(&DESK);
        if !desk && units.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut scope = Vec::new();
        if desk {
            scope.push("f.unit_id IS NULL".to_owned());
        }
        if !units.is_empty() {
            let list: Vec<String> = units.iter().map(i64::to_string).collect();
            scope.push(format!("f.unit_id IN ({})", list.join(", ")));
        }
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE f.answered_at IS NULL AND ({}) ORDER BY f.created_at, f.id LIMIT 200",
            scope.join(" OR ")
        ))
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing feedback")?;
        // A thanks lists whom its answer may credit (once per unit).
        let mut choices: BTreeMap<Option<i64>, Vec<StaffChoice>> = BTreeMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let unit = row.unit_id;
            let mut view = row.view()?;
            if view.kind == FeedbackKind::Thanks {
                let list = match choices.entry(unit) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(slot) => {
                        let list = self.credit_choices(self.store.pool(), unit).await?;
                        slot.insert(list.into_iter().map(|(_, c)| c).collect())
                    }
                };
                view.credit_choices = list.clone();
            }
            out.push(view);
        }
        Ok(out)
    }

    async fn answer(
        &self,
        who: &StaffViewer,
        code: &TrackingCode,
        form: &FeedbackAnswerForm,
        client: &str,
    ) -> Result<(), AppError> {
        active(who)?;
        let mut w = self.store.write().await?;
        type Item = (
            i64,
            Option<i64>,
            String,
            i64,
            Option<String>,
            Option<String>,
        );
        let row: Option<Item> = sqlx::query_as(
            "SELECT f.id, f.unit_id, f.kind, f.created_at, u.phone, u.lang FROM feedback f \
             LEFT JOIN app_user u ON u.id = f.citizen_id AND u.disabled = 0 \
             WHERE f.tracking_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("reading feedback")?;
        let (id, unit, kind, filed_at, phone, lang) = row.ok_or(AppError::NotFound)?;
        if !Self::answers(who, unit) {
            return Err(AppError::Forbidden);
        }
        let input = form.parse()?;
        let credited = match &input.credit {
            None => None,
            Some(_) if kind != FeedbackKind::Thanks.as_str() => {
                return Err(Invalid::CreditNotThanks.into())
            }
            Some(username) => Some(
                self.credit_choices(&mut *w.tx, unit)
                    .await?
                    .into_iter()
                    .find(|(_, choice)| choice.username == *username)
                    .ok_or(Invalid::CreditUnknown)?
                    .0,
            ),
        };
        let answer = input.answer.as_str();
        let now = self.store.now();
        // Once: of two answers at once, the second finds it answered (and
        // credits nobody twice).
        let changed = sqlx::query(
            "UPDATE feedback SET answer = $1, answered_by = $2, answered_at = $3, \
             credited_to = $4 WHERE id = $5 AND answered_at IS NULL",
        )
        .bind(answer)
        .bind(who.user_id)
        .bind(now)
        .bind(credited)
        .bind(id)
        .execute(&mut *w.tx)
        .await
        .or_internal("answering feedback")?
        .rows_affected();
        if changed == 0 {
            return Err(Conflict::FeedbackAnswered.into());
        }
        if let Some(user) = credited {
            stats::count_credit(&mut w.tx, user, filed_at).await?;
        }
        if let Some(phone) = phone {
            let lang = lang.as_deref().and_then(Lang::parse).unwrap_or_default();
            let body = Msg::SmsFeedbackAnswered
                .text(lang)
                .replace("{code}", code.as_str())
                .replace("{answer}", &sms_excerpt(answer));
            notify::enqueue(
                &mut w.tx,
                now,
                &[Message {
                    phone,
                    body,
                    complaint_id: None,
                }],
            )
            .await?;
        }
        audit::record(
            &mut w.tx,
            now,
            Audit::by(who, "feedback:answer", client)
                .target(code.as_str())
                .detail(input.credit.as_deref().unwrap_or_default()),
        )
        .await?;
        w.commit().await.or_internal("answering feedback")
    }
}
