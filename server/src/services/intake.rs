//! Intake: read a submission, validate it (cheap checks first, photos
//! last), place it in its district, refer it to the unit configured for
//! (category, district), give it a tracking code and record the first
//! timeline events, all in one transaction. A retry with the same
//! idempotency key, concurrent or not, returns the first answer and creates
//! nothing. The HTML form and the REST API both file through here.

use super::{districts::Districts, record_event, Event, EventKind};
use crate::{
    error::{internal, OrInternal},
    media::{orphans, MediaStore, StoredPhoto},
    store::Store,
};
use app::{
    api::forms::{ComplaintInput, ReportForm},
    error::{AppError, BadRequest, Invalid},
    model::{calendar::WorkCalendar, complaint::Named, Status, TrackingCode},
};
use axum::extract::Multipart;
use bytes::Bytes;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// At most this many photos per complaint.
pub const MAX_PHOTOS: usize = 5;
/// Whole-request cap for a complaint: five full-size photos and the text.
pub const MAX_COMPLAINT_BYTES: usize = MAX_PHOTOS * 8 * 1024 * 1024 + 64 * 1024;
/// Longest text field of a submission, in bytes (a description is at most
/// 1000 characters, 4 bytes each at worst).
const MAX_TEXT_FIELD_BYTES: usize = 16 * 1024;

/// How the complaint reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    App,
    Web,
    Kiosk,
    Phone,
    InPerson,
    Api,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Web => "web",
            Channel::Kiosk => "kiosk",
            Channel::Phone => "phone",
            Channel::InPerson => "in_person",
            Channel::Api => "api",
        }
    }

    /// The channel a citizen's own client names (`web`, `app`, `api`, or
    /// `kiosk` from the lobby screen's form); blank is `default`. Staff channels (phone, in person) are never
    /// taken from a citizen's form.
    pub fn from_form(raw: &str, default: Channel) -> Result<Channel, Invalid> {
        match raw.trim() {
            "" => Ok(default),
            "web" => Ok(Channel::Web),
            "app" => Ok(Channel::App),
            "api" => Ok(Channel::Api),
            "kiosk" => Ok(Channel::Kiosk),
            _ => Err(Invalid::ChannelUnknown),
        }
    }

    /// The channel an operator records: a phone call (default) or a
    /// walk-in citizen.
    pub fn from_staff_form(raw: &str) -> Result<Channel, Invalid> {
        match raw.trim() {
            "" | "phone" => Ok(Channel::Phone),
            "in_person" => Ok(Channel::InPerson),
            _ => Err(Invalid::ChannelUnknown),
        }
    }
}

/// A filing as it arrived: the typed fields and the photos' bytes.
#[derive(Debug, Default, Clone)]
pub struct Submission {
    pub form: ReportForm,
    pub photos: Vec<Bytes>,
}

/// Why a multipart body could not be read, with what was read of it so the
/// form can be shown again as typed.
pub type Unread = (ReportForm, AppError);

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        BadRequest::UnreadableMultipart.into()
    }
}

/// The typed form `F` from multipart text fields. Every field of our form
/// structs is a String with a default and unknown ones are ignored, so this
/// cannot fail on any input; a failure would be a bug here.
pub(crate) fn form_from<F: DeserializeOwned + Default>(fields: Vec<(String, String)>) -> F {
    use serde::de::{value::MapDeserializer, IntoDeserializer};
    let pairs = fields
        .into_iter()
        .map(|(k, v)| (k.into_deserializer(), v.into_deserializer()));
    F::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(pairs)).unwrap_or_default()
}

/// Reads a multipart body: the text fields of the form `F` and up to
/// `max_photos` `photo` parts (empty file parts, a form sent with no file
/// chosen, are skipped). The whole body is read even when it is refused,
/// so the refusal keeps every field that was typed.
pub async fn read_multipart<F: DeserializeOwned + Default>(
    mut multipart: Multipart,
    max_photos: usize,
) -> Result<(F, Vec<Bytes>), (F, AppError)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut photos = Vec::new();
    let mut refusal: Option<AppError> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                refusal.get_or_insert(multipart_error(e));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let mut data = Vec::new();
        let limit = if name == "photo" {
            usize::MAX
        } else {
            MAX_TEXT_FIELD_BYTES
        };
        let read = loop {
            match field.chunk().await {
                Ok(Some(chunk)) if data.len() + chunk.len() <= limit => {
                    data.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => break Err(AppError::TooLarge),
                Ok(None) => break Ok(()),
                Err(e) => break Err(multipart_error(e)),
            }
        };
        if let Err(e) = read {
            refusal.get_or_insert(e);
            break;
        }
        if name == "photo" {
            if data.is_empty() {
                continue;
            }
            if photos.len() == max_photos {
                refusal.get_or_insert(Invalid::PhotoTooMany.into());
                continue;
            }
            photos.push(Bytes::from(data));
        } else {
            let Ok(text) = String::from_utf8(data) else {
                refusal.get_or_insert(BadRequest::UnreadableMultipart.into());
                continue;
            };
            if fields.iter().any(|(n, _)| *n == name) {
                refusal.get_or_insert(BadRequest::RepeatedField.into());
                continue;
            }
            fields.push((name, text));
        }
    }
    let form = form_from(fields);
    match refusal {
        Some(error) => Err((form, error)),
        None => Ok((form, photos)),
    }
}

