//! Thumbnails linking to the full photos, numbered per kind (the citizen's,
//! then proof of fix): the tracking page and the staff complaint page.

use crate::i18n::{t, use_lang, Msg};
use leptos::prelude::*;

/// One photo as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoLink {
    /// `citizen` or `proof`.
    pub kind: String,
    pub url: String,
    pub thumb_url: String,
}

#[component]
pub fn PhotoList(photos: Vec<PhotoLink>) -> impl IntoView {
    let lang = use_lang();
    let (mut citizen, mut proof) = (0, 0);
    view! {
        <h2>{t(Msg::PhotosTitle)}</h2>
        <ul class="photos" data-testid="photos">
            {photos
                .into_iter()
                .map(|p| {
                    let (counter, msg) = if p.kind == "proof" {
                        (&mut proof, Msg::PhotoProof)
                    } else {
                        (&mut citizen, Msg::PhotoCitizen)
                    };
                    *counter += 1;
                    let alt = t(msg).replacen("{}", &lang.digits(&counter.to_string()), 1);
                    view! {
                        <li data-kind=p.kind.clone()>
                            <a href=p.url.clone()>
                                <img src=p.thumb_url.clone() alt=alt loading="lazy" width="160" height="120" />
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
