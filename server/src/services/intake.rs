//! Intake: validate a new complaint, place it in its district, refer it to
//! the unit configured for (category, district), give it a tracking code, and
//! record the first timeline events, all in one transaction. A retry with the
//! same idempotency key returns the first answer and creates nothing.

use super::record_event;
use crate::{
    error::{internal, OrInternal},
    store::Store,
};
use app::{
    error::AppError,
    model::{complaint::Named, geo::Polygon, GeoPoint, Status, TrackingCode},
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// Longest description we accept, in characters (a long SMS page is ~700).
pub const DESCRIPTION_MAX: usize = 1000;
/// Shortest useful description, in characters.
pub const DESCRIPTION_MIN: usize = 5;
/// Longest free-text address, in characters.
pub const ADDRESS_MAX: usize = 300;

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
    fn as_str(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Web => "web",
            Channel::Kiosk => "kiosk",
            Channel::Phone => "phone",
            Channel::InPerson => "in_person",
            Channel::Api => "api",
        }
    }
}

/// A complaint as filed, before validation.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub category: String,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub address: Option<String>,
    pub channel: Channel,
    pub citizen_id: Option<i64>,
}

/// The acknowledgement: returned only after the transaction committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filed {
    pub tracking_code: TrackingCode,
    pub status: Status,
    pub district: Option<Named>,
    pub unit: Option<Named>,
}

/// A stored photo to attach to the complaint (see `media`).
#[derive(Debug, Clone)]
pub struct PhotoRecord {
    pub key: String,
    pub thumb_key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
}

/// A validated complaint.
struct Valid {
    category_id: i64,
    resolution_hours: i64,
    description: String,
    point: Option<GeoPoint>,
    accuracy_m: Option<f64>,
    address: Option<String>,
}

