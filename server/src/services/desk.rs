//! The back office's reads ([`StaffDesk`]): cartables, the dispatch and
//! verification queues, one complaint in full, the audit log, reference
//! lists. Each checks the caller's roles and unit scope itself.

use super::query::{names, Arg, Filter};
use super::{record_event, Actor, Event, EventKind};
use crate::{
    auth::staff::{active, grants, require},
    error::{internal, OrInternal},
    store::Store,
};
use app::{
    api::staff::{
        AuditEntry, AuditFilter, CallerComplaint, CartableFilter, CartableItem, CartablePage, Desk,
        DistrictOption, Member, PlaceOption, ReportCard, ReportRange, StaffComplaint, StaffDesk,
        StaffEvent, StaffPhoto, StaffUser, StaffViewer, StatusCount, UnitOption, CARTABLE_PAGE,
    },
    error::{AppError, Invalid},
    i18n::jalali::JalaliDate,
    model::{complaint::Named, GeoPoint, PhoneNumber, Role, StaffAction, Status, TrackingCode},
};

fn stored_status(name: &str) -> Result<Status, AppError> {
    Status::parse(name).ok_or_else(|| internal("unknown status in database", name))
}

fn named(fa: Option<String>, en: Option<String>) -> Option<Named> {
    match (fa, en) {
        (Some(fa), Some(en)) => Some(Named { fa, en }),
        _ => None,
    }
}

fn code(raw: &str) -> Result<TrackingCode, AppError> {
    TrackingCode::parse(raw).map_err(|_| internal("stored tracking code", raw))
}

/// The columns every list reads.
const LIST_SELECT: &str =
    "SELECT c.tracking_code, c.status, c.created_at, c.sla_due_at, c.address, \
     c.description, c.support_count, cat.name_fa AS cat_fa, cat.name_en AS cat_en, cat.urgent, \
     d.name_fa AS d_fa, d.name_en AS d_en, u.name_fa AS u_fa, u.name_en AS u_en, \
     a.display_name AS assignee, c.seen_at, c.response_due_at, \
     COALESCE((SELECT MAX(e.level) FROM escalation e \
       WHERE e.complaint_id = c.id AND e.unit_id = c.unit_id), 0) AS escalation, \
     (SELECT COUNT(*) FROM inspection_finding f WHERE f.complaint_id = c.id \
       AND f.closed_at IS NULL AND f.answered_at IS NULL) AS findings_awaiting \
     FROM complaint c JOIN category cat ON cat.id = c.category_id \
     LEFT JOIN district d ON d.id = c.district_id LEFT JOIN unit u ON u.id = c.unit_id \
     LEFT JOIN app_user a ON a.id = c.assigned_to";

#[derive(sqlx::FromRow)]
struct ListRow {
    tracking_code: String,
    status: String,
    created_at: i64,
    sla_due_at: Option<i64>,
    address: Option<String>,
    description: String,
    support_count: i64,
    cat_fa: String,
    cat_en: String,
    urgent: i64,
    d_fa: Option<String>,
    d_en: Option<String>,
    u_fa: Option<String>,
    u_en: Option<String>,
    assignee: Option<String>,
    seen_at: Option<i64>,
    response_due_at: Option<i64>,
    escalation: i64,
    findings_awaiting: i64,
}

#[derive(sqlx::FromRow)]
struct FullRow {
    id: i64,
    tracking_code: String,
    status: String,
    description: String,
    address: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    accuracy_m: Option<f64>,
    channel: String,
    created_at: i64,
    sla_due_at: Option<i64>,
    support_count: i64,
    unit_id: Option<i64>,
    assigned_to: Option<i64>,
    cat_code: String,
    cat_fa: String,
    cat_en: String,
    d_fa: Option<String>,
    d_en: Option<String>,
    u_code: Option<String>,
    u_fa: Option<String>,
    u_en: Option<String>,
    assignee: Option<String>,
    citizen_phone: Option<String>,
    original_code: Option<String>,
    stars: Option<i64>,
    seen_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: i64,
    kind: String,
    from_status: Option<String>,
    to_status: Option<String>,
    actor_role: String,
    note: Option<String>,
    public: i64,
    actor: Option<String>,
    u_fa: Option<String>,
    u_en: Option<String>,
    linked: Option<String>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    disabled: i64,
    must_change_password: i64,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    target: Option<String>,
    detail: Option<String>,
    client_addr: Option<String>,
}

