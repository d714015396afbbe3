//! Web Push, the optional second channel beside SMS: a citizen may ask on
//! the tracking page to be told of status changes on that phone. SMS stays
//! the main channel (the push services may be unreachable from Iran), so a
//! push never blocks or undoes anything: it is written into `push_outbox`
//! in the same transaction as the status change, and sent by the leased,
//! retried [`Outbox`] the text messages use.
//!
//! All in pure Rust: the message encryption of RFC 8291 (the `aes128gcm`
//! content coding of RFC 8188, one record) and the VAPID authorization of
//! RFC 8292 (an ES256 JWT), with the server's key pair made at the first
//! start and kept in the database.

use crate::{
    error::OrInternal,
    notify::{self, Courier, Failure, Outbox},
    store::Store,
};
use aes_gcm::{aead::Aead, Aes128Gcm, KeyInit, Nonce};
use app::{
    error::{AppError, Conflict, Invalid},
    i18n::{Lang, Msg},
    model::TrackingCode,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use hkdf::Hkdf;
use p256::{
    ecdsa::{signature::Signer, Signature, SigningKey},
    elliptic_curve::sec1::ToEncodedPoint,
    PublicKey, SecretKey,
};
use sha2::Sha256;
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

/// Subscriptions one complaint may hold: a family's phones, not a crowd's.
pub const MAX_SUBSCRIPTIONS: i64 = 5;
/// The longest endpoint accepted (the big push services' are under 300).
pub const ENDPOINT_MAX: usize = 1024;
/// Characters of a push's text at most (a status message is far shorter).
const BODY_MAX: usize = 600;
/// The `aes128gcm` record size; one record holds a whole push.
const RECORD_SIZE: u32 = 4096;
/// Seconds a push service keeps a push for an offline phone: a status
/// change is still news a day later.
const TTL_S: u32 = 86_400;
/// The VAPID JWT's lifetime (RFC 8292 allows at most 24 hours).
const JWT_LIFETIME_S: i64 = 12 * 3600;
/// A push service that has not answered in this long is retried later.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// A name that has not resolved in this long is taken as unresolved.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The server's VAPID key pair (RFC 8292), the same on every node.
#[derive(Clone)]
pub struct VapidKey {
    signing: SigningKey,
    /// The uncompressed public point, base64url: what the page passes to
    /// `PushManager.subscribe` and the `k=` of every request.
    public: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VapidKey({})", self.public)
    }
}

/// A fresh random P-256 secret key.
fn random_secret() -> SecretKey {
    loop {
        // Out of range (zero, or at least the group order) about once in
        // 2^32 draws: draw again.
        if let Ok(key) = SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
            return key;
        }
    }
}

/// The uncompressed SEC1 encoding of `key` (65 bytes).
fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

