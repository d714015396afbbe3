//! Configuration from `PASOKH_*` environment variables, with defaults that run
//! with nothing set. `LEPTOS_*` variables that `cargo leptos watch` exports are
//! honoured so development needs no extra setup.

use anyhow::{bail, Context};
use std::{fmt, net::SocketAddr, path::PathBuf};

/// A value that must never reach a log line.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything the server reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `PASOKH_ADDR`: where to listen (port 0 picks a free port).
    pub addr: SocketAddr,
    /// `PASOKH_DATA_DIR`: the embedded database and photos live here.
    pub data_dir: PathBuf,
    /// `PASOKH_DATABASE_URL`: `sqlite://…` (default, under the data dir) or
    /// `postgres://…`.
    pub database_url: Secret,
    /// `PASOKH_SITE_ROOT`: the built site (`target/site`).
    pub site_root: PathBuf,
    /// `PASOKH_DEMO`: seed the demo city, units and one staff account per
    /// role into an empty database. Off by default: a production first
    /// start creates one admin account and nothing else. `make run` turns
    /// it on.
    pub demo: bool,
    /// `PASOKH_DB_MAX_CONNECTIONS`: pool size.
    pub db_max_connections: u32,
    /// `PASOKH_PUBLIC_URL`: the address citizens use (e.g.
    /// `https://137.example.ir`). When it is HTTPS, session cookies are
    /// `Secure` and `__Host-` prefixed.
    pub public_url: Option<String>,
    /// `PASOKH_KIOSK_IDLE_SECONDS`: seconds without a touch before a lobby
    /// kiosk warns and then wipes the visit (default 90).
    pub kiosk_idle_seconds: u32,
    /// `PASOKH_TILE_URL` and `PASOKH_TILE_ATTRIBUTION`: the map's tile source.
    pub map: MapConfig,
    /// `PASOKH_SMS_PROVIDER` (`log` or `kavenegar`) and its settings.
    pub sms: SmsConfig,
    /// `PASOKH_OTP_HOURLY_LIMIT` (the alarm and brake across all numbers,
    /// default 1000), `PASOKH_OTP_PER_ADDRESS_HOURLY` (default 30) and
    /// `PASOKH_OTP_PER_ADDRESS_BRAKED` (default 3): one-time-code limits.
    pub otp: OtpLimits,
    /// `PASOKH_STAFF_SIGNIN_PER_ACCOUNT` (default 10) and
    /// `PASOKH_STAFF_SIGNIN_PER_ADDRESS` (default 60): staff sign-in
    /// attempts per 15 minutes.
    pub staff_signin: StaffSigninLimits,
    /// `PASOKH_TRUSTED_PROXIES`: addresses or CIDR ranges of the reverse
    /// proxies whose `X-Forwarded-For` names the client (default none).
    pub trusted_proxies: crate::net::Networks,
    /// `PASOKH_KIOSK_NETWORKS`: addresses or CIDR ranges of the lobby
    /// kiosks (as [`Config::trusted_proxies`] resolve them). Only a filing
    /// from one of them may use the kiosk channel, which texts the number
    /// typed on the screen; default loopback only (a kiosk on this machine).
    pub kiosk_networks: crate::net::Networks,
    /// `PASOKH_DEMO_STAFF_PASSWORD`: with the demo, the password of every
    /// demo staff account (training rooms, demos, tests), set at each
    /// start; unset, they get random passwords printed once.
    pub demo_staff_password: Option<Secret>,
    /// `PASOKH_SMS_INBOUND_SECRET`: the shared secret the SMS provider's
    /// inbound webhook (`/api/v1/sms/inbound?secret=…`) must carry; unset,
    /// the webhook is off.
    pub sms_inbound_secret: Option<Secret>,
    /// The working calendar deadlines count in: `PASOKH_WORK_HOURS`
    /// (default `07:00-14:00`), `PASOKH_WEEKEND` (default `fri`; e.g.
    /// `thu,fri`), `PASOKH_THURSDAY_UNTIL` (a short Thursday, e.g. `12:00`;
    /// unset, Thursday is a full day) and `PASOKH_HOLIDAYS` (Jalali dates,
    /// comma-separated, e.g. `1405/01/01,1405/01/02`).
    pub calendar: app::model::calendar::WorkCalendar,
    /// `PASOKH_CLOCK`: `system` (default) or `simulated`, the training
    /// mode in which an admin moves time forward (see `crate::clock`).
    pub simulated_clock: bool,
    /// `PASOKH_ESCALATION_GRACE_HOURS` (default 14, two working days): the
    /// working hours a unit manager has after a missed deadline before it
    /// goes to inspection.
    pub escalation_grace_hours: i64,
    /// `PASOKH_OBJECT_STORE_URL`: where photos live. Unset, a directory
    /// under the data dir; `s3://bucket[/prefix]`, an S3-compatible store
    /// whose endpoint, keys and region come from the standard `AWS_*`
    /// variables (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`).
    pub object_store_url: Option<String>,
    /// `PASOKH_DRAIN_SECONDS` (default 5): after SIGTERM, how long `/ready`
    /// answers "draining" while requests are still served, so a load
    /// balancer stops sending here before the listener closes.
    pub drain_seconds: u64,
    /// `PASOKH_METRICS_TOKEN`: the bearer token `/metrics` asks for;
    /// unset, `/metrics` does not exist (404).
    pub metrics_token: Option<Secret>,
    /// `PASOKH_PUSH` (default on): web push on the tracking page, a second
    /// channel beside SMS. Off, the push routes answer 404 and nothing is
    /// pushed.
    pub push: bool,
    /// `PASOKH_VAPID_SUBJECT`: the contact push services see in each
    /// request (`mailto:` or `https:`); default the public URL when it is
    /// HTTPS, else `mailto:pasokh@localhost`.
    pub vapid_subject: String,
    /// Tests only, never from the environment: browsers may subscribe with
    /// a push service on this machine (plain `http` to a loopback host).
    pub push_local_endpoints: bool,
    /// Tests only, never from the environment: the push services' names
    /// and addresses, asked instead of DNS (a name not listed does not
    /// resolve). `None`: the system's resolver.
    pub push_hosts: Option<crate::push::Hosts>,
}

