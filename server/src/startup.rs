//! Builds the application: storage, state, the router with its layers, and a
//! bound listener (port 0 in tests).

use crate::{
    assets,
    config::Config,
    jobs::Jobs,
    media::MediaStore,
    routes,
    services::{catalog::CatalogService, districts::Districts, intake::IntakeService},
    store::Store,
    web::{leptos_context, shell, AppState},
};
use anyhow::Context;
use axum::{
    http::{header, HeaderName, HeaderValue},
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer,
    set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer,
};

/// The built application, listening but not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    jobs: Jobs,
    state: AppState,
}

/// Whether cargo-leptos left content hashes beside this binary.
fn hash_file_present() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists()))
        .unwrap_or(false)
}

impl Application {
    /// Connects storage, seeds an empty database, builds the router and
    /// binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
        let clock = if config.simulated_clock {
            tracing::warn!("PASOKH_CLOCK=simulated: training mode, admins can move time forward");
            crate::clock::Clock::simulated(0)
        } else {
            crate::clock::Clock::system()
        };
        let store = Store::connect(config.database_url.expose(), config.db_max_connections)
            .await?
            .with_clock(clock);
        store
            .clock()
            .load(store.pool())
            .await
            .map_err(|e| anyhow::anyhow!("loading the simulated clock: {e}"))?;
        let accounts = crate::seed::seed(
            &store,
            config.demo,
            config.demo_staff_password.as_ref().map(|s| s.expose()),
        )
        .await?;
        if !accounts.is_empty() {
            // Printed once: the hashes are all that is stored.
            println!("Staff accounts created now (passwords are shown only this once):");
            for a in &accounts {
                let note = if a.must_change {
                    "  (must be changed at the first sign-in)"
                } else {
                    ""
                };
                println!(
                    "  {:<15} {:<15} {}{note}",
                    a.username,
                    a.role.as_str(),
                    a.password
                );
            }
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let leptos_options = LeptosOptions::builder()
            .output_name("pasokh")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .hash_files(hash_file_present())
            .build();
        let calendars =
            crate::services::calendar::Calendars::load(store.clone(), config.calendar.clone())
                .await
                .map_err(|e| anyhow::anyhow!("loading the holidays: {e}"))?;
        let districts = Districts::load(store.clone())
            .await
            .map_err(|e| anyhow::anyhow!("loading districts: {e}"))?;
        let catalog = Arc::new(CatalogService::new(store.clone(), districts.clone()));
        let settings = app::api::ports::SiteSettings {
            tile_url: config.map.tile_url.clone(),
            tile_attribution: config.map.attribution.clone(),
            city_bounds: {
                let catalog = catalog.clone();
                app::api::ports::Live::new(move || catalog.city_bounds())
            },
            asset_version: asset_version(&config.site_root),
            simulated_clock: store.clock().is_simulated().then(|| {
                let clock = store.clock().clone();
                app::api::ports::Live::new(move || clock.now())
            }),
            public_url: config.public_url.clone(),
            kiosk_idle_seconds: config.kiosk_idle_seconds,
            push: config.push,
        };
        let sms = crate::sms::from_config(&config.sms)?;
        let tracking = Arc::new(crate::services::tracking::TrackingService::new(
            store.clone(),
        ));
        let media = MediaStore::from_config(
            config.object_store_url.as_deref(),
            &config.data_dir,
            crate::media::MediaConfig::default(),
        )?;
        let accounts = crate::auth::otp::Accounts::new(store.clone(), sms.clone(), config.otp);
        let intake = IntakeService::new(
            store.clone(),
            media.clone(),
            districts.clone(),
            calendars.clone(),
        );
        let outbox = crate::notify::Outbox::new(store.clone(), sms);
        // Web push: the VAPID key is made on the first start and kept.
        let push = if config.push {
            Some(
                crate::push::WebPush::start(
                    &store,
                    config.vapid_subject.clone(),
                    crate::push::PushResolver::new(
                        config.push_hosts.clone(),
                        config.push_local_endpoints,
                    ),
                )
                .await?,
            )
        } else {
            None
        };
        let escalation = crate::services::escalation::EscalationService::new(
            store.clone(),
            calendars.clone(),
            config.escalation_grace_hours,
            config.public_url.clone(),
            districts.clone(),
        );
        let state = AppState {
            accounts: accounts.clone(),
            staff_accounts: crate::auth::staff::StaffAccounts::new(
                store.clone(),
                config.staff_signin,
            ),
            workflow: crate::services::workflow::WorkflowService::new(
                store.clone(),
                intake.clone(),
                config.public_url.clone(),
                config.kiosk_networks.clone(),
            ),
            outbox: outbox.clone(),
            escalation: escalation.clone(),
            citizens: crate::services::citizen::CitizenService::new(store.clone()),
            settings,
            leptos_options,
            services: crate::services::services(
                &store,
                catalog.clone(),
                tracking.clone(),
                calendars.clone(),
                districts.clone(),
            ),
            calendars,
            districts,
            catalog,
            tracking,
            intake,
            media: media.clone(),
            store: store.clone(),
            config: Arc::new(config),
            metrics: crate::metrics::Metrics::default(),
            push: push.clone(),
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
            jobs: Jobs {
                store,
                accounts,
                media,
                outbox,
                escalation,
                push: push.map(|p| p.outbox),
            },
        })
    }

    /// The timed jobs (tests run them on demand).
    pub fn jobs(&self) -> Jobs {
        self.jobs.clone()
    }

    /// The services the handlers share (tests call them directly).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until SIGTERM or SIGINT; then drains (`/ready` answers
    /// "draining" for `PASOKH_DRAIN_SECONDS` while requests are still
    /// served, so a load balancer stops sending here first), stops
    /// accepting, lets in-flight requests finish, and closes the database.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        use axum::serve::ListenerExt;
        let jobs = self.jobs.clone().spawn();
        // Without TCP_NODELAY a small response body waits for the client's
        // delayed ACK (40 ms on Linux) on every kept-alive connection.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "TCP_NODELAY");
            }
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(drain(
            self.state.metrics.clone(),
            Duration::from_secs(self.state.config.drain_seconds),
        ))
        .await;
        for job in jobs {
            job.abort();
        }
        served?;
        self.jobs.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// A short digest of `site/js/*` (scripts whose names carry no hash).