/// Implements [`StaffDesk`] over the store.
#[derive(Clone)]
pub struct DeskService {
    store: Store,
    calendars: super::calendar::Calendars,
}

impl DeskService {
    /// The first time a member of the unit holding complaint `id` opens
    /// it after its referral: noted on the complaint and as an internal
    /// timeline event, once (the conditional update decides between two
    /// members opening it at once).
    async fn mark_seen(
        &self,
        who: &StaffViewer,
        id: i64,
        unit_id: Option<i64>,
    ) -> Result<(), AppError> {
        let Some(unit) = unit_id else {
            return Ok(());
        };
        let role = [Role::UnitManager, Role::UnitStaff].into_iter().find(|r| {
            who.grants
                .iter()
                .any(|g| g.role == *r && g.unit_id == Some(unit))
        });
        let Some(role) = role else {
            return Ok(());
        };
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let first = sqlx::query(
            "UPDATE complaint SET seen_at = $1, seen_by = $2 \
             WHERE id = $3 AND unit_id = $4 AND status = 'referred' AND seen_at IS NULL",
        )
        .bind(now)
        .bind(who.user_id)
        .bind(id)
        .bind(unit)
        .execute(&mut *w.tx)
        .await
        .or_internal("noting who saw a complaint")?
        .rows_affected();
        if first == 1 {
            let seen = Event {
                kind: EventKind::Seen,
                unit_id: Some(unit),
                public: false,
                ..Event::by(Actor::Staff {
                    user_id: who.user_id,
                    role,
                })
            };
            record_event(&mut w.tx, id, now, seen).await?;
        }
        w.commit().await.or_internal("noting who saw a complaint")
    }

    pub fn new(store: Store, calendars: super::calendar::Calendars) -> Self {
        Self { store, calendars }
    }

    /// Restricts `f` to what `who` may read: every unit for the city-wide
    /// desks, else their units' complaints.
    fn scope(who: &StaffViewer, f: &mut Filter) {
        if who.sees_all_units() {
            return;
        }
        let units = who.unit_ids();
        if units.is_empty() {
            f.and("1 = 0", []);
        } else {
            let list = units
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            // Our own integers, never input.
            f.and(&format!("c.unit_id IN ({list})"), []);
        }
    }