impl Submission {
    /// Reads a multipart body: the text fields of [`ReportForm`] and up to
    /// five `photo` parts (see [`read_multipart`]).
    pub async fn read(multipart: Multipart) -> Result<Self, Unread> {
        read_multipart(multipart, MAX_PHOTOS)
            .await
            .map(|(form, photos)| Self { form, photos })
    }

    /// A digest of what was submitted, to tell a retry from a different
    /// request under the same idempotency key. The key itself and the
    /// channel are left out: the same form sent by its script (to the API)
    /// and then by the browser (to `/report`) is the same request.
    pub fn digest(&self) -> String {
        let f = &self.form;
        let mut h = Sha256::new();
        for v in [
            &f.category,
            &f.description,
            &f.address,
            &f.lat,
            &f.lon,
            &f.accuracy_m,
        ] {
            h.update((v.len() as u64).to_le_bytes());
            h.update(v.as_bytes());
        }
        for p in &self.photos {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        // Answers (`q{id}`) only where given: digests of filings without
        // them stay as they were.
        for (k, v) in f.answers.iter().filter(|(k, _)| k.starts_with('q')) {
            h.update(b"answer");
            for part in [k, v] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        // Only staff intake names a caller; citizens' digests stay as they were.
        if !f.caller_phone.is_empty() {
            h.update(b"caller");
            h.update(f.caller_phone.as_bytes());
        }
        format!("{:x}", h.finalize())
    }
}

/// Who files, how, and under which idempotency key.
#[derive(Debug, Clone, Copy)]
pub struct Filer<'a> {
    pub channel: Channel,
    pub citizen_id: Option<i64>,
    pub idempotency_key: Option<&'a str>,
    /// An operator filing for a caller: recorded on the timeline and in
    /// the audit log.
    pub operator: Option<&'a Operator<'a>>,
    /// A number the tracking code is texted to, in the filing's transaction
    /// (through the outbox): an operator's caller, or the number typed at a
    /// lobby kiosk.
    pub texts: Option<Texts<'a>>,
}

/// Where the filing's text message goes, and the public address it names.
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    pub to: &'a str,
    pub public_url: Option<&'a str>,
}

/// The operator behind a staff intake, and the text message to send.
#[derive(Debug, Clone)]
pub struct Operator<'a> {
    pub user_id: i64,
    pub username: &'a str,
    pub client: &'a str,
}

/// The acknowledgement: returned only after the transaction committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filed {
    pub tracking_code: TrackingCode,
    pub status: Status,
    pub district: Option<Named>,
    pub unit: Option<Named>,
}

/// Files complaints.
#[derive(Clone)]
pub struct IntakeService {
    store: Store,
    media: MediaStore,
    districts: Districts,
    calendar: super::calendar::Calendars,
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    first_response_hours: i64,
    resolution_hours: i64,
    urgent: i64,
}

/// A unit's two deadlines on a complaint referred to it at `from`: the
/// first response and the resolution, on the working calendar (clock hours
/// for urgent categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub response: i64,
    pub resolution: i64,
}

impl Deadlines {
    fn of(calendar: &WorkCalendar, category: &CategoryRow, from: i64) -> Self {
        let urgent = category.urgent != 0;
        Self {
            response: calendar.deadline(from, category.first_response_hours, urgent),
            resolution: calendar.deadline(from, category.resolution_hours, urgent),
        }
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    name_fa: String,
    name_en: String,
}

#[derive(sqlx::FromRow)]
struct IdempotencyRow {
    request_hash: String,
    response_body: String,
}

impl IntakeService {
    pub fn new(
        store: Store,
        media: MediaStore,
        districts: Districts,
        calendar: super::calendar::Calendars,
    ) -> Self {
        Self {
            store,
            media,
            districts,
            calendar,
        }
    }

