//! The admin's configuration: categories, their extra questions and the
//! routing table. Everything is read from the database on each request, so
//! a change takes effect at once on every server process; each change is
//! one transaction with its audit line.

use super::audit::{self, Audit};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{
    api::{
        settings::{
            CategoryAdmin, CategoryForm, DistrictShape, QuestionForm, Route, RoutingForm, Settings,
            UnitLine, UnitsForm, WorkWeekForm,
        },
        staff::StaffViewer,
    },
    error::{AppError, Conflict, Invalid},
    model::{
        complaint::Named,
        question::{Answer, Question, QuestionKind, MAX_QUESTIONS},
        Role,
    },
};
use std::collections::{BTreeMap, HashMap};

pub struct SettingsService {
    store: Store,
    calendars: super::calendar::Calendars,
    districts: super::districts::Districts,
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    category_id: i64,
    kind: String,
    label_fa: String,
    label_en: String,
    choices: String,
    required: i64,
}

impl QuestionRow {
    fn question(self) -> Question {
        Question {
            id: self.id,
            kind: QuestionKind::parse(&self.kind).unwrap_or(QuestionKind::Text),
            label: Named {
                fa: self.label_fa,
                en: self.label_en,
            },
            // Written by `add_question` from checked choices.
            choices: serde_json::from_str(&self.choices).unwrap_or_default(),
            required: self.required != 0,
        }
    }
}

/// The active questions, by category id, in order: of one category, or of
/// all (`None`).
pub(crate) async fn questions<'e, E>(
    db: E,
    category_id: Option<i64>,
) -> Result<BTreeMap<i64, Vec<Question>>, AppError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<QuestionRow> = sqlx::query_as(
        "SELECT id, category_id, kind, label_fa, label_en, choices, required \
         FROM category_question WHERE active = 1 AND ($1 = 0 OR category_id = $1) \
         ORDER BY category_id, position, id",
    )
    .bind(category_id.unwrap_or(0))
    .fetch_all(db)
    .await
    .or_internal("reading category questions")?;
    let mut out: BTreeMap<i64, Vec<Question>> = BTreeMap::new();
    for row in rows {
        out.entry(row.category_id).or_default().push(row.question());
    }
    Ok(out)
}

/// Stores a filing's answers, in its transaction.
pub(crate) async fn insert_answers(
    tx: &mut sqlx::AnyConnection,
    complaint_id: i64,
    answers: &[Answer],
) -> Result<(), AppError> {
    for a in answers {
        sqlx::query(
            "INSERT INTO complaint_answer (complaint_id, question_id, label_fa, label_en, \
             value_fa, value_en) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(complaint_id)
        .bind(a.question_id)
        .bind(&a.label.fa)
        .bind(&a.label.en)
        .bind(&a.value.fa)
        .bind(&a.value.en)
        .execute(&mut *tx)
        .await
        .or_internal("storing answers")?;
    }
    Ok(())
}

/// A complaint's answers, in the order of its category's questions.
pub(crate) async fn answers_of(store: &Store, complaint_id: i64) -> Result<Vec<Answer>, AppError> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT a.question_id, a.label_fa, a.label_en, a.value_fa, a.value_en \
         FROM complaint_answer a JOIN category_question q ON q.id = a.question_id \
         WHERE a.complaint_id = $1 ORDER BY q.position, q.id",
    )
    .bind(complaint_id)
    .fetch_all(store.pool())
    .await
    .or_internal("reading answers")?;
    Ok(rows
        .into_iter()
        .map(
            |(question_id, label_fa, label_en, value_fa, value_en)| Answer {
                question_id,
                label: Named {
                    fa: label_fa,
                    en: label_en,
                },
                value: Named {
                    fa: value_fa,
                    en: value_en,
                },
            },
        )
        .collect())
}

/// Routes category `category_id` in every district that has no line for it
/// yet: to the district's own unit of `kind` (its emergency unit), else to
/// the city-wide unit of that kind (an organisation), else to the district's
/// office. The seed and a new category both route this way.
pub(crate) async fn route_by_kind(
    tx: &mut sqlx::AnyConnection,
    category_id: i64,
    kind: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO routing_rule (category_id, district_id, unit_id) \
         SELECT $1, picked.district_id, picked.unit_id FROM ( \
           SELECT d.id AS district_id, COALESCE( \
             (SELECT MIN(u.id) FROM unit u WHERE u.kind = $2 AND u.district_id = d.id), \
             (SELECT MIN(u.id) FROM unit u WHERE u.kind = $2 AND u.district_id IS NULL), \
             (SELECT MIN(u.id) FROM unit u WHERE u.kind = 'district' AND u.district_id = d.id) \
           ) AS unit_id FROM district d \
         ) picked WHERE picked.unit_id IS NOT NULL \
         ON CONFLICT (category_id, district_id) DO NOTHING",
    )
    .bind(category_id)
    .bind(kind)
    .execute(&mut *tx)
    .await
    .or_internal("routing a category")?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    code: String,
    icon: String,
    group_fa: String,
    group_en: String,
    name_fa: String,
    name_en: String,
    urgent: i64,
    first_response_hours: i64,
    resolution_hours: i64,
    nearby_radius_m: i64,
    unit_kind: String,
    active: i64,
    routed: i64,
}