impl VapidKey {
    /// The stored key pair, made and stored now if there is none. Two nodes
    /// starting at once both insert; one insert wins and both read it back.
    pub async fn load_or_create(store: &Store) -> anyhow::Result<Self> {
        let fresh = random_secret();
        let mut w = store
            .write()
            .await
            .map_err(|e| anyhow::anyhow!("storing the VAPID key: {e}"))?;
        sqlx::query(
            "INSERT INTO vapid_key (id, private_key, public_key, created_at) \
             VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(B64.encode(fresh.to_bytes()))
        .bind(B64.encode(uncompressed(&fresh.public_key())))
        .bind(crate::now())
        .execute(&mut *w.tx)
        .await?;
        let private: String = sqlx::query_scalar("SELECT private_key FROM vapid_key WHERE id = 1")
            .fetch_one(&mut *w.tx)
            .await?;
        w.commit().await?;
        let secret = B64
            .decode(private.trim())
            .ok()
            .and_then(|bytes| SecretKey::from_slice(&bytes).ok())
            .ok_or_else(|| anyhow::anyhow!("the stored VAPID private key is not a P-256 key"))?;
        Ok(Self::from_secret(&secret))
    }

    fn from_secret(secret: &SecretKey) -> Self {
        Self {
            signing: SigningKey::from(secret),
            public: B64.encode(uncompressed(&secret.public_key())),
        }
    }

    /// The public key, base64url (the page's `applicationServerKey`).
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization` header for a request to `endpoint`: a JWT
    /// (ES256) for the endpoint's origin, valid until `now` plus 12 hours,
    /// naming `subject` as the contact (RFC 8292).
    pub fn authorization(&self, endpoint: &reqwest::Url, subject: &str, now: i64) -> String {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now + JWT_LIFETIME_S,
            "sub": subject,
        });
        let signed = format!("{header}.{}", B64.encode(claims.to_string()));
        let signature: Signature = self.signing.sign(signed.as_bytes());
        format!(
            "vapid t={signed}.{}, k={}",
            B64.encode(signature.to_bytes()),
            self.public
        )
    }
}

/// Encrypts `plaintext` for a subscription (RFC 8291 §3 and §4): an ECDH
/// agreement between `sender` (a fresh key per message) and the browser's
/// `ua_public`, mixed with its `auth` secret and a random `salt`, keys one
/// AES-128-GCM record of the `aes128gcm` coding; the body starts with the
/// coding's header (salt, record size, the sender's public key).
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &PublicKey,
    auth: &[u8; 16],
    sender: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, String> {
    // One record: the plaintext, the last-record delimiter and the tag.
    if plaintext.len() + 17 > RECORD_SIZE as usize {
        return Err(format!("a push of {} bytes is too long", plaintext.len()));
    }
    let as_public = uncompressed(&sender.public_key());
    let ua_bytes = uncompressed(ua_public);
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), ua_public.as_affine());
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&ua_bytes);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .and_then(|()| prk.expand(b"Content-Encoding: nonce\0", &mut nonce))
        .map_err(|e| e.to_string())?;
    let mut record = plaintext.to_vec();
    record.push(2);
    let sealed = Aes128Gcm::new_from_slice(&cek)
        .map_err(|e| e.to_string())?
        .encrypt(Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|e| e.to_string())?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + as_public.len() + sealed.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// A browser's push subscription, as its `PushSubscription.toJSON()`
/// gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url (65 bytes decoded).
    pub p256dh: String,
    /// Its authentication secret, base64url (16 bytes decoded).
    pub auth: String,
}

/// Whether `c` may stand in an endpoint as sent: printable ASCII without
/// spaces, quotes or markup.
fn endpoint_char(c: char) -> bool {
    c.is_ascii_graphic()
        && !matches!(
            c,
            '<' | '>' | '"' | '\'' | '`' | '\\' | '{' | '}' | '|' | '^'
        )
}

/// Decodes base64url with or without padding.
fn decode_b64(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim().trim_end_matches('=')).ok()
}

impl Subscription {
    /// Checks what a page sent: an `https` endpoint on a named host, of
    /// bounded length and plain characters; a P-256 point and a 16-byte
    /// secret. The push services are public names (FCM, Mozilla, Apple…),
    /// so an address, `localhost` or plain `http` is refused: the server
    /// would otherwise post wherever a stranger asked, its own machine and
    /// network included. With `local` (tests' push service on this
    /// machine), `http` to a loopback host is allowed too. Where the name
    /// leads is checked apart ([`PushResolver`]).
    pub fn parse(endpoint: &str, p256dh: &str, auth: &str, local: bool) -> Result<Self, Invalid> {
        let endpoint = endpoint.trim();
        endpoint_url(endpoint, local)?;
        if p256dh.len() > 100 || auth.len() > 40 {
            return Err(Invalid::PushKeys);
        }
        let point = decode_b64(p256dh)
            .filter(|b| b.len() == 65 && b[0] == 4)
            .ok_or(Invalid::PushKeys)?;
        PublicKey::from_sec1_bytes(&point).map_err(|_| Invalid::PushKeys)?;
        let secret = decode_b64(auth)
            .filter(|b| b.len() == 16)
            .ok_or(Invalid::PushKeys)?;
        Ok(Self {
            endpoint: endpoint.to_owned(),
            p256dh: B64.encode(point),
            auth: B64.encode(secret),
        })
    }
}