/// How many codes may be sent, beyond the per-number rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtpLimits {
    /// Codes an hour across all numbers before the brake (and an alarm in
    /// the log).
    pub hourly_ceiling: i64,
    /// Codes an hour per client address. Generous: mobile carriers put
    /// many phones behind one address.
    pub per_address: i64,
    /// Codes an hour per client address while the ceiling is exceeded.
    pub per_address_braked: i64,
}

/// Staff sign-in attempts allowed per 15 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffSigninLimits {
    pub per_account: i64,
    /// A 137 centre's operators may share one address.
    pub per_address: i64,
}

impl Default for StaffSigninLimits {
    fn default() -> Self {
        Self {
            per_account: 10,
            per_address: 60,
        }
    }
}

/// The demo staff password in [`Config::for_tests`].
pub const TEST_STAFF_PASSWORD: &str = "demo-password-1404";

impl Default for OtpLimits {
    fn default() -> Self {
        Self {
            hourly_ceiling: 1000,
            per_address: 30,
            per_address_braked: 3,
        }
    }
}

/// Where map tiles come from. The origin is added to the pages' CSP.
#[derive(Debug, Clone)]
pub struct MapConfig {
    pub tile_url: String,
    pub attribution: String,
}

impl Default for MapConfig {
    fn default() -> Self {
        Self {
            tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".to_owned(),
            attribution: "© OpenStreetMap contributors".to_owned(),
        }
    }
}

