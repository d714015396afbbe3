//! The council's cartable (see `app::api::council`): referrals between
//! council members and to the municipality, their answers, and the daily
//! reminders of unanswered ones. An answer is one conditional `UPDATE`
//! (answered once, whoever races); a reminder is claimed by moving its
//! `remind_at` on in the same statement that checks it is due, so several
//! server processes never send one twice.

use super::audit::{self, Audit};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{
    api::{
        council::{
            council_text, CouncilCartable, CouncilDesk, CouncilForm, CouncilMember,
            CouncilReferral, CouncilReplyForm, CouncilSubject, CouncilThread, Receiver,
            COUNCIL_ANSWER_HOURS, COUNCIL_REMIND_EVERY_HOURS,
        },
        staff::StaffViewer,
    },
    error::{AppError, Conflict, Invalid},
    i18n::{Lang, Msg},
    model::Role,
};

const ANSWER_S: i64 = COUNCIL_ANSWER_HOURS * 3600;
const REMIND_S: i64 = COUNCIL_REMIND_EVERY_HOURS * 3600;
/// Who uses the cartable: members, and the mayor's office for the
/// municipality's referrals.
const USERS: &[Role] = &[Role::CouncilMember, Role::Mayor];

#[derive(Clone)]
pub struct CouncilService {
    store: Store,
}

/// A referral to add: to a new thread (`thread` is `None`) or an old one.
struct NewReferral<'a> {
    thread: Option<i64>,
    subject: CouncilSubject,
    code: Option<&'a str>,
    to: Option<i64>,
    text: &'a str,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    thread_id: i64,
    subject: String,
    subject_code: Option<String>,
    from_user_id: i64,
    to_user_id: Option<i64>,
    body: String,
    created_at: i64,
    due_at: i64,
    answer: Option<String>,
    answered_at: Option<i64>,
    reminders: i64,
    from_name: String,
    to_name: Option<String>,
    answered_name: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.thread_id, r.subject, r.subject_code, r.from_user_id, \
     r.to_user_id, r.body, r.created_at, r.due_at, r.answer, r.answered_at, r.reminders, \
     COALESCE(NULLIF(f.display_name, ''), f.username) AS from_name, \
     COALESCE(NULLIF(t.display_name, ''), t.username) AS to_name, \
     COALESCE(NULLIF(a.display_name, ''), a.username) AS answered_name \
     FROM council_referral r JOIN app_user f ON f.id = r.from_user_id \
     LEFT JOIN app_user t ON t.id = r.to_user_id LEFT JOIN app_user a ON a.id = r.answered_by";

impl Row {
    fn referral(self, now: i64) -> CouncilReferral {
        CouncilReferral {
            id: self.id,
            thread_id: self.thread_id,
            subject: CouncilSubject::parse(&self.subject).unwrap_or(CouncilSubject::Request),
            code: self.subject_code,
            from: self.from_name,
            to: self.to_name,
            text: self.body,
            created_at: self.created_at,
            due_at: self.due_at,
            overdue: self.answered_at.is_none() && now > self.due_at,
            answer: self.answer,
            answered_by: self.answered_name,
            answered_at: self.answered_at,
            reminders: self.reminders,
        }
    }

    /// `who` is its receiver: the member it names, or the mayor's office
    /// for the municipality.
    fn received_by(&self, who: &StaffViewer) -> bool {
        match self.to_user_id {
            Some(id) => id == who.user_id,
            None => who.has(Role::Mayor),
        }
    }
}

