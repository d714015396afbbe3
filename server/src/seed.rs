//! First-start data: the default category list (always, into an empty
//! database); in demo mode the demo city's districts, its units, the
//! routing table and one account per staff role; otherwise, on a first
//! start, one admin account whose password must be changed at first sign-in.

use crate::auth::{password, Role};
use crate::store::Store;
use anyhow::Context;
use serde::Deserialize;

const CATEGORIES_CSV: &str = include_str!("../demo/categories.csv");
const DISTRICTS_GEOJSON: &str = include_str!("../demo/demo-city-districts.geojson");
const PLACES_JSON: &str = include_str!("../demo/demo-city-places.json");

/// One of the demo city's known places.
#[derive(Deserialize)]
struct Place {
    name_fa: String,
    name_en: String,
    lat: f64,
    lon: f64,
}

/// City-wide organisations that own categories not handled by a district
/// office: (unit kind, Persian name, English name).
const ORGANISATIONS: [(&str, &str, &str); 7] = [
    (
        "waste",
        "سازمان مدیریت پسماند",
        "Waste Management Organisation",
    ),
    (
        "parks",
        "سازمان سیما، منظر و فضای سبز",
        "Parks and Green Space Organisation",
    ),
    ("civil", "معاونت فنی و عمرانی", "Civil Works Deputy"),
    (
        "traffic",
        "سازمان حمل‌ونقل و ترافیک",
        "Transport and Traffic Organisation",
    ),
    (
        "planning",
        "معاونت شهرسازی و معماری",
        "Urban Planning Deputy",
    ),
    (
        "social",
        "معاونت فرهنگی و اجتماعی",
        "Social and Cultural Deputy",
    ),
    (
        "beautification",
        "سازمان زیباسازی",
        "City Beautification Organisation",
    ),
];

/// A staff account created at this start-up, with its one-time password.
#[derive(Debug)]
pub struct NewAccount {
    pub username: String,
    pub role: Role,
    pub password: String,
    /// The password was made for the person, who must replace it.
    pub must_change: bool,
}

/// One row of `categories.csv`.
#[derive(Debug, PartialEq)]
struct CategoryRow<'a> {
    code: &'a str,
    group_fa: &'a str,
    group_en: &'a str,
    name_fa: &'a str,
    name_en: &'a str,
    urgent: bool,
    first_response_hours: i64,
    resolution_hours: i64,
    nearby_radius_m: i64,
    unit_kind: &'a str,
}

/// The file has no quoted fields (checked by a test), so a split is exact.
fn parse_categories(csv: &str) -> anyhow::Result<Vec<CategoryRow<'_>>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(',').collect();
            anyhow::ensure!(
                f.len() == 10,
                "categories.csv line {}: {} fields",
                i + 2,
                f.len()
            );
            Ok(CategoryRow {
                code: f[0],
                group_fa: f[1],
                group_en: f[2],
                name_fa: f[3],
                name_en: f[4],
                urgent: f[5] == "true",
                first_response_hours: f[6].parse().context("first_response_hours")?,
                resolution_hours: f[7].parse().context("resolution_hours")?,
                nearby_radius_m: f[8].parse().context("nearby_radius_m")?,
                unit_kind: f[9],
            })
        })
        .collect()
}

async fn count(store: &Store, table: &str) -> anyhow::Result<i64> {
    // `table` is one of our own constant names, never input.
    Ok(
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(store.pool())
            .await?,
    )
}