/// How one-time codes reach phones.
#[derive(Debug, Clone, Default)]
pub enum SmsConfig {
    /// Writes the code to the server log (development, demos).
    #[default]
    Log,
    /// Kavenegar's verify/lookup API with a template.
    Kavenegar {
        /// `PASOKH_KAVENEGAR_URL` (default `https://api.kavenegar.com`).
        base_url: String,
        /// `PASOKH_KAVENEGAR_API_KEY`.
        api_key: Secret,
        /// `PASOKH_KAVENEGAR_TEMPLATE` (default `pasokh-otp`).
        template: String,
    },
}

impl Config {
    /// Whether cookies must be `Secure` (the public address is HTTPS).
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

fn sms_from_env() -> anyhow::Result<SmsConfig> {
    match var("PASOKH_SMS_PROVIDER").as_deref().map(str::trim) {
        None | Some("log") => Ok(SmsConfig::Log),
        Some("kavenegar") => Ok(SmsConfig::Kavenegar {
            base_url: var("PASOKH_KAVENEGAR_URL")
                .unwrap_or_else(|| "https://api.kavenegar.com".to_owned()),
            api_key: Secret::new(var("PASOKH_KAVENEGAR_API_KEY").context(
                "PASOKH_KAVENEGAR_API_KEY is required with PASOKH_SMS_PROVIDER=kavenegar",
            )?),
            template: var("PASOKH_KAVENEGAR_TEMPLATE").unwrap_or_else(|| "pasokh-otp".to_owned()),
        }),
        Some(other) => bail!("PASOKH_SMS_PROVIDER must be log or kavenegar, not {other:?}"),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A positive whole number from `name`, or `default` when unset.
fn positive(name: &str, default: i64) -> anyhow::Result<i64> {
    match var(name) {
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n: &i64| *n > 0)
            .with_context(|| format!("{name} is not a positive number: {v:?}")),
        None => Ok(default),
    }
}

fn parse_bool(name: &str, value: &str) -> anyhow::Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => bail!("{name} must be true or false, not {other:?}"),
    }
}

