//! The municipality's work on a complaint: every staff action of
//! [`StaffAction`] (refer, accept, assign, return, resolve, infeasible, not
//! municipal, duplicate, verify, verification failed), and the citizen's
//! 137 text-message replies (31 satisfied, 33 not done). Each action is one
//! transaction: the status move (guarded by the old status, so a concurrent
//! change is a conflict), its timeline events with who, when and why, the
//! audit line, and the citizens' text messages into the outbox. The role
//! and the status machine are checked here, whatever the form said.

use super::{
    audit::{self, Audit},
    citizen::move_status,
    intake::{insert_photo, Channel, Filed, Filer, IntakeService, Operator, Submission, Texts},
    record_event, Actor, Event, EventKind,
};
use crate::{
    auth::staff::{active, require},
    error::{internal, OrInternal},
    notify::{self, Message},
    store::Store,
};
use app::{
    api::{forms::ActionInput, staff::StaffViewer},
    error::{AppError, Conflict, Invalid},
    model::{role::Grant, PhoneNumber, Role, StaffAction, Status, TrackingCode},
};
use bytes::Bytes;

/// A complaint as the workflow rules need it.
#[derive(sqlx::FromRow)]
struct Target {
    id: i64,
    status: String,
    unit_id: Option<i64>,
}

/// Staff actions and the citizen's text-message verdicts.
#[derive(Clone)]
pub struct WorkflowService {
    store: Store,
    intake: IntakeService,
    public_url: Option<String>,
    kiosks: crate::net::Networks,
}

/// Kiosk filings that may text one number in an hour: a person at a
/// kiosk files once or twice; more is someone using the kiosk to send
/// messages to a number that is not theirs.
pub const KIOSK_TEXTS_PER_NUMBER_HOURLY: i64 = 3;

/// The role a staff member acts in for `action` on a complaint of `unit`
/// (the first of their grants that allows it), for the timeline.
fn acting_role(grants: &[Grant], action: StaffAction, unit: Option<i64>) -> Option<Role> {
    grants
        .iter()
        .find(|g| action.allowed(std::slice::from_ref(g), unit))
        .map(|g| g.role)
}

impl WorkflowService {
    /// `kiosks`: the addresses a kiosk filing may come from.
    pub fn new(
        store: Store,
        intake: IntakeService,
        public_url: Option<String>,
        kiosks: crate::net::Networks,
    ) -> Self {
        Self {
            store,
            intake,
            public_url,
            kiosks,
        }
    }