impl CouncilService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn members(&self) -> Result<Vec<CouncilMember>, AppError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) FROM app_user u \
             WHERE u.disabled = 0 AND EXISTS (SELECT 1 FROM staff_role s \
               WHERE s.user_id = u.id AND s.role = 'council_member') \
             ORDER BY 2, u.id",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing council members")?;
        Ok(rows
            .into_iter()
            .map(|(user_id, display_name)| CouncilMember {
                user_id,
                display_name,
            })
            .collect())
    }

    async fn row(&self, id: i64) -> Result<Row, AppError> {
        sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.store.pool())
            .await
            .or_internal("reading a council referral")?
            .ok_or(AppError::NotFound)
    }

    /// A receiver as a user id (NULL: the municipality), checked: an active
    /// council member other than the sender.
    async fn receiver(&self, who: &StaffViewer, to: Receiver) -> Result<Option<i64>, AppError> {
        match to {
            Receiver::Municipality => Ok(None),
            Receiver::Member(id) if id != who.user_id => {
                let members = self.members().await?;
                if members.iter().any(|m| m.user_id == id) {
                    Ok(Some(id))
                } else {
                    Err(Invalid::CouncilReceiver.into())
                }
            }
            Receiver::Member(_) => Err(Invalid::CouncilReceiver.into()),
        }
    }

    async fn insert(
        &self,
        who: &StaffViewer,
        new: NewReferral<'_>,
        client: &str,
    ) -> Result<i64, AppError> {
        let NewReferral {
            thread,
            subject,
            code,
            to,
            text,
        } = new;
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO council_referral (thread_id, subject, subject_code, from_user_id, \
             to_user_id, body, created_at, due_at, remind_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(thread.unwrap_or(0))
        .bind(subject.as_str())
        .bind(code)
        .bind(who.user_id)
        .bind(to)
        .bind(text)
        .bind(now)
        .bind(now + ANSWER_S)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("adding a council referral")?;
        if thread.is_none() {
            sqlx::query("UPDATE council_referral SET thread_id = id WHERE id = $1")
                .bind(id)
                .execute(&mut *w.tx)
                .await
                .or_internal("adding a council referral")?;
        }
        let target = id.to_string();
        let detail = match to {
            Some(user) => format!("to user {user}"),
            None => "to the municipality".to_owned(),
        };
        audit::record(
            &mut w.tx,
            now,
            Audit::by(who, "council:refer", client)
                .target(&target)
                .detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("adding a council referral")?;
        Ok(id)
    }

    /// Reminds the receivers of unanswered referrals past due, each at most
    /// once a day; returns how many were reminded by this call.
    pub async fn remind(&self, public_url: Option<&str>) -> Result<u64, AppError> {
        let now = self.store.now();
        let due: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, to_user_id FROM council_referral \
             WHERE answered_at IS NULL AND remind_at <= $1 ORDER BY remind_at LIMIT 500",
        )
        .bind(now)
        .fetch_all(self.store.pool())
        .await
        .or_internal("finding council reminders")?;
        let mut reminded = 0;
        for (id, to) in due {
            let mut w = self.store.write().await?;
            // The claim: only the process whose update moves it on sends.
            let claimed = sqlx::query(
                "UPDATE council_referral SET reminders = reminders + 1, remind_at = $1 \
                 WHERE id = $2 AND answered_at IS NULL AND remind_at <= $3",
            )
            .bind(now + REMIND_S)
            .bind(id)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("claiming a council reminder")?
            .rows_affected();
            if claimed == 0 {
                continue;
            }
            let phones: Vec<(Option<String>, String)> = sqlx::query_as(
                "SELECT u.phone, u.lang FROM app_user u WHERE u.disabled = 0 AND u.phone IS NOT NULL \
                 AND (u.id = $1 OR ($1 = 0 AND EXISTS (SELECT 1 FROM staff_role s \
                   WHERE s.user_id = u.id AND s.role = 'mayor')))",
            )
            .bind(to.unwrap_or(0))
            .fetch_all(&mut *w.tx)
            .await
            .or_internal("finding whom to remind")?;
            let messages: Vec<crate::notify::Message> = phones
                .into_iter()
                .filter_map(|(phone, lang)| {
                    let lang = if lang == "en" { Lang::En } else { Lang::Fa };
                    let mut body =
                        Msg::SmsCouncilReminder
                            .text(lang)
                            .replacen("{}", &id.to_string(), 1);
                    if let Some(base) = public_url {
                        body.push_str(&format!(
                            "\n{}/staff/council/{id}",
                            base.trim_end_matches('/')
                        ));
                    }
                    phone.map(|phone| crate::notify::Message {
                        phone,
                        body,
                        complaint_id: None,
                    })
                })
                .collect();
            crate::notify::enqueue(&mut w.tx, now, &messages).await?;
            w.commit()
                .await
                .or_internal("claiming a council reminder")?;
            reminded += 1;
        }
        Ok(reminded)
    }
}

