//! The desk's reads and the citizen's nearby lookup, timed on whatever
//! complaints a benchmark filled in (`desk_bench` at 100,000,
//! `report_bench` at 10,000,000).

use super::{ms, percentile};
use app::{
    api::staff::{CartableFilter, StaffDesk, StaffViewer},
    i18n::Lang,
    model::{GeoPoint, Grant, Role, Status, TrackingCode},
};
use server::{
    services::{citizen::CitizenService, desk::DeskService},
    store::Store,
};
use std::time::Instant;

/// Times `f` `runs` times; prints p50/p95.
pub async fn time<F, Fut, T>(label: &str, runs: usize, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let _ = f().await; // warm the caches and the statement cache
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let _ = f().await;
        samples.push(t.elapsed());
    }
    samples.sort();
    println!(
        "  {label:<44} p50 {:>10}  p95 {:>10}",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.95))
    );
}

pub fn viewer(user_id: i64, grants: Vec<Grant>) -> StaffViewer {
    StaffViewer {
        user_id,
        username: "bench".into(),
        display_name: "bench".into(),
        grants,
        must_change_password: false,
    }
}

/// The desk service over `store`, with the default working week.
pub async fn service(store: &Store) -> anyhow::Result<DeskService> {
    let calendars = server::services::calendar::Calendars::load(
        store.clone(),
        app::model::calendar::WorkCalendar::default(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(DeskService::new(store.clone(), calendars))
}

/// Times the cartable (one unit, deep pages, filtered, city-wide), the
/// dispatch and verification queues, one complaint's full view, and the
/// nearby lookup around the busiest open complaint's point.
pub async fn queries(store: &Store, runs: usize) -> anyhow::Result<()> {
    let desk = service(store).await?;
    let unit: i64 = sqlx::query_scalar("SELECT id FROM unit WHERE code = 'civil'")
        .fetch_one(store.pool())
        .await?;
    let staff = viewer(
        1,
        vec![Grant {
            role: Role::UnitStaff,
            unit_id: Some(unit),
        }],
    );
    let supervisor = viewer(
        2,
        vec![Grant {
            role: Role::Supervisor,
            unit_id: None,
        }],
    );
    let operator = viewer(
        3,
        vec![Grant {
            role: Role::Operator,
            unit_id: None,
        }],
    );
    let page1 = CartableFilter {
        page: 1,
        ..Default::default()
    };
    let in_unit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaint WHERE unit_id = $1")
        .bind(unit)
        .fetch_one(store.pool())
        .await?;
    println!("  (the civil works unit holds {in_unit} of them)");
    time("cartable, one unit, open items, page 1", runs, || {
        desk.cartable(&staff, &page1)
    })
    .await;
    let deep = CartableFilter {
        page: 20,
        ..Default::default()
    };
    time("cartable, one unit, open items, page 20", runs, || {
        desk.cartable(&staff, &deep)
    })
    .await;
    let filtered = CartableFilter {
        status: Some(Status::InProgress),
        district: Some("d1".into()),
        from: Some(server::now() - 30 * 86_400),
        to: Some(server::now()),
        page: 1,
        ..Default::default()
    };
    time("cartable, one unit, status+district+30 days", runs, || {
        desk.cartable(&staff, &filtered)
    })
    .await;
    time("cartable, city-wide (supervisor), page 1", runs, || {
        desk.cartable(&supervisor, &page1)
    })
    .await;
    time("dispatch queue, page 1", runs, || {
        desk.dispatch_queue(&operator, 1)
    })
    .await;
    time("verification queue, page 1", runs, || {
        desk.verify_queue(&supervisor, 1)
    })
    .await;
    let some: String =
        sqlx::query_scalar("SELECT tracking_code FROM complaint ORDER BY id DESC LIMIT 1")
            .fetch_one(store.pool())
            .await?;
    // report_bench's generated complaints carry made-up codes ("BENCH…"),
    // which no page could ask for: the full view is timed where codes are real.
    match TrackingCode::parse(&some) {
        Ok(code) => {
            time("one complaint, full view", runs, || {
                desk.complaint(&supervisor, &code)
            })
            .await
        }
        Err(_) => {
            println!("  (one complaint's full view: skipped, the generated codes are not real)")
        }
    }
    // Nearby: around an open complaint's point, for its category.
    let (category, lat, lon): (String, f64, f64) = sqlx::query_as(
        "SELECT cat.code, c.lat, c.lon FROM complaint c JOIN category cat ON cat.id = c.category_id \
         WHERE c.status = 'referred' AND c.lat IS NOT NULL AND cat.nearby_radius_m > 0 \
         ORDER BY c.id DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await?;
    let citizen = CitizenService::new(store.clone());
    let point = GeoPoint { lat, lon };
    let found = citizen
        .nearby(&category, point, Lang::Fa)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    println!(
        "  (nearby: {} open {category} complaints within {} m)",
        found.items.len(),
        found.radius_m
    );
    time("nearby lookup (citizen's report form)", runs, || {
        citizen.nearby(&category, point, Lang::Fa)
    })
    .await;
    Ok(())
}