const CATEGORY_SQL: &str = "SELECT c.id, c.code, c.icon, c.group_fa, c.group_en, c.name_fa, \
     c.name_en, c.urgent, c.first_response_hours, c.resolution_hours, c.nearby_radius_m, \
     c.unit_kind, c.active, \
     (SELECT COUNT(*) FROM routing_rule r WHERE r.category_id = c.id) AS routed \
     FROM category c";

impl SettingsService {
    pub fn new(
        store: Store,
        calendars: super::calendar::Calendars,
        districts: super::districts::Districts,
    ) -> Self {
        Self {
            store,
            calendars,
            districts,
        }
    }

    async fn read_categories(&self, code: Option<&str>) -> Result<Vec<CategoryAdmin>, AppError> {
        let rows: Vec<CategoryRow> = match code {
            Some(code) => {
                sqlx::query_as(&format!("{CATEGORY_SQL} WHERE c.code = $1"))
                    .bind(code)
                    .fetch_all(self.store.pool())
                    .await
            }
            None => {
                sqlx::query_as(&format!("{CATEGORY_SQL} ORDER BY c.sort_order, c.id"))
                    .fetch_all(self.store.pool())
                    .await
            }
        }
        .or_internal("reading categories")?;
        let single = match rows.as_slice() {
            [one] => Some(one.id),
            _ => None,
        };
        let mut questions = questions(self.store.pool(), single).await?;
        Ok(rows
            .into_iter()
            .map(|r| CategoryAdmin {
                questions: questions.remove(&r.id).unwrap_or_default(),
                code: r.code,
                icon: r.icon,
                name: Named {
                    fa: r.name_fa,
                    en: r.name_en,
                },
                group: Named {
                    fa: r.group_fa,
                    en: r.group_en,
                },
                urgent: r.urgent != 0,
                first_response_hours: r.first_response_hours,
                resolution_hours: r.resolution_hours,
                nearby_radius_m: r.nearby_radius_m,
                unit_kind: r.unit_kind,
                active: r.active != 0,
                routed_districts: r.routed,
            })
            .collect())
    }

    /// The category `code`'s id, locked until the transaction ends (SQLite's
    /// writer lock does the same), or `NotFound`.
    async fn lock_category(
        &self,
        tx: &mut sqlx::AnyConnection,
        code: &str,
    ) -> Result<i64, AppError> {
        let sql = match self.store.backend() {
            crate::store::Backend::Postgres => "SELECT id FROM category WHERE code = $1 FOR UPDATE",
            crate::store::Backend::Sqlite => "SELECT id FROM category WHERE code = $1",
        };
        sqlx::query_scalar(sql)
            .bind(code)
            .fetch_optional(&mut *tx)
            .await
            .or_internal("reading a category")?
            .ok_or(AppError::NotFound)
    }
}

#[async_trait::async_trait]
impl Settings for SettingsService {
    async fn categories(&self, who: &StaffViewer) -> Result<Vec<CategoryAdmin>, AppError> {
        require(who, &[Role::Admin])?;
        self.read_categories(None).await
    }

    async fn category(
        &self,
        who: &StaffViewer,
        code: &str,
    ) -> Result<Option<CategoryAdmin>, AppError> {
        require(who, &[Role::Admin])?;
        Ok(self.read_categories(Some(code)).await?.into_iter().next())
    }

    async fn unit_kinds(&self, who: &StaffViewer) -> Result<Vec<String>, AppError> {
        require(who, &[Role::Admin])?;
        sqlx::query_scalar("SELECT DISTINCT kind FROM unit ORDER BY kind")
            .fetch_all(self.store.pool())
            .await
            .or_internal("reading unit kinds")
    }

    async fn routing(&self, who: &StaffViewer) -> Result<Vec<Route>, AppError> {
        require(who, &[Role::Admin])?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.code, d.code, u.code FROM routing_rule r \
             JOIN category c ON c.id = r.category_id JOIN district d ON d.id = r.district_id \
             JOIN unit u ON u.id = r.unit_id ORDER BY c.sort_order, c.id, d.code",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("reading the routing table")?;
        Ok(rows
            .into_iter()
            .map(|(category, district, unit)| Route {
                category,
                district,
                unit,
            })
            .collect())
    }