fn clean_text(s: &str) -> String {
    // Drop control characters except newlines; trim the ends.
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Checks the fields that need no database.
fn check_fields(
    new: &NewComplaint,
) -> Result<(String, Option<GeoPoint>, Option<String>), AppError> {
    let description = clean_text(&new.description);
    let len = description.chars().count();
    if len < DESCRIPTION_MIN {
        return Err(AppError::invalid("description", "too_short"));
    }
    if len > DESCRIPTION_MAX {
        return Err(AppError::invalid("description", "too_long"));
    }
    let address = new
        .address
        .as_deref()
        .map(clean_text)
        .filter(|a| !a.is_empty());
    if address
        .as_ref()
        .is_some_and(|a| a.chars().count() > ADDRESS_MAX)
    {
        return Err(AppError::invalid("address", "too_long"));
    }
    let point = match (new.lat, new.lon) {
        (Some(lat), Some(lon)) => Some(
            GeoPoint::parse(lat, lon).map_err(|_| AppError::invalid("location", "out_of_range"))?,
        ),
        (None, None) => None,
        _ => return Err(AppError::invalid("location", "incomplete")),
    };
    if point.is_none() && address.is_none() {
        return Err(AppError::invalid("location", "missing"));
    }
    if let Some(acc) = new.accuracy_m {
        if !(0.0..=100_000.0).contains(&acc) {
            return Err(AppError::invalid("accuracy_m", "out_of_range"));
        }
    }
    Ok((description, point, address))
}

/// Files complaints.
#[derive(Clone)]
pub struct IntakeService {
    store: Store,
}

impl IntakeService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn validate(&self, new: &NewComplaint) -> Result<Valid, AppError> {
        let (description, point, address) = check_fields(new)?;
        let row =
            sqlx::query("SELECT id, resolution_hours FROM category WHERE code = $1 AND active = 1")
                .bind(new.category.trim())
                .fetch_optional(self.store.pool())
                .await
                .or_internal("loading a category")?
                .ok_or_else(|| AppError::invalid("category", "unknown"))?;
        Ok(Valid {
            category_id: row.try_get("id").or_internal("category id")?,
            resolution_hours: row
                .try_get("resolution_hours")
                .or_internal("category hours")?,
            description,
            point,
            accuracy_m: new.accuracy_m,
            address,
        })
    }

    /// The district containing `point`: bounding boxes in SQL, then the exact
    /// polygon test here.
    pub async fn district_at(&self, point: GeoPoint) -> Result<Option<(i64, Named)>, AppError> {
        let rows = sqlx::query(
            "SELECT id, name_fa, name_en, geometry FROM district \
             WHERE min_lon <= $1 AND max_lon >= $1 AND min_lat <= $2 AND max_lat >= $2 ORDER BY id",
        )
        .bind(point.lon)
        .bind(point.lat)
        .fetch_all(self.store.pool())
        .await
        .or_internal("loading districts")?;
        for row in rows {
            let geometry: String = row.try_get("geometry").or_internal("district geometry")?;
            let rings: Vec<Vec<[f64; 2]>> =
                serde_json::from_str(&geometry).or_internal("parsing a district polygon")?;
            if Polygon(rings).contains(point) {
                return Ok(Some((
                    row.try_get("id").or_internal("district id")?,
                    Named {
                        fa: row.try_get("name_fa").or_internal("district name")?,
                        en: row.try_get("name_en").or_internal("district name")?,
                    },
                )));
            }
        }
        Ok(None)
    }

    /// Files a complaint. With `idempotency` = (key, request hash), a retry
    /// with the same key and body returns the first answer; the same key with
    /// another body is refused.
    pub async fn file(
        &self,
        new: NewComplaint,
        photos: &[PhotoRecord],
        idempotency: Option<(&str, &str)>,
    ) -> Result<Filed, AppError> {
        if let Some((key, hash)) = idempotency {
            if let Some(previous) = self.replay(key, hash).await? {
                return Ok(previous);
            }
        }
        let valid = self.validate(&new).await?;
        let district = match valid.point {
            Some(point) => Some(
                self.district_at(point)
                    .await?
                    .ok_or_else(|| AppError::invalid("location", "outside_city"))?,
            ),
            None => None,
        };
        let now = crate::now();
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let unit = match &district {
            Some((district_id, _)) => sqlx::query(
                "SELECT u.id, u.name_fa, u.name_en FROM routing_rule r JOIN unit u ON u.id = r.unit_id \
                 WHERE r.category_id = $1 AND r.district_id = $2",
            )
            .bind(valid.category_id)
            .bind(district_id)
            .fetch_optional(&mut *w.tx)
            .await
            .or_internal("routing")?
            .map(|row| -> Result<(i64, Named), AppError> {
                Ok((
                    row.try_get("id").or_internal("unit id")?,
                    Named {
                        fa: row.try_get("name_fa").or_internal("unit name")?,
                        en: row.try_get("name_en").or_internal("unit name")?,
                    },
                ))
            })
            .transpose()?,
            None => None,
        };
        let status = if unit.is_some() {
            Status::Referred
        } else {
            Status::Submitted
        };
        let sla_due = now + valid.resolution_hours * 3600;
        let mut inserted = None;
        for _ in 0..8 {
            let serial = rand::random_range(100_000_000..=999_999_999u32);
            let code = TrackingCode::from_serial(serial).ok_or(AppError::Internal)?;
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM complaint WHERE tracking_code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&mut *w.tx)
                    .await
                    .or_internal("checking a tracking code")?;
            if taken.is_none() {
                inserted = Some(code);
                break;
            }
        }
        let code =
            inserted.ok_or_else(|| internal("tracking codes", "eight collisions in a row"))?;
        let complaint_id: i64 = sqlx::query_scalar(
            "INSERT INTO complaint (tracking_code, category_id, description, lat, lon, accuracy_m, \
             address, channel, citizen_id, district_id, unit_id, status, sla_due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(code.as_str())
        .bind(valid.category_id)
        .bind(&valid.description)
        .bind(valid.point.map(|p| p.lat))
        .bind(valid.point.map(|p| p.lon))
        .bind(valid.accuracy_m)
        .bind(valid.address.as_deref())
        .bind(new.channel.as_str())
        .bind(new.citizen_id)
        .bind(district.as_ref().map(|(id, _)| *id))
        .bind(unit.as_ref().map(|(id, _)| *id))
        .bind(status.as_str())
        .bind(sla_due)
        .bind(now)
        .fetch_one(&mut *w.tx)
        .await
        .or_internal("inserting a complaint")?;
        let actor = if new.citizen_id.is_some() {
            "citizen"
        } else {
            "anonymous"
        };
        record_event(
            &mut w.tx,
            complaint_id,
            now,
            "submitted",
            None,
            Some(Status::Submitted),
            actor,
            None,
            None,
        )
        .await?;
        if let Some((unit_id, _)) = &unit {
            record_event(
                &mut w.tx,
                complaint_id,
                now,
                "referred",
                Some(Status::Submitted),
                Some(Status::Referred),
                "system",
                Some(*unit_id),
                None,
            )
            .await?;
        }
        for p in photos {
            sqlx::query(
                "INSERT INTO photo (complaint_id, kind, object_key, thumb_key, content_type, width, \
                 height, bytes, created_at) VALUES ($1, 'citizen', $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(complaint_id)
            .bind(&p.key)
            .bind(&p.thumb_key)
            .bind(&p.content_type)
            .bind(p.width)
            .bind(p.height)
            .bind(p.bytes)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("recording a photo")?;
        }
        let filed = Filed {
            tracking_code: code,
            status,
            district: district.map(|(_, n)| n),
            unit: unit.map(|(_, n)| n),
        };
        if let Some((key, hash)) = idempotency {
            let body = serde_json::to_string(&filed).or_internal("encoding an answer")?;
            sqlx::query(
                "INSERT INTO idempotency_key (scope, idem_key, request_hash, response_status, \
                 response_body, created_at) VALUES ('complaint', $1, $2, 201, $3, $4)",
            )
            .bind(key)
            .bind(hash)
            .bind(body)
            .bind(now)
            .execute(&mut *w.tx)
            .await
            .or_internal("recording an idempotency key")?;
        }
        if let Err(e) = w.commit().await {
            // A concurrent retry with the same key may have won the race.
            if let Some((key, hash)) = idempotency {
                if let Some(previous) = self.replay(key, hash).await? {
                    return Ok(previous);
                }
            }
            return Err(internal("committing a complaint", e));
        }
        tracing::info!(tracking_code = %filed.tracking_code, status = filed.status.as_str(), "complaint filed");
        Ok(filed)
    }

    /// Whether any complaint refers to the stored object `key`.
    pub async fn photo_in_use(&self, key: &str) -> Result<bool, AppError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photo WHERE object_key = $1")
            .bind(key)
            .fetch_one(self.store.pool())
            .await
            .or_internal("checking a photo")?;
        Ok(n > 0)
    }

    /// The stored answer for an idempotency key, if the key was used.
    pub async fn replay(&self, key: &str, hash: &str) -> Result<Option<Filed>, AppError> {
        let row = sqlx::query(
            "SELECT request_hash, response_body FROM idempotency_key \
             WHERE scope = 'complaint' AND idem_key = $1",
        )
        .bind(key)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("reading an idempotency key")?;
        let Some(row) = row else { return Ok(None) };
        let stored_hash: String = row.try_get("request_hash").or_internal("request hash")?;
        if stored_hash != hash {
            return Err(AppError::invalid(
                "idempotency_key",
                "reused_with_other_body",
            ));
        }
        let body: String = row.try_get("response_body").or_internal("response body")?;
        serde_json::from_str(&body)
            .map(Some)
            .or_internal("decoding a stored answer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(
        description: &str,
        lat: Option<f64>,
        lon: Option<f64>,
        address: Option<&str>,
    ) -> NewComplaint {
        NewComplaint {
            category: "asphalt-repair".into(),
            description: description.into(),
            lat,
            lon,
            accuracy_m: None,
            address: address.map(Into::into),
            channel: Channel::Web,
            citizen_id: None,
        }
    }

    #[test]
    fn field_checks_name_the_field() {
        let short = check_fields(&new("کم", Some(36.26), Some(50.0), None));
        assert_eq!(
            short.err(),
            Some(AppError::invalid("description", "too_short"))
        );
        let long = check_fields(&new(
            &"ا".repeat(DESCRIPTION_MAX + 1),
            None,
            None,
            Some("x"),
        ));
        assert_eq!(
            long.err(),
            Some(AppError::invalid("description", "too_long"))
        );
        let nowhere = check_fields(&new("چاله بزرگ وسط خیابان", None, None, None));
        assert_eq!(
            nowhere.err(),
            Some(AppError::invalid("location", "missing"))
        );
        let half = check_fields(&new("چاله بزرگ وسط خیابان", Some(36.0), None, None));
        assert_eq!(
            half.err(),
            Some(AppError::invalid("location", "incomplete"))
        );
        let bad = check_fields(&new("چاله بزرگ وسط خیابان", Some(136.0), Some(50.0), None));
        assert_eq!(
            bad.err(),
            Some(AppError::invalid("location", "out_of_range"))
        );
    }

    #[test]
    fn address_alone_is_enough_and_text_is_cleaned() {
        let (desc, point, addr) = check_fields(&new(
            "  چاله\u{0007} بزرگ  ",
            None,
            None,
            Some("  خیابان فردوسی "),
        ))
        .expect("valid");
        assert_eq!(desc, "چاله بزرگ");
        assert_eq!(point, None);
        assert_eq!(addr.as_deref(), Some("خیابان فردوسی"));
    }
}