#[async_trait::async_trait]
impl CouncilDesk for CouncilService {
    async fn cartable(&self, who: &StaffViewer) -> Result<CouncilCartable, AppError> {
        require(who, USERS)?;
        let now = self.store.now();
        let mayor = i64::from(who.has(Role::Mayor));
        let waiting: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE r.answered_at IS NULL \
             AND (r.to_user_id = $1 OR (r.to_user_id IS NULL AND $2 = 1)) ORDER BY r.id"
        ))
        .bind(who.user_id)
        .bind(mayor)
        .fetch_all(self.store.pool())
        .await
        .or_internal("reading the council cartable")?;
        let sent: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE r.from_user_id = $1 ORDER BY r.id DESC LIMIT 100"
        ))
        .bind(who.user_id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("reading the council cartable")?;
        Ok(CouncilCartable {
            waiting: waiting.into_iter().map(|r| r.referral(now)).collect(),
            sent: sent.into_iter().map(|r| r.referral(now)).collect(),
            members: self.members().await?,
        })
    }

    async fn thread(&self, who: &StaffViewer, id: i64) -> Result<CouncilThread, AppError> {
        require(who, USERS)?;
        let now = self.store.now();
        let thread_id = self.row(id).await?.thread_id;
        let rows: Vec<Row> =
            sqlx::query_as(&format!("{SELECT} WHERE r.thread_id = $1 ORDER BY r.id"))
                .bind(thread_id)
                .fetch_all(self.store.pool())
                .await
                .or_internal("reading a council thread")?;
        // Only those in the thread see it (as senders or receivers).
        let inside = rows
            .iter()
            .any(|r| r.from_user_id == who.user_id || r.received_by(who));
        if !inside {
            return Err(AppError::NotFound);
        }
        let answerable = rows
            .iter()
            .find(|r| r.id == id && r.answered_at.is_none() && r.received_by(who))
            .or_else(|| {
                rows.iter()
                    .find(|r| r.answered_at.is_none() && r.received_by(who))
            })
            .map(|r| r.id);
        Ok(CouncilThread {
            referrals: rows.into_iter().map(|r| r.referral(now)).collect(),
            answerable,
            members: self.members().await?,
        })
    }

    async fn refer(
        &self,
        who: &StaffViewer,
        form: &CouncilForm,
        client: &str,
    ) -> Result<i64, AppError> {
        require(who, &[Role::CouncilMember])?;
        let input = form.parse()?;
        if let Some(code) = &input.code {
            let sql = match input.subject {
                CouncilSubject::Feedback => "SELECT 1 FROM feedback WHERE tracking_code = $1",
                _ => "SELECT 1 FROM complaint WHERE tracking_code = $1",
            };
            let found: Option<i64> = sqlx::query_scalar(sql)
                .bind(code.as_str())
                .fetch_optional(self.store.pool())
                .await
                .or_internal("finding a council subject")?;
            if found.is_none() {
                return Err(Invalid::CouncilCode.into());
            }
        }
        let to = self.receiver(who, input.to).await?;
        let code = input.code.as_ref().map(|c| c.as_str());
        let new = NewReferral {
            thread: None,
            subject: input.subject,
            code,
            to,
            text: &input.text,
        };
        self.insert(who, new, client).await
    }

    async fn answer(
        &self,
        who: &StaffViewer,
        id: i64,
        form: &CouncilReplyForm,
        client: &str,
    ) -> Result<(), AppError> {
        require(who, USERS)?;
        let row = self.row(id).await?;
        if !row.received_by(who) {
            return Err(AppError::Forbidden);
        }
        let text = council_text(&form.text)?;
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let answered = sqlx::query(
            "UPDATE council_referral SET answer = $1, answered_by = $2, answered_at = $3 \
             WHERE id = $4 AND answered_at IS NULL",
        )
        .bind(&text)
        .bind(who.user_id)
        .bind(now)
        .bind(id)
        .execute(&mut *w.tx)
        .await
        .or_internal("answering a council referral")?
        .rows_affected();
        if answered == 0 {
            return Err(Conflict::CouncilAnswered.into());
        }
        let target = id.to_string();
        audit::record(
            &mut w.tx,
            now,
            Audit::by(who, "council:answer", client).target(&target),
        )
        .await?;
        w.commit().await.or_internal("answering a council referral")
    }

    async fn refer_on(
        &self,
        who: &StaffViewer,
        id: i64,
        form: &CouncilReplyForm,
        client: &str,
    ) -> Result<i64, AppError> {
        require(who, USERS)?;
        let row = self.row(id).await?;
        if !row.received_by(who) {
            return Err(AppError::Forbidden);
        }
        if row.answered_at.is_some() {
            return Err(Conflict::CouncilAnswered.into());
        }
        let text = council_text(&form.text)?;
        let to = self.receiver(who, Receiver::parse(&form.to)?).await?;
        let subject = CouncilSubject::parse(&row.subject).unwrap_or(CouncilSubject::Request);
        let code = row.subject_code.as_deref();
        let new = NewReferral {
            thread: Some(row.thread_id),
            subject,
            code,
            to,
            text: &text,
        };
        self.insert(who, new, client).await
    }
}