    async fn target(
        tx: &mut sqlx::AnyConnection,
        code: &TrackingCode,
    ) -> Result<(Target, Status), AppError> {
        let t: Target =
            sqlx::query_as("SELECT id, status, unit_id FROM complaint WHERE tracking_code = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *tx)
                .await
                .or_internal("loading a complaint")?
                .ok_or(AppError::NotFound)?;
        let status = Status::parse(&t.status)
            .ok_or_else(|| internal("unknown status in database", &t.status))?;
        Ok((t, status))
    }

    /// The text messages announcing `from → to` on complaint `id`; the web
    /// pushes announcing it are written into their outbox on the way, in
    /// the same transaction.
    async fn messages(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
        code: &TrackingCode,
        from: Status,
        to: Status,
        original: Option<&TrackingCode>,
    ) -> Result<Vec<Message>, AppError> {
        let Some(template) = notify::template_for(from, to) else {
            return Ok(Vec::new());
        };
        crate::push::enqueue(
            tx,
            self.store.now(),
            id,
            code,
            template,
            original,
            self.public_url.as_deref(),
        )
        .await?;
        Ok(notify::recipients(tx, id)
            .await?
            .into_iter()
            .map(|(phone, lang)| Message {
                phone,
                body: notify::render(template, lang, code, original, self.public_url.as_deref()),
                complaint_id: Some(id),
            })
            .collect())
    }

    /// Takes `input` on complaint `code` as `who`, with a proof-of-fix
    /// photo when resolving. Returns the status after the action.
    pub async fn act(
        &self,
        who: &StaffViewer,
        code: &TrackingCode,
        input: &ActionInput,
        photo: Option<Bytes>,
        client: &str,
    ) -> Result<Status, AppError> {
        active(who)?;
        let action = input.action;
        // Cheap checks before a photo is decoded: the caller may see it and
        // take this action in its current state.
        let (target, status) = {
            let mut tx = self.store.pool().begin().await.or_internal("reading")?;
            Self::target(&mut tx, code).await?
        };
        self.check(who, action, &target, status)?;
        let proof = match (action, photo) {
            (StaffAction::Resolve, Some(bytes)) => self.intake.store_photos(&[bytes]).await?,
            _ => Vec::new(),
        };
        let now = self.store.now();
        let mut w = self.store.write().await?;
        // Read again under the write transaction: the state may have moved.
        let (target, status) = Self::target(&mut w.tx, code).await?;
        self.check(who, action, &target, status)?;
        let role = acting_role(&who.grants, action, target.unit_id).ok_or(AppError::Forbidden)?;
        let actor = Actor::Staff {
            user_id: who.user_id,
            role,
        };
        let note = input.note.as_deref();
        let mut messages = Vec::new();
        let mut after = status;
        match action {
            StaffAction::Refer => {
                let unit_code = input.unit.as_deref().unwrap_or_default();
                let unit_id: i64 = sqlx::query_scalar("SELECT id FROM unit WHERE code = $1")
                    .bind(unit_code)
                    .fetch_optional(&mut *w.tx)
                    .await
                    .or_internal("finding a unit")?
                    .ok_or(Invalid::UnitUnknown)?;
                after = Status::Referred;
                move_status(&mut w.tx, target.id, status, after, now).await?;
                sqlx::query("UPDATE complaint SET unit_id = $1, assigned_to = NULL WHERE id = $2")
                    .bind(unit_id)
                    .bind(target.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("referring")?;
                self.intake
                    .restart_deadlines(&mut w.tx, target.id, now)
                    .await?;
                let referred = Event {
                    kind: EventKind::Referred,
                    from: Some(status),
                    to: Some(after),
                    unit_id: Some(unit_id),
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, referred).await?;
                if let Some(note) = note {
                    self.internal_note(&mut w.tx, target.id, now, actor, note)
                        .await?;
                }
            }
            StaffAction::Assign => {
                let assignee = input.assignee.ok_or(Invalid::AssigneeUnknown)?;
                let member: Option<String> = sqlx::query_scalar(
                    "SELECT u.display_name FROM staff_role r JOIN app_user u ON u.id = r.user_id \
                     WHERE r.user_id = $1 AND r.unit_id = $2 AND u.disabled = 0 \
                     AND r.role IN ('unit_staff', 'unit_manager') LIMIT 1",
                )
                .bind(assignee)
                .bind(target.unit_id.unwrap_or(-1))
                .fetch_optional(&mut *w.tx)
                .await
                .or_internal("finding a unit member")?;
                let name = member.ok_or(Invalid::AssigneeUnknown)?;
                sqlx::query("UPDATE complaint SET assigned_to = $1, updated_at = $2 WHERE id = $3")
                    .bind(assignee)
                    .bind(now)
                    .bind(target.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("assigning")?;
                let text = match note {
                    Some(n) => format!("{name}: {n}"),
                    None => name,
                };
                let assigned = Event {
                    kind: EventKind::Assigned,
                    unit_id: target.unit_id,
                    note: Some(&text),
                    public: false,
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, assigned).await?;
            }
            StaffAction::DuplicateOf => {
                let original_code = input
                    .duplicate_of
                    .as_ref()
                    .ok_or(Invalid::DuplicateUnknown)?;
                let (original, original_status) = Self::target(&mut w.tx, original_code)
                    .await
                    .map_err(|e| match e {
                        AppError::NotFound => Invalid::DuplicateUnknown.into(),
                        other => other,
                    })?;
                if original.id == target.id || original_status.is_final() {
                    return Err(Invalid::DuplicateSelf.into());
                }
                after = Status::Duplicate;
                messages = self
                    .messages(
                        &mut w.tx,
                        target.id,
                        code,
                        status,
                        after,
                        Some(original_code),
                    )
                    .await?;
                move_status(&mut w.tx, target.id, status, after, now).await?;
                self.merge(&mut w.tx, target.id, original.id, now).await?;
                let marked = Event {
                    kind: EventKind::Duplicate,
                    from: Some(status),
                    to: Some(after),
                    note,
                    public: true,
                    linked: Some(original.id),
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, marked).await?;
                let linked = Event {
                    kind: EventKind::DuplicateLinked,
                    linked: Some(target.id),
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, original.id, now, linked).await?;
            }
            StaffAction::Finding | StaffAction::AnswerFinding | StaffAction::CloseFinding => {
                Self::finding(
                    &mut w.tx,
                    action,
                    target.id,
                    target.unit_id,
                    who.user_id,
                    note,
                    now,
                )
                .await?;
                let kind = match action {
                    StaffAction::Finding => EventKind::Finding,
                    StaffAction::AnswerFinding => EventKind::FindingAnswered,
                    _ => EventKind::FindingClosed,
                };
                let event = Event {
                    kind,
                    unit_id: target.unit_id,
                    note,
                    public: false,
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, event).await?;
            }
            StaffAction::Verify => {
                // Confirmed with the citizen: verified, then closed.
                messages = self
                    .messages(&mut w.tx, target.id, code, status, Status::Closed, None)
                    .await?;
                move_status(&mut w.tx, target.id, status, Status::Verified, now).await?;
                let verified = Event {
                    from: Some(status),
                    to: Some(Status::Verified),
                    note,
                    public: false,
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, verified).await?;
                after = Status::Closed;
                move_status(&mut w.tx, target.id, Status::Verified, after, now).await?;
                let closed = Event {
                    from: Some(Status::Verified),
                    to: Some(after),
                    ..Event::by(actor)
                };
                record_event(&mut w.tx, target.id, now, closed).await?;
            }
            _ => {
                after = action.to().ok_or(AppError::Internal)?;
                messages = self
                    .messages(&mut w.tx, target.id, code, status, after, None)
                    .await?;
                move_status(&mut w.tx, target.id, status, after, now).await?;
                if action == StaffAction::Return {
                    // Back to dispatch: no unit holds it until it is referred
                    // again (the event below keeps which unit returned it).
                    sqlx::query(
                        "UPDATE complaint SET unit_id = NULL, assigned_to = NULL WHERE id = $1",
                    )
                    .bind(target.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("returning")?;
                }
                if action == StaffAction::Accept {
                    // Whoever accepts works on it, unless a manager assigned someone.
                    sqlx::query(
                        "UPDATE complaint SET assigned_to = COALESCE(assigned_to, $1) WHERE id = $2",
                    )
                    .bind(who.user_id)
                    .bind(target.id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("accepting")?;
                }
                let kind = if action == StaffAction::VerificationFailed {
                    EventKind::VerificationFailed
                } else {
                    EventKind::Status
                };
                let changed = Event {
                    kind,
                    from: Some(status),
                    to: Some(after),
                    unit_id: target.unit_id,
                    note: if action.note_is_public() { note } else { None },
                    ..Event::by(actor)
                };
                let event_id = record_event(&mut w.tx, target.id, now, changed).await?;
                if !action.note_is_public() {
                    if let Some(note) = note {
                        self.internal_note(&mut w.tx, target.id, now, actor, note)
                            .await?;
                    }
                }
                for p in &proof {
                    insert_photo(&mut w.tx, target.id, Some(event_id), "proof", p, now).await?;
                }
            }
        }
        audit::record(
            &mut w.tx,
            now,
            Audit {
                detail: note,
                ..Audit::by(who, &format!("action:{}", action.as_str()), client)
                    .target(code.as_str())
            },
        )
        .await?;
        notify::enqueue(&mut w.tx, now, &messages).await?;
        w.commit().await.or_internal("committing a staff action")?;
        tracing::info!(tracking_code = %code, action = action.as_str(), user = %who.username, "staff action");
        Ok(after)
    }

    /// The caller may take `action` on `target` now.
    fn check(
        &self,
        who: &StaffViewer,
        action: StaffAction,
        target: &Target,
        status: Status,
    ) -> Result<(), AppError> {
        if !action.allowed(&who.grants, target.unit_id) {
            return Err(AppError::Forbidden);
        }
        if !action.applies_to(status) {
            return Err(Conflict::Transition.into());
        }
        Ok(())
    }

    /// One step of an inspection finding on complaint `id`: open one (none
    /// may be open already; the partial unique index decides between two
    /// inspectors at once), answer the open one (once), or close it.
    async fn finding(
        tx: &mut sqlx::AnyConnection,
        action: StaffAction,
        id: i64,
        unit_id: Option<i64>,
        user_id: i64,
        note: Option<&str>,
        now: i64,
    ) -> Result<(), AppError> {
        let query = match action {
            StaffAction::Finding => sqlx::query(
                "INSERT INTO inspection_finding (complaint_id, unit_id, inspector_id, finding, \
                 created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(unit_id)
            .bind(user_id)
            .bind(note)
            .bind(now),
            StaffAction::AnswerFinding => sqlx::query(
                "UPDATE inspection_finding SET answer = $1, answered_by = $2, answered_at = $3 \
                 WHERE complaint_id = $4 AND closed_at IS NULL AND answered_at IS NULL",
            )
            .bind(note)
            .bind(user_id)
            .bind(now)
            .bind(id),
            _ => sqlx::query(
                "UPDATE inspection_finding SET closed_by = $1, closed_at = $2 \
                 WHERE complaint_id = $3 AND closed_at IS NULL",
            )
            .bind(user_id)
            .bind(now)
            .bind(id),
        };
        let changed = query
            .execute(&mut *tx)
            .await
            .or_internal("recording an inspection finding")?
            .rows_affected();
        let refusal = if action == StaffAction::Finding {
            Conflict::FindingOpen
        } else {
            Conflict::NoOpenFinding
        };
        if changed == 0 {
            return Err(refusal.into());
        }
        Ok(())
    }

    /// An internal note on the timeline (for the unit and dispatch only).
    async fn internal_note(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
        now: i64,
        actor: Actor,
        note: &str,
    ) -> Result<(), AppError> {
        let e = Event {
            kind: EventKind::Status,
            note: Some(note),
            public: false,
            ..Event::by(actor)
        };
        record_event(tx, id, now, e).await.map(|_| ())
    }

    /// Duplicate `dup` merges into `original`: its supporters, and its
    /// filer as one more, support the original (once per person); the
    /// filer's notifications follow the original through `duplicate_of`.
    async fn merge(
        &self,
        tx: &mut sqlx::AnyConnection,
        dup: i64,
        original: i64,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query("UPDATE complaint SET duplicate_of = $1 WHERE id = $2")
            .bind(original)
            .bind(dup)
            .execute(&mut *tx)
            .await
            .or_internal("linking a duplicate")?;
        sqlx::query(
            "INSERT INTO support (complaint_id, supporter, created_at) \
             SELECT $1, supporter, created_at FROM support WHERE complaint_id = $2 \
             ON CONFLICT (complaint_id, supporter) DO NOTHING",
        )
        .bind(original)
        .bind(dup)
        .execute(&mut *tx)
        .await
        .or_internal("moving supporters")?;
        // The filer of the original does not support their own complaint.
        sqlx::query(
            "INSERT INTO support (complaint_id, supporter, created_at) \
             SELECT $1, 'u:' || CAST(d.citizen_id AS TEXT), $3 FROM complaint d, complaint o \
             WHERE d.id = $2 AND o.id = $1 AND d.citizen_id IS NOT NULL \
             AND (o.citizen_id IS NULL OR o.citizen_id <> d.citizen_id) \
             ON CONFLICT (complaint_id, supporter) DO NOTHING",
        )
        .bind(original)
        .bind(dup)
        .bind(now)
        .execute(&mut *tx)
        .await
        .or_internal("adding the filer as a supporter")?;
        sqlx::query(
            "UPDATE complaint SET support_count = \
             (SELECT COUNT(*) FROM support WHERE complaint_id = $1), updated_at = $2 WHERE id = $1",
        )
        .bind(original)
        .bind(now)
        .execute(&mut *tx)
        .await
        .or_internal("counting supporters")?;
        Ok(())
    }

    /// Operator intake: a complaint for a caller or a walk-in citizen, the
    /// channel recorded, the caller's number optional. With a number, the
    /// complaint belongs to that citizen's account (made if new, so they
    /// can later sign in and follow it) and the code goes to it by SMS.
    /// Returns the filing and whether a message was queued.
    pub async fn intake(
        &self,
        who: &StaffViewer,
        submission: &Submission,
        idempotency_key: Option<&str>,
        client: &str,
    ) -> Result<(Filed, bool), AppError> {
        require(who, &[Role::Operator])?;
        let channel = Channel::from_staff_form(&submission.form.channel)?;
        let caller = match submission.form.caller_phone.trim() {
            "" => None,
            raw => Some(PhoneNumber::parse(raw).map_err(|_| Invalid::PhoneFormat)?),
        };
        // A category typed by its name, and a known place typed as the
        // address with no point (routing can then place it without dispatch).
        let normalised = self.normalise(submission).await?;
        let submission = &normalised;
        // Refuse a bad form before any account is made for the caller.
        submission.form.parse()?;
        let citizen_id = match &caller {
            Some(phone) => Some(self.citizen_for(phone).await?),
            None => None,
        };
        let operator = Operator {
            user_id: who.user_id,
            username: &who.username,
            client,
        };
        let filer = Filer {
            channel,
            citizen_id,
            idempotency_key,
            operator: Some(&operator),
            texts: caller.as_ref().map(|p| Texts {
                to: p.as_str(),
                public_url: self.public_url.as_deref(),
            }),
        };
        let filed = self.intake.file(submission, filer).await?;
        Ok((filed, caller.is_some()))
    }

    /// A filing from the public side, the citizen's form and the REST API
    /// alike: channel `kiosk` goes through [`Self::kiosk`] (its address
    /// check and text limit hold whichever door it came in by); any other
    /// is filed as the citizen's (`default` when the form names none). An
    /// address alone that names a known place gets its point, as at intake,
    /// so the filing is routed rather than left for dispatch (a kiosk has
    /// no location of its own).
    pub async fn file_public(
        &self,
        submission: &Submission,
        idempotency_key: Option<&str>,
        citizen_id: Option<i64>,
        client: std::net::IpAddr,
        default: Channel,
    ) -> Result<Filed, AppError> {
        let channel = Channel::from_form(&submission.form.channel, default)?;
        let placed = self.at_known_place(submission).await?;
        let submission = &placed;
        if channel == Channel::Kiosk {
            return self.kiosk(submission, idempotency_key, client).await;
        }
        let filer = Filer {
            channel,
            citizen_id,
            idempotency_key,
            operator: None,
            texts: None,
        };
        self.intake.file(submission, filer).await
    }

    /// A filing at a lobby kiosk (channel `kiosk`): no sign-in there, so an
    /// optional mobile number typed on the screen (`caller_phone`) makes
    /// the complaint that number's (its account made if new, as at
    /// operator intake) and gets the tracking code and later changes by SMS.
    /// Only a kiosk's address (`PASOKH_KIOSK_NETWORKS`) may file here, and
    /// one number is texted for at most [`KIOSK_TEXTS_PER_NUMBER_HOURLY`]
    /// filings an hour: otherwise anyone could post this form with a
    /// stranger's number and have us text it.
    pub async fn kiosk(
        &self,
        submission: &Submission,
        idempotency_key: Option<&str>,
        client: std::net::IpAddr,
    ) -> Result<Filed, AppError> {
        if !self.kiosks.contains(client) {
            return Err(Invalid::KioskUnregistered.into());
        }
        let phone = match submission.form.caller_phone.trim() {
            "" => None,
            raw => Some(PhoneNumber::parse(raw).map_err(|_| Invalid::PhoneFormat)?),
        };
        // Refuse a bad form before any account is made for the number.
        submission.form.parse()?;
        if let Some(phone) = &phone {
            // Counted in one statement, so parallel filings cannot all pass.
            let filings = self
                .store
                .hit(
                    &format!("kiosk:phone:{}", phone.as_str()),
                    3600,
                    crate::now(),
                )
                .await
                .or_internal("counting kiosk texts per number")?;
            if filings > KIOSK_TEXTS_PER_NUMBER_HOURLY {
                return Err(Invalid::KioskPhoneBusy.into());
            }
        }
        let citizen_id = match &phone {
            Some(phone) => Some(self.citizen_for(phone).await?),
            None => None,
        };
        let filer = Filer {
            channel: Channel::Kiosk,
            citizen_id,
            idempotency_key,
            operator: None,
            texts: phone.as_ref().map(|p| Texts {
                to: p.as_str(),
                public_url: self.public_url.as_deref(),
            }),
        };
        self.intake.file(submission, filer).await
    }

    /// `submission` as intake files it: a category named by its Persian or
    /// English name becomes its code (the intake page's category field
    /// suggests names as the operator types), and an address that names a
    /// known place, with no coordinates, gets that place's point.
    async fn normalise(&self, submission: &Submission) -> Result<Submission, AppError> {
        let mut out = submission.clone();
        let typed = app::model::text::clean(&out.form.category);
        let code: Option<String> = sqlx::query_scalar(
            "SELECT code FROM category WHERE code = $1 OR name_fa = $1 \
             OR LOWER(name_en) = LOWER($1) ORDER BY CASE WHEN code = $1 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(&typed)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("finding a category")?;
        if let Some(code) = code {
            out.form.category = code;
        }
        self.at_known_place(&out).await
    }

    /// `submission` with the point of the known place its address names,
    /// when it has an address and no coordinates (one lookup then, none
    /// otherwise).
    async fn at_known_place(&self, submission: &Submission) -> Result<Submission, AppError> {
        let mut out = submission.clone();
        let address = app::model::text::clean(&out.form.address);
        if !address.is_empty() && out.form.lat.trim().is_empty() && out.form.lon.trim().is_empty() {
            let point: Option<(f64, f64)> = sqlx::query_as(
                "SELECT lat, lon FROM place WHERE name_fa = $1 OR LOWER(name_en) = LOWER($1) LIMIT 1",
            )
            .bind(&address)
            .fetch_optional(self.store.pool())
            .await
            .or_internal("finding a place")?;
            if let Some((lat, lon)) = point {
                out.form.lat = lat.to_string();
                out.form.lon = lon.to_string();
            }
        }
        Ok(out)
    }

    /// The citizen account of `phone`, made if it does not exist.
    async fn citizen_for(&self, phone: &PhoneNumber) -> Result<i64, AppError> {
        let mut w = self.store.write().await?;
        sqlx::query(
            "INSERT INTO app_user (phone, role, created_at) VALUES ($1, 'citizen', $2) \
             ON CONFLICT (phone) DO NOTHING",
        )
        .bind(phone.as_str())
        .bind(self.store.now())
        .execute(&mut *w.tx)
        .await
        .or_internal("making a caller's account")?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM app_user WHERE phone = $1")
            .bind(phone.as_str())
            .fetch_one(&mut *w.tx)
            .await
            .or_internal("finding a caller's account")?;
        w.commit()
            .await
            .or_internal("committing a caller's account")?;
        Ok(id)
    }

    /// A citizen's text-message reply through the provider's webhook: `31`
    /// (satisfied) closes their latest resolved complaint, `33` (not done)
    /// reopens it. Returns the complaint it applied to, if any.
    pub async fn sms_reply(
        &self,
        from: &str,
        text: &str,
    ) -> Result<Option<TrackingCode>, AppError> {
        let Ok(phone) = app::model::PhoneNumber::parse(from) else {
            return Ok(None);
        };
        let reply = app::model::digits::to_latin(text.trim());
        let (to, kind) = match reply.trim() {
            "31" => (Status::Closed, EventKind::CitizenConfirmed),
            "33" => (Status::Reopened, EventKind::Objection),
            _ => return Ok(None),
        };
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let found: Option<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.tracking_code, c.status, u.id FROM complaint c \
             JOIN app_user u ON u.id = c.citizen_id \
             WHERE u.phone = $1 AND c.status IN ('resolved', 'verified') \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT 1",
        )
        .bind(phone.as_str())
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("finding a complaint to confirm")?;
        let Some((id, code, status, citizen_id)) = found else {
            return Ok(None);
        };
        let from_status =
            Status::parse(&status).ok_or_else(|| internal("unknown status", &status))?;
        move_status(&mut w.tx, id, from_status, to, now).await?;
        if to == Status::Reopened {
            sqlx::query(
                "INSERT INTO objection (complaint_id, citizen_id, reason, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(citizen_id)
            .bind("SMS 33")
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("recording an objection")?;
        }
        let event = Event {
            kind,
            from: Some(from_status),
            to: Some(to),
            ..Event::by(Actor::Citizen)
        };
        record_event(&mut w.tx, id, now, event).await?;
        w.commit().await.or_internal("committing a text reply")?;
        TrackingCode::parse(&code)
            .map(Some)
            .map_err(|_| internal("stored tracking code", &code))
    }
}