    async fn units(&self, who: &StaffViewer) -> Result<Vec<UnitLine>, AppError> {
        require(who, &[Role::Admin])?;
        let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT u.code, u.kind, u.name_fa, u.name_en, d.code FROM unit u \
             LEFT JOIN district d ON d.id = u.district_id ORDER BY u.id",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("reading units")?;
        Ok(rows
            .into_iter()
            .map(|(code, kind, fa, en, district)| UnitLine {
                code,
                kind,
                name: Named { fa, en },
                district,
            })
            .collect())
    }

    async fn save_units(
        &self,
        who: &StaffViewer,
        form: &UnitsForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let units = form.parse()?;
        let districts: HashMap<String, i64> = sqlx::query_as("SELECT code, id FROM district")
            .fetch_all(self.store.pool())
            .await
            .or_internal("reading districts")?
            .into_iter()
            .collect();
        let mut rows = Vec::with_capacity(units.len());
        for u in &units {
            let district = match &u.district {
                Some(code) => Some(*districts.get(code).ok_or(Invalid::UnitsDistrict)?),
                None => None,
            };
            rows.push((u, district));
        }
        let mut w = self.store.write().await?;
        for (u, district) in rows {
            sqlx::query(
                "INSERT INTO unit (code, kind, name_fa, name_en, district_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET kind = $2, \
                 name_fa = $3, name_en = $4, district_id = $5",
            )
            .bind(&u.code)
            .bind(&u.kind)
            .bind(&u.name.fa)
            .bind(&u.name.en)
            .bind(district)
            .execute(&mut *w.tx)
            .await
            .or_internal("saving units")?;
        }
        let detail = format!("{} lines", units.len());
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "units:save", client).detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("saving units")
    }

    async fn districts(&self, who: &StaffViewer) -> Result<Vec<DistrictShape>, AppError> {
        require(who, &[Role::Admin])?;
        Ok(self
            .districts
            .all()
            .iter()
            .map(|d| DistrictShape {
                code: d.code.clone(),
                name: d.name.clone(),
                rings: d.polygon.0.clone(),
            })
            .collect())
    }

    async fn work_week(&self, who: &StaffViewer) -> Result<WorkWeekForm, AppError> {
        require(who, &[Role::Admin])?;
        Ok(WorkWeekForm::of(&self.calendars.current()))
    }

    async fn save_category(
        &self,
        who: &StaffViewer,
        existing: Option<&str>,
        form: &CategoryForm,
        client: &str,
    ) -> Result<String, AppError> {
        require(who, &[Role::Admin])?;
        let mut form = form.clone();
        if let Some(code) = existing {
            form.code = code.to_owned();
        }
        let spec = form.parse()?;
        let mut w = self.store.write().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM unit WHERE kind = $1 LIMIT 1")
            .bind(&spec.unit_kind)
            .fetch_optional(&mut *w.tx)
            .await
            .or_internal("checking a unit kind")?;
        if known.is_none() {
            return Err(Invalid::UnitKindUnknown.into());
        }
        let action = match existing {
            Some(code) => {
                let id = self.lock_category(&mut w.tx, code).await?;
                sqlx::query(
                    "UPDATE category SET icon = $1, group_fa = $2, group_en = $3, name_fa = $4, \
                     name_en = $5, urgent = $6, first_response_hours = $7, resolution_hours = $8, \
                     nearby_radius_m = $9, unit_kind = $10, active = $11 WHERE id = $12",
                )
                .bind(&spec.icon)
                .bind(&spec.group.fa)
                .bind(&spec.group.en)
                .bind(&spec.name.fa)
                .bind(&spec.name.en)
                .bind(i64::from(spec.urgent))
                .bind(spec.first_response_hours)
                .bind(spec.resolution_hours)
                .bind(spec.nearby_radius_m)
                .bind(&spec.unit_kind)
                .bind(i64::from(spec.active))
                .bind(id)
                .execute(&mut *w.tx)
                .await
                .or_internal("changing a category")?;
                "category:update"
            }
            None => {
                // Two admins adding the same code at once: the second
                // inserts nothing and is told the code is taken.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO category (code, icon, group_fa, group_en, name_fa, name_en, \
                     urgent, first_response_hours, resolution_hours, nearby_radius_m, unit_kind, \
                     active, sort_order) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                     (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM category)) \
                     ON CONFLICT (code) DO NOTHING RETURNING id",
                )
                .bind(&spec.code)
                .bind(&spec.icon)
                .bind(&spec.group.fa)
                .bind(&spec.group.en)
                .bind(&spec.name.fa)
                .bind(&spec.name.en)
                .bind(i64::from(spec.urgent))
                .bind(spec.first_response_hours)
                .bind(spec.resolution_hours)
                .bind(spec.nearby_radius_m)
                .bind(&spec.unit_kind)
                .bind(i64::from(spec.active))
                .fetch_optional(&mut *w.tx)
                .await
                .or_internal("adding a category")?;
                let id = id.ok_or(Conflict::CategoryTaken)?;
                route_by_kind(&mut w.tx, id, &spec.unit_kind).await?;
                "category:create"
            }
        };
        let detail = format!(
            "{} / {} h / {} h{}{}",
            spec.name.fa,
            spec.first_response_hours,
            spec.resolution_hours,
            if spec.urgent { " / urgent" } else { "" },
            if spec.active { "" } else { " / inactive" },
        );
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, action, client)
                .target(&spec.code)
                .detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("saving a category")?;
        Ok(spec.code)
    }

    async fn add_question(
        &self,
        who: &StaffViewer,
        category: &str,
        form: &QuestionForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let spec = form.parse()?;
        let mut w = self.store.write().await?;
        // Locked, so two additions at once count each other.
        let category_id = self.lock_category(&mut w.tx, category).await?;
        let (count, last): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM category_question \
             WHERE category_id = $1 AND active = 1",
        )
        .bind(category_id)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("counting questions")?;
        if count >= MAX_QUESTIONS as i64 {
            return Err(Invalid::QuestionsTooMany.into());
        }
        let choices = serde_json::to_string(&spec.choices).or_internal("writing choices")?;
        sqlx::query(
            "INSERT INTO category_question (category_id, position, kind, label_fa, label_en, \
             choices, required) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(category_id)
        .bind(last + 1)
        .bind(spec.kind.as_str())
        .bind(&spec.label.fa)
        .bind(&spec.label.en)
        .bind(choices)
        .bind(i64::from(spec.required))
        .execute(&mut *w.tx)
        .await
        .or_internal("adding a question")?;
        let detail = format!("{}: {}", spec.kind.as_str(), spec.label.fa);
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "question:add", client)
                .target(category)
                .detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("adding a question")?;
        Ok(())
    }

    async fn remove_question(
        &self,
        who: &StaffViewer,
        category: &str,
        question_id: i64,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let mut w = self.store.write().await?;
        let category_id = self.lock_category(&mut w.tx, category).await?;
        let removed = sqlx::query(
            "UPDATE category_question SET active = 0 \
             WHERE id = $1 AND category_id = $2 AND active = 1",
        )
        .bind(question_id)
        .bind(category_id)
        .execute(&mut *w.tx)
        .await
        .or_internal("removing a question")?
        .rows_affected();
        if removed == 0 {
            return Err(AppError::NotFound);
        }
        let detail = question_id.to_string();
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "question:remove", client)
                .target(category)
                .detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("removing a question")?;
        Ok(())
    }

    async fn replace_routing(
        &self,
        who: &StaffViewer,
        form: &RoutingForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let routes = form.parse()?;
        let ids = |table: &'static str| async move {
            let rows: Vec<(String, i64)> = sqlx::query_as(&format!("SELECT code, id FROM {table}"))
                .fetch_all(self.store.pool())
                .await
                .or_internal("reading codes")?;
            Ok::<HashMap<String, i64>, AppError>(rows.into_iter().collect())
        };
        let (categories, districts, units) = (
            ids("category").await?,
            ids("district").await?,
            ids("unit").await?,
        );
        let mut rows = Vec::with_capacity(routes.len());
        for r in &routes {
            match (
                categories.get(&r.category),
                districts.get(&r.district),
                units.get(&r.unit),
            ) {
                (Some(c), Some(d), Some(u)) => rows.push((*c, *d, *u)),
                _ => return Err(Invalid::RoutingUnknown.into()),
            }
        }
        let mut w = self.store.write().await?;
        if self.store.backend() == crate::store::Backend::Postgres {
            // As with holidays: a second replacement waits for the first.
            sqlx::query("LOCK TABLE routing_rule IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *w.tx)
                .await
                .or_internal("locking the routing table")?;
        }
        sqlx::query("DELETE FROM routing_rule")
            .execute(&mut *w.tx)
            .await
            .or_internal("replacing the routing table")?;
        for (c, d, u) in rows {
            sqlx::query(
                "INSERT INTO routing_rule (category_id, district_id, unit_id) VALUES ($1, $2, $3)",
            )
            .bind(c)
            .bind(d)
            .bind(u)
            .execute(&mut *w.tx)
            .await
            .or_internal("replacing the routing table")?;
        }
        let detail = format!("{} lines", routes.len());
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "routing:replace", client).detail(&detail),
        )
        .await?;
        w.commit()
            .await
            .or_internal("replacing the routing table")?;
        Ok(())
    }
}