/// The URL of a push endpoint if it may be posted to (see
/// [`Subscription::parse`]); checked again at each send, as rules change.
fn endpoint_url(endpoint: &str, local: bool) -> Result<reqwest::Url, Invalid> {
    if endpoint.is_empty() || endpoint.len() > ENDPOINT_MAX || !endpoint.chars().all(endpoint_char)
    {
        return Err(Invalid::PushEndpoint);
    }
    let url = reqwest::Url::parse(endpoint).map_err(|_| Invalid::PushEndpoint)?;
    let host = url.host_str().ok_or(Invalid::PushEndpoint)?;
    let address = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    let named_localhost =
        host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost");
    let loopback = named_localhost || address.is_some_and(|ip| ip.is_loopback());
    let allowed = if local && loopback {
        matches!(url.scheme(), "http" | "https")
    } else {
        url.scheme() == "https" && address.is_none() && !named_localhost && host.contains('.')
    };
    if !allowed || !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::PushEndpoint);
    }
    Ok(url)
}

/// Whether `ip` is an address of the public Internet: not this machine,
/// a private or carrier network, link-local, multicast, a documentation
/// or benchmarking range, nor reserved (IANA's special-purpose registries);
/// an IPv4 address inside IPv6 (mapped, NAT64, 6to4) is judged as itself.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            match s[0] {
                // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local NAT64).
                0x64 if s[1] == 0xff9b => s[2] == 0 && public_v4(embedded(s[6], s[7])),
                // 6to4: the IPv4 address in bits 16-47.
                0x2002 => public_v4(embedded(s[1], s[2])),
                // IETF protocol assignments (2001::/23: Teredo, ORCHID,
                // benchmarking…) and documentation (2001:db8::/32).
                0x2001 if s[1] < 0x200 || s[1] == 0xdb8 => false,
                // 3fff::/20, documentation (RFC 9637).
                0x3fff if s[1] < 0x1000 => false,
                // Only global unicast (2000::/3) is public; that leaves out
                // ::, ::1, ULA fc00::/7, link-local fe80::/10, multicast
                // ff00::/8, IPv4-compatible ::/96, discard 100::/64…
                first => (0x2000..0x4000).contains(&first),
            }
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (18..20).contains(&b))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

/// Names and their addresses, for tests: a push service's name resolved
/// without DNS.
pub type Hosts = HashMap<String, Vec<IpAddr>>;

/// Why a push service's name gives no address to post to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// DNS gave nothing (or not in time): perhaps later.
    Unresolved(String),
    /// It leads to this address, not on the public Internet: never.
    NotPublic(IpAddr),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unresolved(why) => write!(f, "push service not resolved: {why}"),
            Self::NotPublic(ip) => write!(f, "push service at a non-public address {ip}"),
        }
    }
}

impl std::error::Error for LookupError {}

/// The push sender's resolver: a push service's name, looked up, must
/// lead only to public addresses (loopback too in tests, with `local`).
/// It is also the HTTP client's resolver, so a request connects to the
/// addresses just checked: a name that answers a public address to the
/// check and a private one to the connection (DNS rebinding) cannot slip
/// between the two.
#[derive(Clone, Debug)]
pub struct PushResolver {
    /// `None`: the system's resolver; else only these names (tests).
    hosts: Option<Arc<Hosts>>,
    local: bool,
}

impl PushResolver {
    pub fn new(hosts: Option<Hosts>, local: bool) -> Self {
        Self {
            hosts: hosts.map(Arc::new),
            local,
        }
    }

    /// Push services on this machine may be subscribed (tests only).
    pub fn local(&self) -> bool {
        self.local
    }