    /// Restarts both deadlines of complaint `id` from `now` (a referral to
    /// a unit: the new unit gets the category's full time).
    pub(crate) async fn restart_deadlines(
        &self,
        tx: &mut sqlx::AnyConnection,
        id: i64,
        now: i64,
    ) -> Result<Deadlines, AppError> {
        let category: CategoryRow = sqlx::query_as(
            "SELECT cat.id, cat.first_response_hours, cat.resolution_hours, cat.urgent \
             FROM complaint c JOIN category cat ON cat.id = c.category_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .or_internal("loading a complaint's category")?;
        let deadlines = Deadlines::of(&self.calendar.current(), &category, now);
        sqlx::query("UPDATE complaint SET response_due_at = $1, sla_due_at = $2 WHERE id = $3")
            .bind(deadlines.response)
            .bind(deadlines.resolution)
            .bind(id)
            .execute(&mut *tx)
            .await
            .or_internal("setting deadlines")?;
        Ok(deadlines)
    }

    /// Files a submission. Checks run cheapest first, so a refusal costs
    /// little: the typed fields, the idempotency key, the category and the
    /// district, and only then the photos are decoded. Photos are stored
    /// (after their claim, see `media::orphans`) before the transaction that
    /// refers to them commits; nothing here ever deletes a stored object.
    pub async fn file(&self, submission: &Submission, filer: Filer<'_>) -> Result<Filed, AppError> {
        let input = submission.form.parse()?;
        let digest = submission.digest();
        let idempotency = filer.idempotency_key.map(|k| (k, digest.as_str()));
        if let Some((key, hash)) = idempotency {
            if let Some(previous) = self.replay(key, hash).await? {
                return Ok(previous);
            }
        }
        let category: CategoryRow = sqlx::query_as(
            "SELECT id, first_response_hours, resolution_hours, urgent FROM category \
             WHERE code = $1 AND active = 1",
        )
        .bind(&input.category)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("loading a category")?
        .ok_or(Invalid::CategoryUnknown)?;
        let questions = super::settings::questions(self.store.pool(), Some(category.id))
            .await?
            .remove(&category.id)
            .unwrap_or_default();
        let answers = app::model::question::answers(&questions, &submission.form.answers)?;
        let district = match input.point {
            Some(point) => Some(
                self.districts
                    .at(point)
                    .ok_or(Invalid::LocationOutsideCity)?,
            ),
            None => None,
        };
        let photos = self.store_photos(&submission.photos).await?;
        let new = NewRecord {
            input: &input,
            category,
            district: district.map(|d| (d.id, d.name)),
            photos: &photos,
            answers: &answers,
            filer,
        };
        match self.insert(new, idempotency).await? {
            Inserted::Filed(filed) => {
                tracing::Span::current().record(
                    "tracking_code",
                    tracing::field::display(&filed.tracking_code),
                );
                tracing::info!(tracking_code = %filed.tracking_code, status = filed.status.as_str(), "complaint filed");
                Ok(filed)
            }
            Inserted::KeyTaken => {
                // A concurrent retry committed first: answer as it did.
                let (key, hash) = idempotency.ok_or(AppError::Internal)?;
                self.replay(key, hash)
                    .await?
                    .ok_or_else(|| internal("idempotency", "key taken but no answer stored"))
            }
        }
    }

    /// Decodes, re-encodes and stores photos (claimed first, see
    /// `media::orphans`), before the transaction that names them commits.
    pub async fn store_photos(&self, photos: &[Bytes]) -> Result<Vec<StoredPhoto>, AppError> {
        let mut prepared = Vec::with_capacity(photos.len());
        for bytes in photos {
            prepared.push(self.media.prepare(bytes.clone()).await?);
        }
        if !prepared.is_empty() {
            let keys: Vec<&str> = prepared.iter().map(|p| p.photo.key.as_str()).collect();
            orphans::claim(&self.store, &keys).await?;
        }
        for p in &prepared {
            self.media.put(p).await?;
        }
        Ok(prepared.into_iter().map(|p| p.photo).collect())
    }

    async fn insert(
        &self,
        new: NewRecord<'_>,
        idempotency: Option<(&str, &str)>,
    ) -> Result<Inserted, AppError> {
        let now = self.store.now();
        let mut w = self.store.write().await?;
        if let Some((key, hash)) = idempotency {
            // Reserve the key first. A concurrent holder makes this wait
            // (PostgreSQL: the unique index; SQLite: the writer lock) until
            // it commits, then insert nothing: we answer with its result.
            let reserved = sqlx::query(
                "INSERT INTO idempotency_key (scope, idem_key, request_hash, response_status, \
                 response_body, created_at) VALUES ('complaint', $1, $2, 0, '', $3) \
                 ON CONFLICT (scope, idem_key) DO NOTHING",
            )
            .bind(key)
            .bind(hash)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("reserving an idempotency key")?
            .rows_affected();
            if reserved == 0 {
                // Commit nothing, but return only once the holder's
                // writes are durable (on SQLite it may share our group
                // commit), so the pool reads its answer.
                w.commit()
                    .await
                    .or_internal("waiting for a concurrent filing")?;
                return Ok(Inserted::KeyTaken);
            }
        }
        let unit: Option<UnitRow> = match &new.district {
            Some((district_id, _)) => sqlx::query_as(
                "SELECT u.id, u.name_fa, u.name_en FROM routing_rule r \
                 JOIN unit u ON u.id = r.unit_id \
                 WHERE r.category_id = $1 AND r.district_id = $2",
            )
            .bind(new.category.id)
            .bind(district_id)
            .fetch_optional(&mut *w.tx)
            .await
            .or_internal("routing")?,
            None => None,
        };
        let status = if unit.is_some() {
            Status::Referred
        } else {
            Status::Submitted
        };
        let code = super::unused_code(&mut w.tx).await?;
        let point = new.input.point;
        let deadlines = Deadlines::of(&self.calendar.current(), &new.category, now);
        // Not a cached prepared statement: sqlx 0.8.6's `Any` driver binds a
        // NULL f64 (no point, no accuracy) to PostgreSQL as a float4, and a
        // statement cached with float4 parameters refuses the next filing's
        // float8 coordinates on that connection ("incorrect binary data
        // format"). Prepared afresh, each filing's parameter types are its
        // own. Tested by `filings_with_and_without_coordinates_mix…`.
        let complaint_id: i64 = sqlx::query_scalar(
            "INSERT INTO complaint (tracking_code, category_id, description, lat, lon, accuracy_m, \
             address, channel, citizen_id, district_id, unit_id, status, sla_due_at, \
             response_due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             RETURNING id",
        )
        .persistent(false)
        .bind(code.as_str())
        .bind(new.category.id)
        .bind(new.input.description.as_str())
        .bind(point.map(|p| p.lat))
        .bind(point.map(|p| p.lon))
        .bind(new.input.accuracy_m)
        .bind(new.input.address.as_deref())
        .bind(new.filer.channel.as_str())
        .bind(new.filer.citizen_id)
        .bind(new.district.as_ref().map(|(id, _)| *id))
        .bind(unit.as_ref().map(|u| u.id))
        .bind(status.as_str())
        // The citizen sees the resolution deadline from the start; the
        // unit's first-response clock starts once a unit holds it.
        .bind(deadlines.resolution)
        .bind(unit.as_ref().map(|_| deadlines.response))
        .bind(now)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("inserting a complaint")?;
        let filer_actor = match (new.filer.operator, new.filer.citizen_id) {
            (Some(op), _) => super::Actor::Staff {
                user_id: op.user_id,
                role: app::model::Role::Operator,
            },
            (None, Some(_)) => super::Actor::Citizen,
            (None, None) => super::Actor::Anonymous,
        };
        let submitted = Event {
            kind: EventKind::Submitted,
            to: Some(Status::Submitted),
            ..Event::by(filer_actor)
        };
        record_event(&mut w.tx, complaint_id, now, submitted).await?;
        if let Some(unit) = &unit {
            let referred = Event {
                kind: EventKind::Referred,
                from: Some(Status::Submitted),
                to: Some(Status::Referred),
                unit_id: Some(unit.id),
                ..Event::by(super::Actor::System)
            };
            record_event(&mut w.tx, complaint_id, now, referred).await?;
        }
        for p in new.photos {
            insert_photo(&mut w.tx, complaint_id, None, "citizen", p, now).await?;
        }
        super::settings::insert_answers(&mut w.tx, complaint_id, new.answers).await?;
        if let Some(texts) = new.filer.texts {
            let body = crate::notify::render(
                app::i18n::Msg::SmsFiled,
                app::i18n::Lang::Fa,
                &code,
                None,
                texts.public_url,
            );
            let message = crate::notify::Message {
                phone: texts.to.to_owned(),
                body,
                complaint_id: Some(complaint_id),
            };
            crate::notify::enqueue(&mut w.tx, now, &[message]).await?;
        }
        if let Some(op) = new.filer.operator {
            super::audit::record(
                &mut w.tx,
                now,
                super::audit::Audit {
                    actor_user_id: Some(op.user_id),
                    actor: op.username,
                    action: "intake",
                    target: Some(code.as_str()),
                    detail: Some(new.filer.channel.as_str()),
                    client: Some(op.client),
                },
            )
            .await?;
        }
        let filed = Filed {
            tracking_code: code,
            status,
            district: new.district.map(|(_, n)| n),
            unit: unit.map(|u| Named {
                fa: u.name_fa,
                en: u.name_en,
            }),
        };
        if let Some((key, _)) = idempotency {
            let body = serde_json::to_string(&filed).or_internal("encoding an answer")?;
            sqlx::query(
                "UPDATE idempotency_key SET response_status = 201, response_body = $1 \
                 WHERE scope = 'complaint' AND idem_key = $2",
            )
            .bind(body)
            .bind(key)
            .execute(&mut *w.tx)
            .await
            .or_internal("recording an idempotency answer")?;
        }
        w.commit().await.or_internal("committing a complaint")?;
        Ok(Inserted::Filed(filed))
    }

    /// The stored answer for an idempotency key, if the key was used (and
    /// its filing committed); the same key with another body is refused.
    pub async fn replay(&self, key: &str, hash: &str) -> Result<Option<Filed>, AppError> {
        let row: Option<IdempotencyRow> = sqlx::query_as(
            "SELECT request_hash, response_body FROM idempotency_key \
             WHERE scope = 'complaint' AND idem_key = $1",
        )
        .bind(key)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("reading an idempotency key")?;
        let Some(row) = row else { return Ok(None) };
        if row.request_hash != hash {
            return Err(Invalid::IdempotencyKeyReused.into());
        }
        serde_json::from_str(&row.response_body)
            .map(Some)
            .or_internal("decoding a stored answer")
    }
}

/// Records a stored photo of a complaint (`citizen`, or `proof` of a fix
/// with the event that resolved it).
pub(crate) async fn insert_photo(
    tx: &mut sqlx::AnyConnection,
    complaint_id: i64,
    event_id: Option<i64>,
    kind: &str,
    p: &StoredPhoto,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO photo (complaint_id, event_id, kind, object_key, thumb_key, content_type, \
         width, height, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(complaint_id)
    .bind(event_id)
    .bind(kind)
    .bind(&p.key)
    .bind(&p.thumb_key)
    .bind(p.content_type)
    .bind(i64::from(p.width))
    .bind(i64::from(p.height))
    .bind(p.bytes as i64)
    .bind(now)
    .execute(&mut *tx)
    .await
    .or_internal("recording a photo")?;
    Ok(())
}

/// What one filing writes.
struct NewRecord<'a> {
    input: &'a ComplaintInput,
    category: CategoryRow,
    district: Option<(i64, Named)>,
    photos: &'a [StoredPhoto],
    answers: &'a [app::model::question::Answer],
    filer: Filer<'a>,
}

enum Inserted {
    Filed(Filed),
    /// Another request holds this idempotency key and has committed.
    KeyTaken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_clients_name_only_citizen_channels() {
        assert_eq!(Channel::from_form("", Channel::Web), Ok(Channel::Web));
        assert_eq!(Channel::from_form("app", Channel::Web), Ok(Channel::App));
        assert_eq!(
            Channel::from_form("kiosk", Channel::Web),
            Ok(Channel::Kiosk)
        );
        assert_eq!(
            Channel::from_form("phone", Channel::Web),
            Err(Invalid::ChannelUnknown)
        );
    }

    #[test]
    fn the_digest_ignores_the_key_and_the_channel_but_nothing_else() {
        let mut a = Submission::default();
        a.form.description = "چاله".into();
        let mut b = a.clone();
        b.form.idempotency_key = "k".into();
        b.form.channel = "web".into();
        assert_eq!(a.digest(), b.digest());
        b.form.lat = "1".into();
        assert_ne!(a.digest(), b.digest());
        let mut c = a.clone();
        c.photos.push(Bytes::from_static(b"x"));
        assert_ne!(a.digest(), c.digest());
    }

    #[test]
    fn fields_become_the_typed_form() {
        let form: ReportForm = form_from(vec![
            ("description".into(), "<b>چاله</b>".into()),
            ("lat".into(), "۳۶".into()),
            ("unexpected".into(), "ignored".into()),
        ]);
        assert_eq!(form.description, "<b>چاله</b>");
        assert_eq!(form.lat, "۳۶");
        assert_eq!(form.category, "");
    }
}
