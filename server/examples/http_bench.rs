//! HTTP benchmark (not a test: it prints figures and asserts nothing about
//! time). `make bench` runs it with the others. On SQLite in a temporary
//! directory (WAL, `synchronous=FULL`), the release server on port 0, a
//! client in the same process:
//!
//! 1. The tracking page rendered per request, against the same bytes served
//!    as a static file by the same server (8 connections, closed loop), and
//!    the page at a paced 1,000 requests a second (open loop): p50 and p99.
//! 2. Filings over HTTP (text only, then with one ~200 KB photo), against
//!    the same filings handed straight to the intake service (no HTTP,
//!    multipart or routing: what the web layer costs), and against a bare
//!    loop: one SQLite connection of its own on the same database file,
//!    no pool, no service, writing the same rows in one transaction per
//!    filing (and fifty per transaction), the same photo decoded and
//!    re-encoded, the photo and thumbnail written and fsynced with plain
//!    `std::fs`. The rows each way writes per filing are counted and
//!    printed side by side.
//!
//! Every phase runs for `PASOKH_BENCH_SECONDS` (default 5) and stops.

use app::api::forms::ReportForm;
use bytes::Bytes;
use common::{ms, percentile};
use server::{
    config::Config,
    media::MediaStore,
    services::intake::{Channel, Filer, Submission},
    startup::Application,
};
use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

mod common;

/// What one phase measured.
struct Run {
    done: usize,
    failed: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.done as f64 / self.seconds
    }

    fn print(&self, label: &str) {
        println!(
            "  {label:<52} {:>8.0}/s  p50 {:>9}  p99 {:>9}  ({} done, {} failed)",
            self.rate(),
            ms(percentile(&self.latencies, 0.5)),
            ms(percentile(&self.latencies, 0.99)),
            self.done,
            self.failed,
        );
    }
}

/// `workers` loops of `op(worker, i)` for `span`; `op` answers whether it
/// succeeded.
async fn closed_loop<F, Fut>(workers: usize, span: Duration, op: F) -> Run
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let start = Instant::now();
    let deadline = start + span;
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let op = op.clone();
            tokio::spawn(async move {
                let (mut ok, mut failed, mut lat) = (0, 0, Vec::new());
                let mut i = 0;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if op(w, i).await {
                        ok += 1;
                        lat.push(t.elapsed());
                    } else {
                        failed += 1;
                    }
                    i += 1;
                }
                (ok, failed, lat)
            })
        })
        .collect();
    let mut run = Run {
        done: 0,
        failed: 0,
        seconds: 0.0,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (ok, failed, lat) = t.await.expect("worker");
        run.done += ok;
        run.failed += failed;
        run.latencies.extend(lat);
    }
    run.seconds = start.elapsed().as_secs_f64();
    run.latencies.sort();
    run
}

