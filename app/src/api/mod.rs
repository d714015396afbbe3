//! The app's side of the contract with the server (ssr only): the services
//! pages and server functions call, declared as traits here and implemented
//! in `server`, which provides them as context. The app never sees sqlx.

pub mod council;
pub mod feedback;
pub mod forms;
pub mod ports;
pub mod settings;
pub mod staff;

/// A same-site path to go on to after a form: `/x`, but never
/// `//evil.example` or `/\evil` (open redirects), nor anything with control
/// characters (it becomes a `Location` header); anything else is `/`.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn open_redirects_are_refused() {
        assert_eq!(safe_next(Some("/track/123")), "/track/123");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/me\r\nSet-Cookie: x=1")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