    /// One page of `filter` in `order`, with counts per status over `scope`.
    async fn page(
        &self,
        filter: &Filter,
        scope: &Filter,
        order: &str,
        page: i64,
    ) -> Result<CartablePage, AppError> {
        let now = self.store.now();
        let offset = (page.max(1) - 1) * CARTABLE_PAGE;
        let sql = format!(
            "{LIST_SELECT}{} ORDER BY {order} LIMIT {CARTABLE_PAGE} OFFSET {offset}",
            filter.sql()
        );
        let rows: Vec<ListRow> = filter
            .bind(sqlx::query_as(&sql))
            .fetch_all(self.store.pool())
            .await
            .or_internal("listing a cartable")?;
        let count_sql = format!("SELECT COUNT(*) FROM complaint c{}", filter.sql());
        let (total,): (i64,) = filter
            .bind(sqlx::query_as(&count_sql))
            .fetch_one(self.store.pool())
            .await
            .or_internal("counting a cartable")?;
        let counts_sql = format!(
            "SELECT c.status, COUNT(*) FROM complaint c{} GROUP BY c.status",
            scope.sql()
        );
        let by_status: Vec<(String, i64)> = scope
            .bind(sqlx::query_as(&counts_sql))
            .fetch_all(self.store.pool())
            .await
            .or_internal("counting by status")?;
        let mut counts = Vec::new();
        for st in Status::ALL {
            if let Some((_, n)) = by_status.iter().find(|(s, _)| s == st.as_str()) {
                counts.push(StatusCount {
                    status: st,
                    count: *n,
                });
            }
        }
        let items = rows
            .into_iter()
            .map(|r| {
                let status = stored_status(&r.status)?;
                Ok(CartableItem {
                    tracking_code: code(&r.tracking_code)?,
                    category: Named {
                        fa: r.cat_fa,
                        en: r.cat_en,
                    },
                    district: named(r.d_fa, r.d_en),
                    unit: named(r.u_fa, r.u_en),
                    overdue: status.is_open() && r.sla_due_at.is_some_and(|d| d < now),
                    status,
                    created_at: r.created_at,
                    sla_due_at: r.sla_due_at,
                    assignee: r.assignee,
                    address: r.address,
                    excerpt: r.description.chars().take(140).collect(),
                    support_count: r.support_count,
                    urgent: r.urgent != 0,
                    escalation: r.escalation,
                    finding_awaits_answer: r.findings_awaiting > 0,
                    seen_not_acted: status == Status::Referred
                        && r.seen_at.is_some()
                        && r.response_due_at.is_some_and(|d| d < now),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(CartablePage {
            items,
            counts,
            total,
            page: page.max(1),
            pages: ((total + CARTABLE_PAGE - 1) / CARTABLE_PAGE).max(1),
        })
    }

    /// Adds the filters that are not the status to `f`.
    fn narrow(who: &StaffViewer, filter: &CartableFilter, f: &mut Filter) {
        if let Some(category) = &filter.category {
            f.and(
                "c.category_id = (SELECT id FROM category WHERE code = ?)",
                [Arg::Text(category.clone())],
            );
        }
        if let Some(district) = &filter.district {
            f.and(
                "c.district_id = (SELECT id FROM district WHERE code = ?)",
                [Arg::Text(district.clone())],
            );
        }
        if let Some(from) = filter.from {
            f.and("c.created_at >= ?", [Arg::Int(from)]);
        }
        if let Some(to) = filter.to {
            f.and("c.created_at < ?", [Arg::Int(to)]);
        }
        if filter.mine {
            f.and("c.assigned_to = ?", [Arg::Int(who.user_id)]);
        }
    }
}

/// Urgent first, then the earliest deadline (the most overdue), then the
/// oldest.
const MOST_OVERDUE_FIRST: &str =
    "cat.urgent DESC, CASE WHEN c.sla_due_at IS NULL THEN 1 ELSE 0 END, c.sla_due_at, c.id";

#[async_trait::async_trait]
impl StaffDesk for DeskService {
    async fn cartable(
        &self,
        who: &StaffViewer,
        filter: &CartableFilter,
    ) -> Result<CartablePage, AppError> {
        require(who, Desk::Cartable.roles())?;
        let mut scope = Filter::default();
        Self::scope(who, &mut scope);
        Self::narrow(who, filter, &mut scope);
        let mut f = scope.clone();
        match filter.status {
            Some(st) => {
                f.and("c.status = ?", [Arg::Text(st.as_str().to_owned())]);
            }
            // The inbox: what is still open.
            None => {
                let open = names(Status::open_statuses().map(Status::as_str));
                f.and(&format!("c.status IN ({open})"), []);
            }
        }
        self.page(&f, &scope, MOST_OVERDUE_FIRST, filter.page).await
    }

    async fn dispatch_queue(&self, who: &StaffViewer, page: i64) -> Result<CartablePage, AppError> {
        require(who, Desk::Dispatch.roles())?;
        let mut f = Filter::default();
        f.and("c.status IN ('submitted', 'returned')", []);
        self.page(&f, &f, "c.created_at, c.id", page).await
    }

    async fn verify_queue(&self, who: &StaffViewer, page: i64) -> Result<CartablePage, AppError> {
        require(who, Desk::Verify.roles())?;
        let mut f = Filter::default();
        f.and(
            "(c.status = 'resolved' OR (c.status = 'reopened' AND EXISTS \
             (SELECT 1 FROM objection ob WHERE ob.complaint_id = c.id)))",
            [],
        );
        self.page(&f, &f, "c.updated_at, c.id", page).await
    }

    async fn inspection_queue(
        &self,
        who: &StaffViewer,
        page: i64,
    ) -> Result<CartablePage, AppError> {
        require(who, Desk::Inspection.roles())?;
        let mut f = Filter::default();
        let open = names(Status::open_statuses().map(Status::as_str));
        // Escalated to inspection, or seen by the unit and left past its
        // first-response deadline (no grace for an item someone saw).
        f.and(
            &format!(
                "c.status IN ({open}) AND (EXISTS (SELECT 1 FROM escalation e \
                 WHERE e.complaint_id = c.id AND e.unit_id = c.unit_id AND e.level = 2) \
                 OR (c.status = 'referred' AND c.seen_at IS NOT NULL AND c.response_due_at < ?))"
            ),
            [Arg::Int(self.store.now())],
        );
        let order = "COALESCE((SELECT MIN(e.at) FROM escalation e \
             WHERE e.complaint_id = c.id AND e.unit_id = c.unit_id AND e.level = 2), \
             c.response_due_at), c.id";
        self.page(&f, &f, order, page).await
    }

    async fn complaint(
        &self,
        who: &StaffViewer,
        tracking_code: &TrackingCode,
    ) -> Result<StaffComplaint, AppError> {
        active(who)?;
        let row: FullRow = sqlx::query_as(
            "SELECT c.id, c.tracking_code, c.status, c.description, c.address, c.lat, c.lon, \
             c.accuracy_m, c.channel, c.created_at, c.sla_due_at, c.support_count, c.unit_id, \
             c.assigned_to, cat.code AS cat_code, cat.name_fa AS cat_fa, cat.name_en AS cat_en, \
             d.name_fa AS d_fa, d.name_en AS d_en, u.code AS u_code, u.name_fa AS u_fa, \
             u.name_en AS u_en, a.display_name AS assignee, cu.phone AS citizen_phone, \
             o.tracking_code AS original_code, r.stars, c.seen_at \
             FROM complaint c JOIN category cat ON cat.id = c.category_id \
             LEFT JOIN district d ON d.id = c.district_id LEFT JOIN unit u ON u.id = c.unit_id \
             LEFT JOIN app_user a ON a.id = c.assigned_to \
             LEFT JOIN app_user cu ON cu.id = c.citizen_id \
             LEFT JOIN complaint o ON o.id = c.duplicate_of \
             LEFT JOIN rating r ON r.complaint_id = c.id WHERE c.tracking_code = $1",
        )
        .bind(tracking_code.as_str())
        .fetch_optional(self.store.pool())
        .await
        .or_internal("loading a complaint")?
        .ok_or(AppError::NotFound)?;
        if !who.may_read(row.unit_id) {
            return Err(AppError::Forbidden);
        }
        let status = stored_status(&row.status)?;
        // Only an unseen item takes the write lock; later views just read.
        if status == Status::Referred && row.seen_at.is_none() {
            self.mark_seen(who, row.id, row.unit_id).await?;
        }
        let duplicates: Vec<String> = sqlx::query_scalar(
            "SELECT tracking_code FROM complaint WHERE duplicate_of = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing duplicates")?;
        let objection: Option<String> = sqlx::query_scalar(
            "SELECT reason FROM objection WHERE complaint_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(row.id)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("reading an objection")?;
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT e.at, e.kind, e.from_status, e.to_status, e.actor_role, e.note, e.public, \
             au.display_name AS actor, un.name_fa AS u_fa, un.name_en AS u_en, \
             l.tracking_code AS linked FROM complaint_event e \
             LEFT JOIN app_user au ON au.id = e.actor_user_id \
             LEFT JOIN unit un ON un.id = e.unit_id \
             LEFT JOIN complaint l ON l.id = e.linked_id \
             WHERE e.complaint_id = $1 ORDER BY e.id",
        )
        .bind(row.id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("reading a timeline")?;
        let timeline = events
            .into_iter()
            .map(|e| {
                Ok(StaffEvent {
                    at: e.at,
                    kind: e.kind,
                    from: e.from_status.as_deref().map(stored_status).transpose()?,
                    to: e.to_status.as_deref().map(stored_status).transpose()?,
                    actor: e.actor,
                    actor_role: e.actor_role,
                    unit: named(e.u_fa, e.u_en),
                    note: e.note,
                    public: e.public != 0,
                    linked: e.linked,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let photos: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT kind, object_key, thumb_key FROM photo WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing photos")?;
        let answers = super::settings::answers_of(&self.store, row.id).await?;
        // The open inspection finding, if any: (answered?).
        let open_finding: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT answered_at FROM inspection_finding \
             WHERE complaint_id = $1 AND closed_at IS NULL",
        )
        .bind(row.id)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("loading an inspection finding")?;
        let actions = StaffAction::available(&who.grants, status, row.unit_id)
            .into_iter()
            .filter(|a| match a {
                StaffAction::Finding => open_finding.is_none(),
                StaffAction::AnswerFinding => matches!(open_finding, Some(None)),
                StaffAction::CloseFinding => open_finding.is_some(),
                _ => true,
            })
            .collect::<Vec<_>>();
        let members = match (actions.contains(&StaffAction::Assign), row.unit_id) {
            (true, Some(unit)) => sqlx::query_as::<_, (i64, String)>(
                "SELECT DISTINCT u.id, u.display_name FROM staff_role r \
                 JOIN app_user u ON u.id = r.user_id WHERE r.unit_id = $1 AND u.disabled = 0 \
                 AND r.role IN ('unit_staff', 'unit_manager') ORDER BY u.display_name",
            )
            .bind(unit)
            .fetch_all(self.store.pool())
            .await
            .or_internal("listing a unit's people")?
            .into_iter()
            .map(|(user_id, display_name)| Member {
                user_id,
                display_name,
            })
            .collect(),
            _ => Vec::new(),
        };
        let now = self.store.now();
        Ok(StaffComplaint {
            tracking_code: code(&row.tracking_code)?,
            category_code: row.cat_code,
            category: Named {
                fa: row.cat_fa,
                en: row.cat_en,
            },
            description: row.description,
            address: row.address,
            point: row.lat.zip(row.lon).map(|(lat, lon)| GeoPoint { lat, lon }),
            accuracy_m: row.accuracy_m,
            channel: row.channel,
            overdue: status.is_open() && row.sla_due_at.is_some_and(|d| d < now),
            status,
            district: named(row.d_fa, row.d_en),
            unit: match (row.unit_id, row.u_code, named(row.u_fa, row.u_en)) {
                (Some(id), Some(code), Some(name)) => Some(UnitOption { id, code, name }),
                _ => None,
            },
            assignee: row
                .assigned_to
                .zip(row.assignee)
                .map(|(user_id, display_name)| Member {
                    user_id,
                    display_name,
                }),
            created_at: row.created_at,
            sla_due_at: row.sla_due_at,
            support_count: row.support_count,
            citizen_phone: row.citizen_phone.filter(|_| who.sees_phone()),
            duplicate_of: row.original_code,
            duplicates,
            rating: row.stars,
            objection,
            timeline,
            photos: photos
                .into_iter()
                .map(|(kind, key, thumb)| StaffPhoto {
                    url: format!("/media/{key}"),
                    thumb_url: format!("/media/{thumb}"),
                    kind,
                })
                .collect(),
            answers,
            actions,
            members,
        })
    }

    async fn holidays(&self, who: &StaffViewer) -> Result<Vec<app::api::staff::Holiday>, AppError> {
        require(who, &[Role::Admin])?;
        self.calendars.holidays().await
    }

    async fn units(&self) -> Result<Vec<UnitOption>, AppError> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, code, name_fa, name_en FROM unit ORDER BY id")
                .fetch_all(self.store.pool())
                .await
                .or_internal("listing units")?;
        Ok(rows
            .into_iter()
            .map(|(id, code, fa, en)| UnitOption {
                id,
                code,
                name: Named { fa, en },
            })
            .collect())
    }

    async fn districts(&self) -> Result<Vec<DistrictOption>, AppError> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, code, name_fa, name_en FROM district ORDER BY id")
                .fetch_all(self.store.pool())
                .await
                .or_internal("listing districts")?;
        Ok(rows
            .into_iter()
            .map(|(id, code, fa, en)| DistrictOption {
                id,
                code,
                name: Named { fa, en },
            })
            .collect())
    }

    async fn places(&self) -> Result<Vec<PlaceOption>, AppError> {
        let rows: Vec<(String, String, f64, f64)> =
            sqlx::query_as("SELECT name_fa, name_en, lat, lon FROM place ORDER BY name_fa")
                .fetch_all(self.store.pool())
                .await
                .or_internal("listing places")?;
        Ok(rows
            .into_iter()
            .map(|(fa, en, lat, lon)| PlaceOption {
                name: Named { fa, en },
                lat,
                lon,
            })
            .collect())
    }

    async fn caller_history(
        &self,
        who: &StaffViewer,
        phone: &str,
    ) -> Result<Vec<CallerComplaint>, AppError> {
        require(who, Desk::Intake.roles())?;
        let phone = PhoneNumber::parse(phone).map_err(|_| Invalid::PhoneFormat)?;
        let rows: Vec<(String, String, i64, String, String)> = sqlx::query_as(
            "SELECT c.tracking_code, c.status, c.created_at, cat.name_fa, cat.name_en \
             FROM complaint c JOIN app_user u ON u.id = c.citizen_id \
             JOIN category cat ON cat.id = c.category_id \
             WHERE u.phone = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 20",
        )
        .bind(phone.as_str())
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing a caller's complaints")?;
        rows.into_iter()
            .map(|(tracking_code, status, created_at, fa, en)| {
                Ok(CallerComplaint {
                    tracking_code,
                    category: Named { fa, en },
                    status: stored_status(&status)?,
                    created_at,
                })
            })
            .collect()
    }

    async fn audit(
        &self,
        who: &StaffViewer,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError> {
        require(who, Desk::Audit.roles())?;
        let mut f = Filter::default();
        if let Some(actor) = &filter.actor {
            f.and("actor = ?", [Arg::Text(actor.to_ascii_lowercase())]);
        }
        if let Some(action) = &filter.action {
            f.and("action = ?", [Arg::Text(action.clone())]);
        }
        if let Some(target) = &filter.target {
            f.and("target = ?", [Arg::Text(target.clone())]);
        }
        if let Some(from) = filter.from {
            f.and("at >= ?", [Arg::Int(from)]);
        }
        if let Some(to) = filter.to {
            f.and("at < ?", [Arg::Int(to)]);
        }
        let sql = format!(
            "SELECT id, at, actor, action, target, detail, client_addr FROM audit_log{} \
             ORDER BY id DESC LIMIT {}",
            f.sql(),
            filter.limit.clamp(1, 100_000)
        );
        let rows: Vec<AuditRow> = f
            .bind(sqlx::query_as(&sql))
            .fetch_all(self.store.pool())
            .await
            .or_internal("reading the audit log")?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: r.detail,
                client: r.client_addr,
            })
            .collect())
    }

    async fn report_card(
        &self,
        who: &StaffViewer,
        range: &ReportRange,
    ) -> Result<ReportCard, AppError> {
        super::stats::report_card(&self.store, who, range).await
    }

    fn today(&self) -> JalaliDate {
        super::stats::today(&self.store)
    }

    async fn users(&self, who: &StaffViewer) -> Result<Vec<StaffUser>, AppError> {
        require(who, &[Role::Admin])?;
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT id, username, display_name, disabled, must_change_password FROM app_user \
             WHERE username IS NOT NULL ORDER BY username",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing users")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(StaffUser {
                grants: grants(&self.store, r.id).await?,
                user_id: r.id,
                username: r.username,
                display_name: r.display_name,
                disabled: r.disabled != 0,
                must_change_password: r.must_change_password != 0,
            });
        }
        Ok(out)
    }
}