    /// The addresses of `host`, every one of them allowed; else why not.
    pub async fn lookup(&self, host: &str) -> Result<Vec<SocketAddr>, LookupError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<IpAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
            vec![ip]
        } else if let Some(hosts) = &self.hosts {
            hosts
                .get(&host.to_ascii_lowercase())
                .cloned()
                .unwrap_or_default()
        } else {
            tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host, 0)))
                .await
                .map_err(|_| LookupError::Unresolved(format!("{host}: timed out")))?
                .map_err(|e| LookupError::Unresolved(format!("{host}: {e}")))?
                .map(|a| a.ip())
                .collect()
        };
        if found.is_empty() {
            return Err(LookupError::Unresolved(format!("{host}: no address")));
        }
        // One address off limits spoils the name: all or nothing.
        if let Some(&bad) = found
            .iter()
            .find(|&&ip| !(is_public(ip) || (self.local && ip.is_loopback())))
        {
            return Err(LookupError::NotPublic(bad));
        }
        Ok(found.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
    }
}

impl reqwest::dns::Resolve for PushResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        Box::pin(async move {
            // The connector puts the URL's port on each address.
            let found = this.lookup(name.as_str()).await?;
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Subscribing and unsubscribing browsers on the tracking page.
#[derive(Clone)]
pub struct PushService {
    store: Store,
    key: VapidKey,
    resolver: PushResolver,
}

/// Drops every subscription of `endpoint` (of complaint `complaint`, or of
/// all) and lowers the complaints' counts to match.
async fn drop_subscriptions(
    tx: &mut sqlx::AnyConnection,
    endpoint: &str,
    complaint: Option<i64>,
) -> Result<u64, AppError> {
    sqlx::query(
        "UPDATE complaint SET push_subscriptions = push_subscriptions - 1 \
         WHERE id IN (SELECT complaint_id FROM push_subscription WHERE endpoint = $1) \
           AND ($2 IS NULL OR id = $2)",
    )
    .bind(endpoint)
    .bind(complaint)
    .execute(&mut *tx)
    .await
    .or_internal("counting push subscriptions down")?;
    let gone = sqlx::query(
        "DELETE FROM push_subscription WHERE endpoint = $1 AND ($2 IS NULL OR complaint_id = $2)",
    )
    .bind(endpoint)
    .bind(complaint)
    .execute(&mut *tx)
    .await
    .or_internal("deleting push subscriptions")?;
    Ok(gone.rows_affected())
}

async fn complaint_id(tx: &mut sqlx::AnyConnection, code: &TrackingCode) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT id FROM complaint WHERE tracking_code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *tx)
        .await
        .or_internal("finding a complaint")?
        .ok_or(AppError::NotFound)
}

impl PushService {
    pub fn new(store: Store, key: VapidKey, resolver: PushResolver) -> Self {
        Self {
            store,
            key,
            resolver,
        }
    }