impl Config {
    /// Reads the environment. Fails with a message naming the bad variable.
    pub fn from_env() -> anyhow::Result<Self> {
        let addr = var("PASOKH_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr = addr
            .parse()
            .with_context(|| format!("PASOKH_ADDR is not host:port: {addr:?}"))?;
        let data_dir = PathBuf::from(var("PASOKH_DATA_DIR").unwrap_or_else(|| "./data".to_owned()));
        let database_url = var("PASOKH_DATABASE_URL").unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("pasokh.db").display())
        });
        let site_root = PathBuf::from(
            var("PASOKH_SITE_ROOT")
                .or_else(|| var("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".to_owned()),
        );
        let demo = match var("PASOKH_DEMO") {
            Some(v) => parse_bool("PASOKH_DEMO", &v)?,
            None => false,
        };
        let db_max_connections = match var("PASOKH_DB_MAX_CONNECTIONS") {
            Some(v) => v
                .parse()
                .with_context(|| format!("PASOKH_DB_MAX_CONNECTIONS is not a number: {v:?}"))?,
            None => 8,
        };
        let map = MapConfig {
            tile_url: var("PASOKH_TILE_URL").unwrap_or_else(|| MapConfig::default().tile_url),
            attribution: var("PASOKH_TILE_ATTRIBUTION")
                .unwrap_or_else(|| MapConfig::default().attribution),
        };
        if !(map.tile_url.starts_with("https://") || map.tile_url.starts_with("http://")) {
            bail!(
                "PASOKH_TILE_URL must be an http(s) URL, not {:?}",
                map.tile_url
            );
        }
        let demo_staff_password = var("PASOKH_DEMO_STAFF_PASSWORD").map(Secret::new);
        if let Some(pw) = &demo_staff_password {
            if pw.expose().chars().count() < app::api::forms::PASSWORD_MIN {
                bail!(
                    "PASOKH_DEMO_STAFF_PASSWORD must have at least {} characters",
                    app::api::forms::PASSWORD_MIN
                );
            }
        }
        let sms_inbound_secret = var("PASOKH_SMS_INBOUND_SECRET").map(Secret::new);
        let defaults = OtpLimits::default();
        let otp = OtpLimits {
            hourly_ceiling: positive("PASOKH_OTP_HOURLY_LIMIT", defaults.hourly_ceiling)?,
            per_address: positive("PASOKH_OTP_PER_ADDRESS_HOURLY", defaults.per_address)?,
            per_address_braked: positive(
                "PASOKH_OTP_PER_ADDRESS_BRAKED",
                defaults.per_address_braked,
            )?,
        };
        let signin_defaults = StaffSigninLimits::default();
        let staff_signin = StaffSigninLimits {
            per_account: positive(
                "PASOKH_STAFF_SIGNIN_PER_ACCOUNT",
                signin_defaults.per_account,
            )?,
            per_address: positive(
                "PASOKH_STAFF_SIGNIN_PER_ADDRESS",
                signin_defaults.per_address,
            )?,
        };
        let trusted_proxies = match var("PASOKH_TRUSTED_PROXIES") {
            Some(list) => crate::net::Networks::parse(&list)
                .map_err(|e| anyhow::anyhow!("PASOKH_TRUSTED_PROXIES: {e}"))?,
            None => crate::net::Networks::default(),
        };
        let kiosk_networks = match var("PASOKH_KIOSK_NETWORKS") {
            Some(list) => crate::net::Networks::parse(&list)
                .map_err(|e| anyhow::anyhow!("PASOKH_KIOSK_NETWORKS: {e}"))?,
            None => crate::net::Networks::loopback(),
        };
        let holidays = var("PASOKH_HOLIDAYS").unwrap_or_default();
        let holidays: Vec<&str> = holidays
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let calendar = app::model::calendar::WorkCalendar::parse(
            var("PASOKH_WORK_HOURS").as_deref().unwrap_or("07:00-14:00"),
            var("PASOKH_WEEKEND").as_deref().unwrap_or("fri"),
            var("PASOKH_THURSDAY_UNTIL").as_deref().unwrap_or(""),
            &holidays,
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "the working calendar (PASOKH_WORK_HOURS, PASOKH_WEEKEND, \
                 PASOKH_THURSDAY_UNTIL, PASOKH_HOLIDAYS): {e}"
            )
        })?;
        let simulated_clock = match var("PASOKH_CLOCK").as_deref().map(str::trim) {
            None | Some("system") => false,
            Some("simulated") => true,
            Some(other) => bail!("PASOKH_CLOCK must be system or simulated, not {other:?}"),
        };
        let object_store_url = var("PASOKH_OBJECT_STORE_URL");
        if let Some(url) = &object_store_url {
            if !url.starts_with("s3://") {
                bail!("PASOKH_OBJECT_STORE_URL must be s3://bucket[/prefix], not {url:?}");
            }
        }
        let drain_seconds = match var("PASOKH_DRAIN_SECONDS") {
            Some(v) => v.trim().parse().with_context(|| {
                format!("PASOKH_DRAIN_SECONDS is not a number of seconds: {v:?}")
            })?,
            None => 5,
        };
        Ok(Self {
            object_store_url,
            drain_seconds,
            metrics_token: var("PASOKH_METRICS_TOKEN").map(Secret::new),
            simulated_clock,
            escalation_grace_hours: positive("PASOKH_ESCALATION_GRACE_HOURS", 14)?,
            calendar,
            addr,
            otp,
            staff_signin,
            trusted_proxies,
            kiosk_networks,
            data_dir,
            database_url: Secret::new(database_url),
            site_root,
            demo,
            db_max_connections,
            public_url: var("PASOKH_PUBLIC_URL"),
            kiosk_idle_seconds: u32::try_from(positive("PASOKH_KIOSK_IDLE_SECONDS", 90)?)
                .map_err(|_| anyhow::anyhow!("PASOKH_KIOSK_IDLE_SECONDS is too large"))?,
            map,
            sms: sms_from_env()?,
            demo_staff_password,
            sms_inbound_secret,
            push: match var("PASOKH_PUSH") {
                Some(v) => parse_bool("PASOKH_PUSH", &v)?,
                None => true,
            },
            vapid_subject: vapid_subject(var("PASOKH_VAPID_SUBJECT"), var("PASOKH_PUBLIC_URL"))?,
            push_local_endpoints: false,
            push_hosts: None,
        })
    }

    /// A configuration for tests: port 0, the given data dir and database.
    pub fn for_tests(data_dir: PathBuf, database_url: Option<String>) -> Self {
        let database_url = database_url.unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("pasokh.db").display())
        });
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: Secret::new(database_url),
            site_root: PathBuf::from("target/site"),
            demo: true,
            db_max_connections: 4,
            public_url: None,
            kiosk_idle_seconds: 90,
            map: MapConfig::default(),
            sms: SmsConfig::Log,
            otp: OtpLimits::default(),
            staff_signin: StaffSigninLimits::default(),
            trusted_proxies: crate::net::Networks::default(),
            kiosk_networks: crate::net::Networks::loopback(),
            demo_staff_password: Some(Secret::new(TEST_STAFF_PASSWORD)),
            sms_inbound_secret: Some(Secret::new("inbound-secret-for-tests")),
            calendar: app::model::calendar::WorkCalendar::default(),
            simulated_clock: false,
            escalation_grace_hours: 14,
            object_store_url: None,
            drain_seconds: 0,
            metrics_token: Some(Secret::new("metrics-token-for-tests")),
            push: true,
            vapid_subject: "mailto:pasokh@localhost".to_owned(),
            push_local_endpoints: true,
            push_hosts: Some(crate::push::Hosts::default()),
        }
    }
}

