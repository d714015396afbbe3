//! The session cookie and the layer that turns it into a [`Viewer`].
//!
//! The cookie is `HttpOnly; SameSite=Lax; Path=/`; when the public address is
//! HTTPS it is also `Secure` and named with the `__Host-` prefix, so no
//! sub-domain can plant or read it. API clients may send the same token as
//! `Authorization: Bearer …`.

use super::otp::Accounts;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::Response,
};

const PLAIN: &str = "pasokh_session";
const HOST: &str = "__Host-pasokh_session";

/// The cookie's name for this deployment.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST
    } else {
        PLAIN
    }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The session token: the cookie, else a bearer token.
pub fn token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, cookie_name(secure)).or_else(|| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
    })
}

fn attributes(secure: bool) -> &'static str {
    if secure {
        "Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "Path=/; HttpOnly; SameSite=Lax"
    }
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(token: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{}={token}; Max-Age={max_age}; {}",
        cookie_name(secure),
        attributes(secure)
    )
}

/// `response` with `cookie` as its `Set-Cookie`.
pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(v) = header::HeaderValue::from_str(cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Max-Age=0; {}",
        cookie_name(secure),
        attributes(secure)
    )
}

/// Paths that never depend on who is asking (static files, photos, probes):
/// no session lookup for them.
const ANONYMOUS_PREFIXES: [&str; 9] = [
    "/pkg/",
    "/js/",
    "/leaflet/",
    "/fonts/",
    "/icons/",
    "/media/",
    "/health",
    "/ready",
    "/metrics",
];

/// Resolves the session (if any) and puts the [`app::api::ports::Viewer`]
/// (a citizen) or the [`app::api::staff::StaffViewer`] in the request's
/// extensions, where handlers and pages find it.
pub async fn resolve(
    State((accounts, secure)): State<(Accounts, bool)>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if ANONYMOUS_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return next.run(req).await;
    }
    if let Some(token) = token(req.headers(), secure).map(str::to_owned) {
        match accounts.session(&token).await {
            Ok(Some(super::otp::SessionUser::Citizen(viewer))) => {
                req.extensions_mut().insert(viewer);
            }
            Ok(Some(super::otp::SessionUser::Staff(staff))) => {
                req.extensions_mut().insert(staff);
            }
            Ok(None) => {}
            // An unreadable session is treated as none; the page still works.
            Err(_) => {}
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn secure_deployments_use_host_prefixed_cookies() {
        let c = set_cookie("abc", 60, true);
        assert!(c.starts_with("__Host-pasokh_session=abc;"));
        assert!(c.contains("Secure") && c.contains("HttpOnly") && c.contains("SameSite=Lax"));
        assert!(c.contains("Path=/") && !c.contains("Domain"));
        let plain = set_cookie("abc", 60, false);
        assert!(plain.starts_with("pasokh_session=abc;") && !plain.contains("Secure"));
    }

    #[test]
    fn the_token_comes_from_the_cookie_or_a_bearer_header() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("pasokh_lang=fa; pasokh_session=t1"),
        );
        assert_eq!(token(&h, false), Some("t1"));
        assert_eq!(token(&h, true), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t2"));
        assert_eq!(token(&h, true), Some("t2"));
    }
}