    /// Checks a page's subscription (see [`Subscription::parse`]), and
    /// where its push service's name leads: one that resolves to an address
    /// off the public Internet is refused. One that does not resolve now is
    /// taken (DNS may be down a while; each send checks again).
    pub async fn check(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<Subscription, Invalid> {
        let sub = Subscription::parse(endpoint, p256dh, auth, self.resolver.local())?;
        let url = reqwest::Url::parse(&sub.endpoint).map_err(|_| Invalid::PushEndpoint)?;
        match self
            .resolver
            .lookup(url.host_str().unwrap_or_default())
            .await
        {
            Err(LookupError::NotPublic(ip)) => {
                tracing::warn!(%ip, "push subscription refused: a non-public address");
                Err(Invalid::PushEndpointPrivate)
            }
            Err(LookupError::Unresolved(why)) => {
                tracing::info!(%why, "push subscription taken unresolved");
                Ok(sub)
            }
            Ok(_) => Ok(sub),
        }
    }

    /// The server's public key, for `PushManager.subscribe`.
    pub fn public_key(&self) -> &str {
        self.key.public_key()
    }

    /// Follows complaint `code` with `sub`, its pushes written in `lang`.
    /// Returns whether it is new (an endpoint already following it gets its
    /// keys and language refreshed). At most [`MAX_SUBSCRIPTIONS`] per
    /// complaint, also under parallel requests: the count is raised by a
    /// conditional update of the complaint's row, which serialises them.
    pub async fn subscribe(
        &self,
        code: &TrackingCode,
        sub: &Subscription,
        lang: Lang,
    ) -> Result<bool, AppError> {
        let now = self.store.now();
        let mut w = self.store.write().await?;
        let id = complaint_id(&mut w.tx, code).await?;
        let refreshed = sqlx::query(
            "UPDATE push_subscription SET p256dh = $1, auth = $2, lang = $3 \
             WHERE complaint_id = $4 AND endpoint = $5",
        )
        .bind(&sub.p256dh)
        .bind(&sub.auth)
        .bind(lang.tag())
        .bind(id)
        .bind(&sub.endpoint)
        .execute(&mut *w.tx)
        .await
        .or_internal("refreshing a push subscription")?;
        if refreshed.rows_affected() > 0 {
            w.commit().await.or_internal("committing a subscription")?;
            return Ok(false);
        }
        let room = sqlx::query(
            "UPDATE complaint SET push_subscriptions = push_subscriptions + 1 \
             WHERE id = $1 AND push_subscriptions < $2",
        )
        .bind(id)
        .bind(MAX_SUBSCRIPTIONS)
        .execute(&mut *w.tx)
        .await
        .or_internal("counting push subscriptions")?;
        if room.rows_affected() == 0 {
            return Err(Conflict::PushSubscriptionsFull.into());
        }
        let added = sqlx::query(
            "INSERT INTO push_subscription (complaint_id, endpoint, p256dh, auth, lang, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (complaint_id, endpoint) DO NOTHING",
        )
        .bind(id)
        .bind(&sub.endpoint)
        .bind(&sub.p256dh)
        .bind(&sub.auth)
        .bind(lang.tag())
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("storing a push subscription")?;
        if added.rows_affected() == 0 {
            // The same endpoint, subscribed by a parallel request: dropping
            // the transaction undoes this one's count.
            return Ok(false);
        }
        w.commit().await.or_internal("committing a subscription")?;
        tracing::info!(tracking_code = %code, "push subscription");
        Ok(true)
    }

    /// Stops `endpoint` following complaint `code`; nothing when it did not.
    pub async fn unsubscribe(&self, code: &TrackingCode, endpoint: &str) -> Result<(), AppError> {
        let mut w = self.store.write().await?;
        let id = complaint_id(&mut w.tx, code).await?;
        drop_subscriptions(&mut w.tx, endpoint.trim(), Some(id)).await?;
        w.commit().await.or_internal("committing an unsubscribe")
    }
}

/// Writes, inside `tx`, a push announcing `template` to every browser that
/// follows complaint `complaint_id` or one merged into it, each in its own
/// language: the same words as the text message, the tracking page's
/// address to open.
pub async fn enqueue(
    tx: &mut sqlx::AnyConnection,
    now: i64,
    complaint_id: i64,
    code: &TrackingCode,
    template: Msg,
    original: Option<&TrackingCode>,
    public_url: Option<&str>,
) -> Result<(), AppError> {
    let subscribers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, s.lang FROM push_subscription s JOIN complaint c ON c.id = s.complaint_id \
         WHERE c.id = $1 OR c.duplicate_of = $1 ORDER BY s.id",
    )
    .bind(complaint_id)
    .fetch_all(&mut *tx)
    .await
    .or_internal("finding push subscribers")?;
    for (subscription, lang) in subscribers {
        let lang = Lang::parse(&lang).unwrap_or_default();
        let payload = serde_json::json!({
            "title": Msg::AppName.text(lang),
            // Bounded, so the push always fits one record.
            "body": notify::render(template, lang, code, original, public_url)
                .chars()
                .take(BODY_MAX)
                .collect::<String>(),
            "url": format!("/track/{code}"),
        });
        sqlx::query(
            "INSERT INTO push_outbox (subscription_id, payload, complaint_id, created_at, next_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(subscription)
        .bind(payload.to_string())
        .bind(complaint_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .or_internal("writing the push outbox")?;
    }
    Ok(())
}

/// Delivers `push_outbox` rows to the browsers' push services.
pub struct Push {
    store: Store,
    key: VapidKey,
    /// The VAPID contact (`mailto:` or `https:`).
    subject: String,
    resolver: PushResolver,
    http: reqwest::Client,
}

impl Push {
    pub fn new(
        store: Store,
        key: VapidKey,
        subject: String,
        resolver: PushResolver,
    ) -> anyhow::Result<Self> {
        let http = push_client(&resolver)?;
        Ok(Self {
            store,
            key,
            subject,
            resolver,
            http,
        })
    }
}

/// The HTTP client pushes go out with: it resolves names with `resolver`
/// (only allowed addresses), follows no redirect and takes no proxy from
/// the environment (a proxy would resolve the name itself, unchecked).
pub fn push_client(resolver: &PushResolver) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(resolver.clone()))
        .build()?)
}