/// The VAPID contact: `set` if it is a `mailto:` or `https:` URL, else the
/// HTTPS public URL, else a local mailbox.
fn vapid_subject(set: Option<String>, public_url: Option<String>) -> anyhow::Result<String> {
    match set {
        Some(s) if s.starts_with("mailto:") || s.starts_with("https://") => Ok(s.trim().to_owned()),
        Some(s) => bail!("PASOKH_VAPID_SUBJECT must start with mailto: or https://, not {s:?}"),
        None => Ok(public_url
            .filter(|u| u.starts_with("https://"))
            .unwrap_or_else(|| "mailto:pasokh@localhost".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("postgres://user:hunter2@db/pasokh");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn a_deployment_that_forgets_the_setting_gets_no_demo() {
        // Only this test touches PASOKH_DEMO.
        std::env::remove_var("PASOKH_DEMO");
        let config = Config::from_env().expect("defaults run");
        assert!(!config.demo);
        assert!(config.demo_staff_password.is_none());
        assert!(config.sms_inbound_secret.is_none());
        assert!(config.trusted_proxies.0.is_empty());
    }

    #[test]
    fn the_push_contact_is_a_mailbox_or_a_site() {
        let s = |v: Option<&str>, p: Option<&str>| {
            vapid_subject(v.map(str::to_owned), p.map(str::to_owned)).ok()
        };
        assert_eq!(
            s(Some("mailto:ops@rasht.ir"), None).as_deref(),
            Some("mailto:ops@rasht.ir")
        );
        assert_eq!(s(Some("ops@rasht.ir"), None), None);
        assert_eq!(
            s(None, Some("https://137.rasht.ir")).as_deref(),
            Some("https://137.rasht.ir")
        );
        assert_eq!(
            s(None, Some("http://10.0.0.5")).as_deref(),
            Some("mailto:pasokh@localhost")
        );
    }

    #[test]
    fn booleans_are_strict() {
        assert!(parse_bool("X", "true").unwrap_or(false));
        assert!(!parse_bool("X", "0").unwrap_or(true));
        assert!(parse_bool("X", "maybe").is_err());
    }
}