fn asset_version(site_root: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let mut files: Vec<_> = std::fs::read_dir(site_root.join("js"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        if let Ok(bytes) = std::fs::read(&f) {
            h.update(
                f.file_name()
                    .map(|n| n.as_encoded_bytes())
                    .unwrap_or_default(),
            );
            h.update(bytes);
        }
    }
    format!("{:x}", h.finalize())[..10].to_owned()
}

/// Assembles routes and layers.
pub fn router(state: AppState) -> Router {
    let pages = generate_route_list(app::App);
    let proxies = state.config.trusted_proxies.clone();
    let router = Router::new()
        .route("/health", get(routes::health))
        .route("/ready", get(routes::ready))
        .route("/metrics", get(crate::metrics::serve))
        .route("/lang/{lang}", get(routes::switch_lang))
        .route("/kiosk/reset", post(routes::kiosk_reset))
        .route("/media/{key}", get(routes::media))
        .route("/t/{code}", get(routes::short_link))
        .merge(crate::forms::routes())
        .merge(crate::staff_forms::routes())
        .merge(crate::rest::routes());
    let router = router
        .leptos_routes_with_context(
            &state,
            pages,
            leptos_context(&state),
            shell(&state.leptos_options),
        )
        .fallback(assets::static_or_not_found)
        .layer(axum::middleware::from_fn(crate::staff_forms::gate))
        .layer(axum::middleware::from_fn_with_state(
            (state.accounts.clone(), state.config.secure_cookies()),
            crate::auth::session::resolve,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::net::resolve(proxies.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
        .layer(CompressionLayer::new().br(true).gzip(true));
    with_security_headers(router)
        // Uploads from slow mobile networks need time; nothing needs more.
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_failure(log_failure),
        )
        .layer(CatchPanicLayer::new())
}

/// Headers every response carries unless the handler set its own (pages set
/// a CSP with their script nonce; static files set their cache policy).
fn with_security_headers(router: Router) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        ))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            "geolocation=(self), camera=(self), microphone=()",
        ))
        // Pages may carry a person's data: no shared caches, always revalidate.
        .layer(set(header::CACHE_CONTROL, "private, no-cache"))
}

/// A 5xx in the log: an error, except 503, which only `/ready` answers (a
/// draining node, or one whose database is down: the balancer's polling
/// would fill the log with one line per check).
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass::StatusCode;
    let latency_ms = latency.as_millis();
    match class {
        StatusCode(s) if s == http::StatusCode::SERVICE_UNAVAILABLE => {
            tracing::debug!(latency_ms, "not ready (503)")
        }
        other => tracing::error!(classification = %other, latency_ms, "response failed"),
    }
}

/// The span every request's logs sit in; intake records the tracking code
/// in it once it is known.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        tracking_code = tracing::field::Empty,
    )
}

/// Resolves when the server should stop accepting: a signal, then the drain.
async fn drain(metrics: crate::metrics::Metrics, period: Duration) {
    shutdown_signal().await;
    metrics.start_draining();
    tracing::info!(seconds = period.as_secs(), "draining: /ready answers 503");
    tokio::time::sleep(period).await;
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "no SIGTERM handler");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