/// The push outbox: [`Push`] over the shared outbox machinery.
pub type PushOutbox = Outbox<Push>;

#[derive(sqlx::FromRow)]
pub struct PushRow {
    subscription_id: i64,
    payload: String,
}

#[async_trait::async_trait]
impl Courier for Push {
    const TABLE: &'static str = "push_outbox";
    const COLUMNS: &'static str = "subscription_id, payload";
    type Row = PushRow;
    const NAME: &'static str = "push";

    async fn send(&self, _id: i64, row: &PushRow) -> Result<(), Failure> {
        let found: Option<(String, String, String)> =
            sqlx::query_as("SELECT endpoint, p256dh, auth FROM push_subscription WHERE id = $1")
                .bind(row.subscription_id)
                .fetch_optional(self.store.pool())
                .await
                .map_err(|e| Failure::Retry(format!("reading the subscription: {e}")))?;
        let Some((endpoint, p256dh, auth)) = found else {
            return Err(Failure::Gone("unsubscribed".to_owned()));
        };
        let bad = |what: &str| Failure::Gone(format!("stored subscription: bad {what}"));
        let url = endpoint_url(&endpoint, self.resolver.local()).map_err(|_| bad("endpoint"))?;
        // Where the name leads now (it may have changed since the
        // subscription): never into this server's own networks. The client
        // connects to the addresses its resolver checks in the same way.
        match self
            .resolver
            .lookup(url.host_str().unwrap_or_default())
            .await
        {
            Err(LookupError::NotPublic(ip)) => {
                return Err(Failure::Gone(format!(
                    "push service at a non-public address {ip}"
                )))
            }
            Err(unresolved) => return Err(Failure::Retry(unresolved.to_string())),
            Ok(_) => {}
        }
        let ua_public = decode_b64(&p256dh)
            .and_then(|b| PublicKey::from_sec1_bytes(&b).ok())
            .ok_or_else(|| bad("key"))?;
        let auth: [u8; 16] = decode_b64(&auth)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("secret"))?;
        let body = encrypt(
            row.payload.as_bytes(),
            &ua_public,
            &auth,
            &random_secret(),
            &rand::random(),
        )
        .map_err(Failure::Retry)?;
        // The JWT's expiry is real time, also under the training clock.
        let authorization = self.key.authorization(&url, &self.subject, crate::now());
        let answer = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::CONTENT_ENCODING, "aes128gcm")
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header("TTL", TTL_S.to_string())
            .header("Urgency", "normal")
            .body(body)
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("push service unreachable: {e}")))?;
        match answer.status().as_u16() {
            200..=299 => Ok(()),
            404 | 410 => Err(Failure::Gone(format!(
                "push service answered {}",
                answer.status()
            ))),
            _ => Err(Failure::Retry(format!(
                "push service answered {}",
                answer.status()
            ))),
        }
    }

    async fn forget(&self, tx: &mut sqlx::AnyConnection, row: &PushRow) -> Result<(), AppError> {
        let endpoint: Option<String> =
            sqlx::query_scalar("SELECT endpoint FROM push_subscription WHERE id = $1")
                .bind(row.subscription_id)
                .fetch_optional(&mut *tx)
                .await
                .or_internal("finding a gone subscription")?;
        if let Some(endpoint) = endpoint {
            let n = drop_subscriptions(tx, &endpoint, None).await?;
            tracing::info!(subscriptions = n, "push endpoint gone: unsubscribed");
        }
        Ok(())
    }
}