/// `GET url` at a fixed `per_second` for `span` (each request on its own
/// task, so a slow answer never delays the next send).
async fn paced(client: &reqwest::Client, url: &str, per_second: u64, span: Duration) -> Run {
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_second));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = per_second * span.as_secs();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for _ in 0..total {
        tick.tick().await;
        let (client, url) = (client.clone(), url.to_owned());
        let (latencies, failed) = (latencies.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = match client.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            if ok {
                latencies.lock().expect("lock").push(t.elapsed());
            } else {
                *failed.lock().expect("lock") += 1;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().expect("lock"));
    latencies.sort();
    let failed = *failed.lock().expect("lock");
    Run {
        done: latencies.len(),
        failed,
        seconds: start.elapsed().as_secs_f64(),
        latencies,
    }
}

fn form(i: usize) -> ReportForm {
    ReportForm {
        category: "asphalt-repair".into(),
        description: format!("چاله عمیق شماره {i} وسط خیابان اصلی"),
        lat: "36.2575".into(),
        lon: "49.974".into(),
        accuracy_m: "8".into(),
        ..Default::default()
    }
}

fn multipart(f: &ReportForm, photo: Option<&Bytes>) -> reqwest::multipart::Form {
    let mut m = reqwest::multipart::Form::new()
        .text("category", f.category.clone())
        .text("description", f.description.clone())
        .text("lat", f.lat.clone())
        .text("lon", f.lon.clone())
        .text("accuracy_m", f.accuracy_m.clone());
    if let Some(p) = photo {
        m = m.part(
            "photo",
            reqwest::multipart::Part::bytes(p.to_vec()).file_name("p.jpg"),
        );
    }
    m
}

/// A camera-like JPEG of about 200 KB, different for each `seed` (photos
/// are stored by content: identical ones would be stored once).
fn photo(seed: u32) -> Bytes {
    let img = image::RgbImage::from_fn(1024, 768, |x, y| {
        let n = (x.wrapping_mul(73_856_093)
            ^ y.wrapping_mul(19_349_663)
            ^ seed.wrapping_mul(83_492_791))
            % 24;
        image::Rgb([
            ((x / 4) as u8).wrapping_add(n as u8),
            ((y / 3) as u8).wrapping_add(seed as u8),
            (n * 3) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .expect("jpeg");
    Bytes::from(out.into_inner())
}

/// The tables a filing writes, and how each is counted: rows, or the sum
/// of a counter column.
const WRITTEN: [(&str, &str); 7] = [
    ("complaint", "COUNT(*)"),
    ("complaint_event", "COUNT(*)"),
    ("idempotency_key", "COUNT(*)"),
    ("photo", "COUNT(*)"),
    ("media_object", "COUNT(*)"),
    ("unit_stat", "SUM(n)"),
    ("unit_open", "SUM(n)"),
];

fn written(db: &rusqlite::Connection) -> anyhow::Result<[i64; 7]> {
    let mut out = [0; 7];
    for (i, (table, count)) in WRITTEN.iter().enumerate() {
        out[i] = db.query_row(
            &format!("SELECT COALESCE({count}, 0) FROM {table}"),
            [],
            |r| r.get(0),
        )?;
    }
    Ok(out)
}

/// Rows written per filing between two counts, as "table n, …".
fn per_filing(before: [i64; 7], after: [i64; 7], filings: usize) -> String {
    WRITTEN
        .iter()
        .zip(before.iter().zip(after))
        .map(|((table, _), (b, a))| {
            format!("{table} {:.2}", (a - b) as f64 / filings.max(1) as f64)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the bare loop files into: the ids a real filing at the bench's
/// point resolves to, the server's photo processing and a directory of its
/// own for the files.
struct Target {
    category: i64,
    district: i64,
    unit: i64,
    media: MediaStore,
    photo_dir: std::path::PathBuf,
}

/// The bare loop: `per_tx` filings per transaction for `span`, on a SQLite
/// connection of its own through the C library's API (rusqlite, prepared
/// statements cached), each the rows the intake service writes for a
/// filing at the bench's point (its idempotency key reserved then answered,
/// the complaint, its two timeline entries, the referral's time and
/// counter; the unit's open gauge by the schema's trigger; with a photo,
/// its claim and its row), photos decoded and re-encoded by the server's
/// own code (two at a time, as the server's two cores would) and written
/// with `std::fs` and fsynced before the transaction commits.
async fn bare_loop(
    db: &mut rusqlite::Connection,
    target: &Target,
    photos: Option<&[Bytes]>,
    per_tx: usize,
    span: Duration,
    serial_base: u32,
) -> anyhow::Result<Run> {
    use futures_util::StreamExt;
    let start = Instant::now();
    let mut done = 0usize;
    let mut latencies = Vec::new();
    let mut serial = serial_base;
    while start.elapsed() < span {
        let t = Instant::now();
        let prepared: Vec<_> = match photos {
            Some(set) => futures_util::stream::iter(0..per_tx)
                .map(|i| target.media.prepare(set[512 + (done + i) % 256].clone()))
                .buffered(2)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .map(|p| p.map_err(|e| anyhow::anyhow!("photo: {}", e.reason())))
                .collect::<anyhow::Result<_>>()?,
            None => Vec::new(),
        };
        for p in &prepared {
            let (full, thumb) = MediaStore::encoded(p);
            for (key, data) in [(&p.photo.thumb_key, thumb), (&p.photo.key, full)] {
                use std::io::Write;
                let mut f = std::fs::File::create(target.photo_dir.join(key))?;
                f.write_all(data)?;
                f.sync_all()?;
            }
        }
        tokio::task::block_in_place(|| {
            bare_transaction(
                db,
                target,
                &prepared,
                done,
                per_tx,
                &mut serial,
                serial_base,
            )
        })?;
        done += per_tx;
        latencies.push(t.elapsed());
    }
    latencies.sort();
    Ok(Run {
        done,
        failed: 0,
        seconds: start.elapsed().as_secs_f64(),
        latencies,
    })
}

/// One transaction of the bare loop: filings `done..done + per_tx`.
fn bare_transaction(
    db: &mut rusqlite::Connection,
    target: &Target,
    prepared: &[server::media::PreparedPhoto],
    done: usize,
    per_tx: usize,
    serial: &mut u32,
    serial_base: u32,
) -> anyhow::Result<()> {
    use rusqlite::params;
    let now = server::now();
    let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for i in 0..per_tx {
        let n = done + i;
        let key = format!("bare-{serial_base}-{n}");
        tx.prepare_cached(
            "INSERT INTO idempotency_key (scope, idem_key, request_hash, response_status, \
             response_body, created_at) VALUES ('complaint', ?1, ?2, 0, '', ?3)",
        )?
        .execute(params![
            key,
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            now
        ])?;
        let code = loop {
            *serial += 1;
            let code = app::model::TrackingCode::from_serial(*serial)
                .ok_or_else(|| anyhow::anyhow!("serial {serial}"))?;
            let taken = tx
                .prepare_cached(
                    "SELECT id FROM complaint WHERE tracking_code = ?1 \
                     UNION ALL SELECT id FROM feedback WHERE tracking_code = ?1",
                )?
                .exists(params![code.as_str()])?;
            if !taken {
                break code;
            }
        };
        let id: i64 = tx
            .prepare_cached(
                "INSERT INTO complaint (tracking_code, category_id, description, lat, lon, \
                 accuracy_m, address, channel, citizen_id, district_id, unit_id, status, \
                 sla_due_at, response_due_at, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, 36.2575, 49.974, 8, NULL, 'api', NULL, ?4, ?5, 'referred', \
                 ?6, ?7, ?8, ?8) RETURNING id",
            )?
            .query_row(
                params![
                    code.as_str(),
                    target.category,
                    form(n).description,
                    target.district,
                    target.unit,
                    now + 7 * 86_400,
                    now + 86_400,
                    now
                ],
                |row| row.get(0),
            )?;
        for (kind, from, to, role, unit) in [
            ("submitted", None, "submitted", "anonymous", None),
            (
                "referred",
                Some("submitted"),
                "referred",
                "system",
                Some(target.unit),
            ),
        ] {
            tx.prepare_cached(
                "INSERT INTO complaint_event (complaint_id, at, kind, from_status, to_status, \
                 actor_user_id, actor_role, unit_id, note, public, linked_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, NULL, 1, NULL)",
            )?
            .execute(params![id, now, kind, from, to, role, unit])?;
        }
        tx.prepare_cached("UPDATE complaint SET referred_at = ?1 WHERE id = ?2")?
            .execute(params![now, id])?;
        tx.prepare_cached(
            "INSERT INTO unit_stat (unit_id, day, metric, bucket, n, total) \
             VALUES (?1, ?2, 'received', 0, 1, 0) ON CONFLICT (day, unit_id, metric, bucket) \
             DO UPDATE SET n = unit_stat.n + 1",
        )?
        .execute(params![target.unit, (now + 12_600).div_euclid(86_400)])?;
        if let Some(p) = prepared.get(i) {
            tx.prepare_cached(
                "INSERT INTO media_object (object_key, claimed_at) VALUES (?1, ?2) \
                 ON CONFLICT (object_key) DO UPDATE SET claimed_at = ?2",
            )?
            .execute(params![p.photo.key, now])?;
            tx.prepare_cached(
                "INSERT INTO photo (complaint_id, event_id, kind, object_key, thumb_key, \
                 content_type, width, height, bytes, created_at) \
                 VALUES (?1, NULL, 'citizen', ?2, ?3, 'image/jpeg', ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                p.photo.key,
                p.photo.thumb_key,
                i64::from(p.photo.width),
                i64::from(p.photo.height),
                p.photo.bytes as i64,
                now
            ])?;
        }
        tx.prepare_cached(
            "UPDATE idempotency_key SET response_status = 201, response_body = ?1 \
             WHERE scope = 'complaint' AND idem_key = ?2",
        )?
        .execute(params![
            format!("{{\"tracking_code\":\"{}\"}}", code.as_str()),
            key
        ])?;
    }
    tx.commit()?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::title("HTTP benchmark");
    let span = Duration::from_secs(
        std::env::var("PASOKH_BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    );
    let data = tempfile::tempdir()?;
    let site = tempfile::tempdir()?;
    let mut config = Config::for_tests(data.path().to_path_buf(), None);
    config.site_root = site.path().to_path_buf();
    config.db_max_connections = 8;
    let app = Application::build(config).await?;
    let state = app.state();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    // 1. The tracking page, rendered and static.
    let res = client
        .post(format!("{base}/api/v1/complaints"))
        .header("Idempotency-Key", "bench-track")
        .multipart(multipart(&form(0), None))
        .send()
        .await?;
    let code = res.json::<serde_json::Value>().await?["tracking_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let page = client
        .get(format!("{base}/track/{code}"))
        .send()
        .await?
        .bytes()
        .await?;
    std::fs::write(site.path().join("bench-track.html"), &page)?;
    println!(
        "tracking page: {} bytes, 8 connections, {} s each",
        page.len(),
        span.as_secs()
    );
    let get = |url: String| {
        let client = client.clone();
        move |_, _| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                match client.get(&url).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };
    let rendered = closed_loop(8, span, get(format!("{base}/track/{code}"))).await;
    rendered.print("GET /track/{code} (rendered per request)");
    let fixed = closed_loop(8, span, get(format!("{base}/bench-track.html"))).await;
    fixed.print("GET the same bytes as a static file");
    println!(
        "  rendered ÷ static: {:.0} %",
        100.0 * rendered.rate() / fixed.rate()
    );
    let steady = paced(&client, &format!("{base}/track/{code}"), 1_000, span).await;
    steady.print("GET /track/{code} paced at 1,000/s");

    // 2. Filings over HTTP against the intake service called directly.
    // 256 each for HTTP, the service and the bare loop: photos are stored
    // by content, so each way stores new ones.
    let photos: Arc<Vec<Bytes>> = Arc::new((0..768).map(photo).collect());
    println!(
        "filings: text only, and with one photo of {} KB (mean of the set)",
        photos.iter().map(Bytes::len).sum::<usize>() / photos.len() / 1024
    );
    let db_path = data.path().join("pasokh.db");
    let mut db = rusqlite::Connection::open(&db_path)?;
    db.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 5000;",
    )?;
    let (category, district, unit): (i64, i64, i64) = db.query_row(
        "SELECT category_id, district_id, unit_id FROM complaint WHERE tracking_code = ?1",
        [&code],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let bare_photos = tempfile::tempdir_in(data.path())?;
    let target = Target {
        category,
        district,
        unit,
        media: state.media.clone(),
        photo_dir: bare_photos.path().to_path_buf(),
    };
    println!(
        "bare loop: its own SQLite connection on the same file through the C API (rusqlite; WAL, \
         synchronous=FULL), {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let runs = [(2, false), (8, false), (32, false), (8, true)];
    let mut serial_base = 990_000_000;
    for (round, (workers, with_photo)) in runs.into_iter().enumerate() {
        let over_http = {
            let (client, base, photos) = (client.clone(), base.clone(), photos.clone());
            move |w: usize, i: usize| {
                let (client, base, photos) = (client.clone(), base.clone(), photos.clone());
                async move {
                    let n = (round * 1_000 + w) * 100_000 + i;
                    let photo = with_photo.then(|| &photos[(w * 31 + i) % 256]);
                    client
                        .post(format!("{base}/api/v1/complaints"))
                        .header("Idempotency-Key", format!("http-{n}"))
                        .multipart(multipart(&form(n), photo))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED)
                }
            }
        };
        // `pass` keeps each pass's idempotency keys its own.
        let direct = |pass: usize| {
            let (intake, photos) = (state.intake.clone(), photos.clone());
            move |w: usize, i: usize| {
                let (intake, photos) = (intake.clone(), photos.clone());
                async move {
                    let n = (round * 1_000 + w) * 100_000 + i;
                    let key = format!("direct-{pass}-{n}");
                    let submission = Submission {
                        form: form(n),
                        photos: if with_photo {
                            vec![photos[256 + (w * 31 + i) % 256].clone()]
                        } else {
                            Vec::new()
                        },
                    };
                    let filer = Filer {
                        channel: Channel::Api,
                        citizen_id: None,
                        idempotency_key: Some(&key),
                        operator: None,
                        texts: None,
                    };
                    intake.file(&submission, filer).await.is_ok()
                }
            }
        };
        let what = if with_photo {
            "with a photo"
        } else {
            "text only"
        };
        let before = written(&db)?;
        let http = closed_loop(workers, span, over_http).await;
        let after = written(&db)?;
        http.print(&format!("file over HTTP, {what}, {workers} at once"));
        let (commits_before, _) = state.store.group_commits();
        let service = closed_loop(workers, span, direct(0)).await;
        let (commits_after, _) = state.store.group_commits();
        service.print(&format!(
            "file through the service, {what}, {workers} at once"
        ));
        state.store.set_group_limit(1);
        let single = closed_loop(workers, span, direct(1)).await;
        state.store.set_group_limit(64);
        single.print("  the same, one commit per filing (no group commit)");
        println!(
            "    {:.1} filings per SQLite commit (group commit; photo claims commit too)",
            service.done as f64 / (commits_after - commits_before).max(1) as f64
        );
        let set = with_photo.then(|| &photos[..]);
        let mut bare = Vec::new();
        for per_tx in [1, 50] {
            serial_base += 1_000_000;
            let b0 = written(&db)?;
            let run = bare_loop(&mut db, &target, set, per_tx, span, serial_base).await?;
            let b1 = written(&db)?;
            run.print(&format!("bare loop, {what}, {per_tx} per transaction"));
            println!("    rows per filing: {}", per_filing(b0, b1, run.done));
            bare.push(run);
        }
        println!(
            "    rows per filing over HTTP: {}",
            per_filing(before, after, http.done)
        );
        println!(
            "  HTTP ÷ service: {:.0} %; HTTP ÷ bare loop: {:.0} % (one per transaction), {:.0} % (fifty)",
            100.0 * http.rate() / service.rate(),
            100.0 * http.rate() / bare[0].rate(),
            100.0 * http.rate() / bare[1].rate(),
        );
    }
    Ok(())
}