/// The demo staff: one account per role (the unit roles held in the first
/// district's office and in the civil works deputy, which answers potholes
/// and street lights city-wide), and a second office's staff member, so
/// "another unit" can be tried out, and a second council member.
fn demo_staff(
    first_units: &[i64],
    second_office: Option<i64>,
) -> Vec<(&'static str, Role, Vec<i64>)> {
    let mut staff: Vec<(&'static str, Role, Vec<i64>)> = Role::STAFF
        .into_iter()
        .map(|role| {
            let units = if role.is_unit_scoped() {
                first_units.to_vec()
            } else {
                Vec::new()
            };
            (role.as_str(), role, units)
        })
        .collect();
    staff.push((
        "unit_staff_2",
        Role::UnitStaff,
        second_office.into_iter().collect(),
    ));
    // A second council member, so referrals between members can be tried.
    staff.push(("council_member_2", Role::CouncilMember, Vec::new()));
    staff
}

/// Gives every demo staff account `password` (at each start with
/// `PASOKH_DEMO_STAFF_PASSWORD`, so a training room's password holds after
/// a restart too); they need not change it.
async fn set_demo_passwords(store: &Store, password: &str) -> anyhow::Result<()> {
    let hash = password::hash(password)?;
    let mut w = store.begin_write().await?;
    for (username, _, _) in demo_staff(&[], None) {
        sqlx::query(
            "UPDATE app_user SET password_hash = $1, must_change_password = 0 WHERE username = $2",
        )
        .bind(&hash)
        .bind(username)
        .execute(&mut *w.tx)
        .await?;
    }
    w.commit().await?;
    Ok(())
}

/// Seeds what an empty database needs. Returns the staff accounts created now
/// (their passwords exist nowhere else), empty when nothing was created.
/// `demo_password`, in demo mode, is every demo staff account's password.
pub async fn seed(
    store: &Store,
    demo: bool,
    demo_password: Option<&str>,
) -> anyhow::Result<Vec<NewAccount>> {
    let now = crate::now();
    let mut w = store.begin_write().await?;
    let has_categories = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM category")
        .fetch_one(&mut *w.tx)
        .await?
        > 0;
    if !has_categories {
        for (i, c) in parse_categories(CATEGORIES_CSV)?.iter().enumerate() {
            sqlx::query(
                "INSERT INTO category (code, group_fa, group_en, name_fa, name_en, urgent, \
                 first_response_hours, resolution_hours, nearby_radius_m, unit_kind, sort_order) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(c.code)
            .bind(c.group_fa)
            .bind(c.group_en)
            .bind(c.name_fa)
            .bind(c.name_en)
            .bind(i64::from(c.urgent))
            .bind(c.first_response_hours)
            .bind(c.resolution_hours)
            .bind(c.nearby_radius_m)
            .bind(c.unit_kind)
            .bind(i as i64)
            .execute(&mut *w.tx)
            .await?;
        }
    }
    w.commit().await?;
    if !demo {
        return first_admin(store, now).await;
    }
    if count(store, "district").await? > 0 {
        if let Some(pw) = demo_password {
            set_demo_passwords(store, pw).await?;
        }
        return Ok(Vec::new());
    }

    let mut w = store.begin_write().await?;
    let city = app::model::geo::parse_districts(DISTRICTS_GEOJSON)
        .map_err(|e| anyhow::anyhow!("the demo districts: {e}"))?;
    let mut offices = Vec::new();
    for spec in &city {
        let [district_id, office_id, emergency_id] =
            crate::services::districts::add_district(&mut w.tx, spec).await?;
        offices.push((district_id, office_id, emergency_id));
    }
    let mut organisations = Vec::new();
    for (kind, name_fa, name_en) in ORGANISATIONS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO unit (code, kind, name_fa, name_en) VALUES ($1, $1, $2, $3) RETURNING id",
        )
        .bind(kind)
        .bind(name_fa)
        .bind(name_en)
        .fetch_one(&mut *w.tx)
        .await?;
        organisations.push((kind, id));
    }
    let categories: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, unit_kind FROM category ORDER BY id")
            .fetch_all(&mut *w.tx)
            .await?;
    for (category_id, kind) in &categories {
        crate::services::settings::route_by_kind(&mut w.tx, *category_id, kind).await?;
    }
    let places: Vec<Place> =
        serde_json::from_str(PLACES_JSON).context("parsing the demo places")?;
    for p in &places {
        sqlx::query("INSERT INTO place (name_fa, name_en, lat, lon) VALUES ($1, $2, $3, $4)")
            .bind(&p.name_fa)
            .bind(&p.name_en)
            .bind(p.lat)
            .bind(p.lon)
            .execute(&mut *w.tx)
            .await?;
    }
    let civil = organisations
        .iter()
        .find(|(kind, _)| *kind == "civil")
        .map(|(_, id)| *id);
    let first_units: Vec<i64> = offices
        .first()
        .map(|(_, id, _)| *id)
        .into_iter()
        .chain(civil)
        .collect();
    let second_office = offices.get(1).map(|(_, id, _)| *id);
    let mut accounts = Vec::new();
    for (username, role, units) in demo_staff(&first_units, second_office) {
        let password = match demo_password {
            Some(pw) => pw.to_owned(),
            None => password::generate(),
        };
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO app_user (username, display_name, password_hash, role, unit_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(username)
        .bind(username)
        .bind(password::hash(&password)?)
        .bind(role.as_str())
        .bind(units.first().copied())
        .bind(now)
        .fetch_one(&mut *w.tx)
        .await?;
        let grants: Vec<i64> = if units.is_empty() { vec![0] } else { units };
        for unit in grants {
            sqlx::query("INSERT INTO staff_role (user_id, role, unit_id) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(role.as_str())
                .bind(unit)
                .execute(&mut *w.tx)
                .await?;
        }
        accounts.push(NewAccount {
            username: username.to_owned(),
            role,
            password,
            must_change: false,
        });
    }
    w.commit().await?;
    Ok(accounts)
}

/// A production first start: one admin account with a one-time password
/// (printed once by the caller) that must be changed at the first sign-in.
/// Nothing when any staff account exists.
async fn first_admin(store: &Store, now: i64) -> anyhow::Result<Vec<NewAccount>> {
    let mut w = store.begin_write().await?;
    let staff: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_user WHERE username IS NOT NULL")
        .fetch_one(&mut *w.tx)
        .await?;
    if staff > 0 {
        return Ok(Vec::new());
    }
    let password = password::generate();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (username, display_name, password_hash, role, must_change_password, \
         created_at) VALUES ('admin', 'admin', $1, 'admin', 1, $2) RETURNING id",
    )
    .bind(password::hash(&password)?)
    .bind(now)
    .fetch_one(&mut *w.tx)
    .await?;
    sqlx::query("INSERT INTO staff_role (user_id, role, unit_id) VALUES ($1, 'admin', 0)")
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    w.commit().await?;
    Ok(vec![NewAccount {
        username: "admin".to_owned(),
        role: Role::Admin,
        password,
        must_change: true,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_category_list_parses() {
        assert!(
            !CATEGORIES_CSV.contains('"'),
            "quoted fields need a real CSV parser"
        );
        let rows = parse_categories(CATEGORIES_CSV).expect("parses");
        assert_eq!(rows.len(), 30);
        let kinds: Vec<&str> = ORGANISATIONS.iter().map(|(k, _, _)| *k).collect();
        for row in &rows {
            assert!(
                // District offices and emergency units exist in every district.
                matches!(row.unit_kind, "district" | "emergency") || kinds.contains(&row.unit_kind),
                "no unit for kind {}",
                row.unit_kind
            );
        }
        assert!(rows.iter().any(|r| r.code == "open-manhole" && r.urgent));
    }

    #[test]
    fn shipped_districts_parse() {
        let city = app::model::geo::parse_districts(DISTRICTS_GEOJSON).expect("parses");
        assert_eq!(city.len(), 6);
    }
}