/// Web Push, assembled at start-up when `PASOKH_PUSH` is on.
#[derive(Clone)]
pub struct WebPush {
    pub service: PushService,
    pub outbox: Arc<PushOutbox>,
}

impl WebPush {
    /// Loads (or makes) the VAPID key and builds the service and outbox,
    /// both looking push services up with `resolver`.
    pub async fn start(
        store: &Store,
        subject: String,
        resolver: PushResolver,
    ) -> anyhow::Result<Self> {
        let key = VapidKey::load_or_create(store).await?;
        Ok(Self {
            service: PushService::new(store.clone(), key.clone(), resolver.clone()),
            outbox: Arc::new(Outbox::with(
                store.clone(),
                Push::new(store.clone(), key, subject, resolver)?,
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Vec<u8> {
        B64.decode(s).expect("base64url")
    }

    /// RFC 8291 Appendix A: the same keys and salt give the same body.
    #[test]
    fn push_encryption_matches_rfc8291_appendix_a() {
        let sender = SecretKey::from_slice(&b("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
            .expect("as_private");
        assert_eq!(
            B64.encode(uncompressed(&sender.public_key())),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let ua = PublicKey::from_sec1_bytes(&b(
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        ))
        .expect("ua_public");
        let auth: [u8; 16] = b("BTBZMqHH6r4Tts7J_aSIgg").try_into().expect("auth");
        let salt: [u8; 16] = b("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("salt");
        let body = encrypt(
            b"When I grow up, I want to be a watermelon",
            &ua,
            &auth,
            &sender,
            &salt,
        )
        .expect("encrypt");
        assert_eq!(
            B64.encode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYL\
             ocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyou\
             BWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn push_vapid_jwt_is_signed_for_the_origin() {
        use p256::ecdsa::{signature::Verifier, VerifyingKey};
        let key = VapidKey::from_secret(&random_secret());
        let url = reqwest::Url::parse("https://push.example.net:8443/wpush/v2/abc").expect("url");
        let header = key.authorization(&url, "mailto:ops@example.ir", 1_000);
        let (t, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .expect("vapid t=…, k=…");
        assert_eq!(k, key.public_key());
        let (signed, signature) = t.rsplit_once('.').expect("three parts");
        let claims: serde_json::Value =
            serde_json::from_slice(&b(signed.split('.').nth(1).expect("claims"))).expect("json");
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + JWT_LIFETIME_S);
        assert_eq!(claims["sub"], "mailto:ops@example.ir");
        let verifying = VerifyingKey::from_sec1_bytes(&b(k)).expect("k");
        let signature = Signature::from_slice(&b(signature)).expect("64 bytes");
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
    }

    #[test]
    fn push_public_addresses_are_told_from_the_rest() {
        for public in [
            "142.250.185.10",
            "17.253.144.10",
            "8.8.8.8",
            "2a00:1450:4001:82a::200a",
            "2606:4700::6810:84e5",
            "::ffff:142.250.185.10",
            "64:ff9b::8efa:b90a",
            "2002:8efa:b90a::1",
        ] {
            let ip: IpAddr = public.parse().expect(public);
            assert!(is_public(ip), "{public} is public");
        }
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.7",
            "224.0.0.251",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::8efa:b90a",
            "2002:a00:1::1",
            "2001::1",
            "2001:db8::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "100::1",
        ] {
            let ip: IpAddr = private.parse().expect(private);
            assert!(!is_public(ip), "{private} is not public");
        }
    }

    #[tokio::test]
    async fn push_resolver_allows_public_addresses_only() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let table: Hosts = [
            ("push.example.net", vec![ip("142.250.185.10")]),
            ("lan.example.net", vec![ip("10.0.0.5")]),
            ("mixed.example.net", vec![ip("142.250.185.10"), ip("::1")]),
            ("loop.example.net", vec![ip("127.0.0.1")]),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_owned(), a))
        .collect();
        let strict = PushResolver::new(Some(table.clone()), false);
        assert_eq!(
            strict.lookup("PUSH.example.net").await,
            Ok(vec![SocketAddr::new(ip("142.250.185.10"), 0)])
        );
        assert_eq!(
            strict.lookup("lan.example.net").await,
            Err(LookupError::NotPublic(ip("10.0.0.5")))
        );
        assert_eq!(
            strict.lookup("mixed.example.net").await,
            Err(LookupError::NotPublic(ip("::1")))
        );
        assert_eq!(
            strict.lookup("loop.example.net").await,
            Err(LookupError::NotPublic(ip("127.0.0.1")))
        );
        assert_eq!(
            strict.lookup("[::1]").await,
            Err(LookupError::NotPublic(ip("::1")))
        );
        assert!(matches!(
            strict.lookup("nowhere.example.net").await,
            Err(LookupError::Unresolved(_))
        ));
        // Tests' push service on this machine: loopback, and only it.
        let local = PushResolver::new(Some(table), true);
        assert!(local.lookup("loop.example.net").await.is_ok());
        assert!(local.lookup("127.0.0.1").await.is_ok());
        assert_eq!(
            local.lookup("lan.example.net").await,
            Err(LookupError::NotPublic(ip("10.0.0.5")))
        );
    }

    #[test]
    fn push_subscriptions_are_checked() {
        let p256dh = B64.encode(uncompressed(&random_secret().public_key()));
        let auth = B64.encode([7u8; 16]);
        let ok = Subscription::parse(
            "https://fcm.googleapis.com/fcm/send/abc:def",
            &p256dh,
            &auth,
            false,
        )
        .expect("a real-looking subscription");
        assert_eq!(ok.p256dh, p256dh);
        // A push service on this machine: the tests' only.
        for local in ["http://127.0.0.1:4000/push/1", "http://localhost/push/1"] {
            assert!(Subscription::parse(local, &p256dh, &auth, true).is_ok());
            assert_eq!(
                Subscription::parse(local, &p256dh, &auth, false),
                Err(Invalid::PushEndpoint)
            );
        }
        for endpoint in [
            "",
            "http://push.example.net/abc",
            "ftp://push.example.net/abc",
            "https://user:pw@push.example.net/abc",
            "https://push.example.net/<script>alert(1)</script>",
            "https://push.example.net/a b",
            "javascript:alert(1)",
            "https://127.0.0.1/push",
            "https://10.0.0.5/push",
            "https://[::1]/push",
            "https://localhost/push",
            "https://db.localhost/push",
            "https://intranet/push",
            &format!("https://push.example.net/{}", "a".repeat(ENDPOINT_MAX)),
        ] {
            assert_eq!(
                Subscription::parse(endpoint, &p256dh, &auth, false),
                Err(Invalid::PushEndpoint),
                "{endpoint}"
            );
        }
        let short = B64.encode([4u8; 33]);
        let off_curve = B64.encode([4u8; 65]);
        for (key, secret) in [
            ("", auth.as_str()),
            (short.as_str(), auth.as_str()),
            (off_curve.as_str(), auth.as_str()),
            ("<b>not base64</b>", auth.as_str()),
            (p256dh.as_str(), "AAAA"),
            (p256dh.as_str(), ""),
        ] {
            assert_eq!(
                Subscription::parse("https://push.example.net/x", key, secret, false),
                Err(Invalid::PushKeys),
                "{key} {secret}"
            );
        }
    }
}
