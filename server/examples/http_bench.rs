//! HTTP benchmark (not a test: it prints figures and asserts nothing about
//! time). `make bench` runs it with the others. On SQLite in a temporary
//! directory (WAL, `synchronous=FULL`), the release server on port 0, a
//! client in the same process:
//!
//! 1. The tracking page rendered per request, against the same bytes served
//!    as a static file by the same server (8 connections, closed loop), and
//!    the page at a paced 1,000 requests a second (open loop): p50 and p99.
//! 2. Filings over HTTP (text only, then with one ~200 KB photo), against
//!    the same filings handed straight to the intake service: the same rows
//!    committed, the same photo decoded, re-encoded and fsynced, with no
//!    HTTP, multipart or routing. The ratio is what the web layer costs.
//!
//! Every phase runs for `PASOKH_BENCH_SECONDS` (default 5) and stops.

use app::api::forms::ReportForm;
use bytes::Bytes;
use common::{ms, percentile};
use server::{
    config::Config,
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
            % 64;
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
    let photos: Arc<Vec<Bytes>> = Arc::new((0..512).map(photo).collect());
    println!(
        "filings: text only, and with one photo of {} KB (mean of the set)",
        photos.iter().map(Bytes::len).sum::<usize>() / photos.len() / 1024
    );
    let runs = [(2, false), (8, false), (32, false), (8, true)];
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
        let direct = {
            let (intake, photos) = (state.intake.clone(), photos.clone());
            move |w: usize, i: usize| {
                let (intake, photos) = (intake.clone(), photos.clone());
                async move {
                    let n = (round * 1_000 + w) * 100_000 + i;
                    let key = format!("direct-{n}");
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
        let http = closed_loop(workers, span, over_http).await;
        http.print(&format!("file over HTTP, {what}, {workers} at once"));
        let bare = closed_loop(workers, span, direct).await;
        bare.print(&format!(
            "file through the service, {what}, {workers} at once"
        ));
        println!(
            "  HTTP ÷ service: {:.0} %",
            100.0 * http.rate() / bare.rate()
        );
    }
    Ok(())
}
