//! Reusable view pieces. Islands (`#[island]`) are the only code that reaches
//! the browser; they take ready, translated strings as props.

#[cfg(feature = "ssr")]
pub mod error_page;
pub mod locate;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod pwa;
#[cfg(feature = "ssr")]
pub mod questions;
#[cfg(feature = "ssr")]
pub mod status;
pub mod track_box;

/// Text for a `<textarea>`'s content, escaped here because tachys 0.2 writes
/// textarea children into the server's HTML as raw text (leptos PRs #4730,
/// #4819, #4821): without this, `</textarea><h1>` typed by a citizen and
/// echoed on a refusal page would become markup. The browser decodes the
/// entities back, so the field shows exactly what was typed.
pub fn textarea_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn textarea_text_cannot_close_its_element() {
        assert_eq!(
            super::textarea_text("</textarea><h1>hi</h1> & more"),
            "&lt;/textarea&gt;&lt;h1&gt;hi&lt;/h1&gt; &amp; more"
        );
    }
}
