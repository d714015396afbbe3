//! The public REST API and the no-JavaScript filing form, over real HTTP.

use crate::helpers::{on_each_backend, TestApp};
use reqwest::{
    header,
    multipart::{Form, Part},
    StatusCode,
};
use serde_json::Value;

/// Azadi Square, inside district 1 of the demo city.
pub(crate) const AZADI: (&str, &str) = ("36.2575", "49.974");

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, 90, (y % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("jpeg");
    out.into_inner()
}

/// A JPEG with an APP1 EXIF segment carrying a GPS-looking marker string.
fn jpeg_with_exif(marker: &[u8]) -> Vec<u8> {
    let plain = jpeg(64, 48);
    // "Exif\0\0" + little-endian TIFF header + an empty IFD + the marker.
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(marker);
    let len = (payload.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

pub(crate) fn complaint_form(description: &str) -> Form {
    complaint_form_in("asphalt-repair", description)
}

/// A filing of `category` at Azadi square.
pub(crate) fn complaint_form_in(category: &str, description: &str) -> Form {
    Form::new()
        .text("category", category.to_owned())
        .text("description", description.to_owned())
        .text("lat", AZADI.0)
        .text("lon", AZADI.1)
        .text("accuracy_m", "8")
        .text("address", "میدان آزادی")
}

pub(crate) async fn post_complaint(
    app: &TestApp,
    key: Option<&str>,
    form: Form,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/api/v1/complaints"))
        .multipart(form);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.send().await.expect("request")
}

#[tokio::test]
async fn reference_data_and_the_openapi_document() {
    on_each_backend(|app| async move {
        let cats: Value = app
            .get("/api/v1/categories")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(cats.as_array().map(Vec::len), Some(30), "{}", app.backend);
        assert!(cats[0]["name_fa"].as_str().is_some_and(|s| !s.is_empty()));
        let res = app.get("/api/v1/districts").await;
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/geo+json");
        let geo: Value = res.json().await.expect("json");
        assert_eq!(geo["type"], "FeatureCollection");
        assert_eq!(geo["features"].as_array().map(Vec::len), Some(6));
        assert_eq!(geo["features"][0]["geometry"]["type"], "Polygon");
        let doc: Value = app
            .get("/api/v1/openapi.json")
            .await
            .json()
            .await
            .expect("json");
        assert!(doc["paths"]["/api/v1/complaints"]["post"].is_object());
    })
    .await;
}

#[tokio::test]
async fn file_with_photos_track_and_retry() {
    on_each_backend(|app| async move {
        // No key: refused before anything is read or stored.
        let res = post_complaint(&app, None, complaint_form("چاله عمیق وسط خیابان")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["code"], "bad_request");
        assert_eq!(body["reason"], "idempotency_key_missing");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

        let photo = png(2400, 1200);
        let form = || {
            complaint_form("چاله عمیق وسط خیابان")
                .part("photo", Part::bytes(photo.clone()).file_name("a.png"))
                .part("photo", Part::bytes(jpeg(300, 200)).file_name("b.jpg"))
        };
        let res = post_complaint(&app, Some("k-1"), form()).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
        let created: Value = res.json().await.expect("json");
        let code = created["tracking_code"].as_str().expect("code").to_owned();
        assert_eq!(created["status"], "referred");
        assert_eq!(created["district"], "منطقه ۱");
        assert!(created["unit"].as_str().is_some());

        // The same key and body: the same answer, nothing new.
        let again: Value = post_complaint(&app, Some("k-1"), form())
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(again["tracking_code"], code.as_str());
        assert_eq!(app.count("complaint").await, 1);
        // The same key with another body: 422.
        let res = post_complaint(&app, Some("k-1"), complaint_form("یک چیز دیگر کاملا")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("complaint").await, 1);

        let view: Value = app
            .get(&format!("/api/v1/complaints/{code}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(view["status"], "in_progress");
        let photos = view["photos"].as_array().expect("photos");
        assert_eq!(photos.len(), 2);
        assert_eq!(photos[0]["width"], 1600, "resized to 1600 on the long edge");
        let res = app.get(photos[0]["url"].as_str().expect("url")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
        let thumb = app.get(photos[0]["thumb_url"].as_str().expect("url")).await;
        assert_eq!(thumb.status(), StatusCode::OK);
        // No personal data in the public view.
        let text = view.to_string();
        assert!(!text.contains("citizen_id") && !text.contains("phone"));

        // Listings by bounding box.
        let page: Value = app
            .get("/api/v1/complaints?bbox=49.9,36.2,50.1,36.3")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(page["items"][0]["tracking_code"], code.as_str());
        let empty: Value = app
            .get("/api/v1/complaints?bbox=51,35,52,36")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(empty["items"].as_array().map(Vec::len), Some(0));
        let res = app.get("/api/v1/complaints?bbox=1,2,3").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.get("/api/v1/complaints/0000000000").await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn hostile_uploads_get_4xx_and_store_nothing() {
    on_each_backend(|app| async move {
        let valid = jpeg(400, 300);
        let truncated = valid[..valid.len() / 2].to_vec();
        let cases: [(&str, Vec<u8>, &str); 3] = [
            (
                "wrong magic",
                b"<?php echo 'hi'; ?>".repeat(50),
                "unsupported_format",
            ),
            ("truncated", truncated, "corrupt"),
            (
                "gif",
                b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
                "unsupported_format",
            ),
        ];
        for (i, (what, bytes, reason)) in cases.into_iter().enumerate() {
            let form = complaint_form("تیر چراغ برق افتاده است")
                .part("photo", Part::bytes(bytes).file_name("x.jpg"));
            let res = post_complaint(&app, Some(&format!("hostile-{i}")), form).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["field"], "photo", "{what}");
            assert_eq!(body["reason"], reason, "{what}");
        }
        // A PNG header claiming 100000 × 100000 pixels: refused before decoding.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let form = complaint_form("تیر چراغ برق افتاده است")
            .part("photo", Part::bytes(bomb).file_name("b.png"));
        let res = post_complaint(&app, Some("bomb"), form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Six photos: one too many.
        let mut form = complaint_form("تیر چراغ برق افتاده است");
        for _ in 0..6 {
            form = form.part("photo", Part::bytes(jpeg(20, 20)).file_name("p.jpg"));
        }
        let res = post_complaint(&app, Some("six"), form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("complaint").await, 0, "{}", app.backend);
        assert_eq!(app.count("photo").await, 0);
    })
    .await;
}

/// CRC-32 (IEEE), for crafting a PNG header.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn served_photos_carry_no_exif() {
    on_each_backend(|app| async move {
        let marker = b"PASOKH-GPS-35.6892N-51.3890E";
        let upload = jpeg_with_exif(marker);
        assert!(
            upload.windows(marker.len()).any(|w| w == marker),
            "fixture carries the marker"
        );
        let form = complaint_form("درخت در حال سقوط روی پیاده‌رو")
            .part("photo", Part::bytes(upload).file_name("gps.jpg"));
        let created: Value = post_complaint(&app, Some("exif"), form)
            .await
            .json()
            .await
            .expect("json");
        let code = created["tracking_code"].as_str().expect("code");
        let view: Value = app
            .get(&format!("/api/v1/complaints/{code}"))
            .await
            .json()
            .await
            .expect("json");
        for key in ["url", "thumb_url"] {
            let url = view["photos"][0][key].as_str().expect("url");
            let served = app.get(url).await.bytes().await.expect("bytes");
            assert!(
                !served.windows(marker.len()).any(|w| w == marker),
                "{key} leaks the marker"
            );
            assert!(
                !served.windows(4).any(|w| w == b"Exif"),
                "{key} has an EXIF segment"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_html_form_files_without_javascript_and_keeps_input_on_error() {
    on_each_backend(|app| async move {
        let page = app.get("/report").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("body");
        assert!(html.contains(r#"enctype="multipart/form-data""#));
        assert!(html.contains("ترمیم آسفالت و چاله"), "categories listed");
        let key = html
            .split(r#"name="idempotency_key" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("form key")
            .to_owned();
        assert_eq!(key.len(), 32);

        // Too short: the form again, 422, the reason, and the typed address kept.
        let form = Form::new()
            .text("idempotency_key", key.clone())
            .text("category", "asphalt-repair")
            .text("description", "بد")
            .text("address", "کوچه شهید احمدی")
            .text("lat", "")
            .text("lon", "");
        let res = app.post_multipart("/report", form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert!(html.contains("شرح مشکل خیلی کوتاه است"));
        assert!(html.contains("کوچه شهید احمدی"));
        assert!(
            html.contains(&key),
            "the same form key survives the round trip"
        );

        let form = Form::new()
            .text("idempotency_key", key.clone())
            .text("category", "asphalt-repair")
            .text("description", "چاله بزرگ در کوچه، خطرناک برای عابران")
            .text("address", "کوچه شهید احمدی")
            .text("lat", "۳۶٫۲۵۷۵")
            .text("lon", "49.974")
            .part("photo", Part::bytes(Vec::new()).file_name(""));
        let res = app.post_multipart("/report", form).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let location = res.headers()[header::LOCATION]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            location.starts_with("/track/") && location.ends_with("?filed=1"),
            "{location}"
        );
        let html = app.get(&location).await.text().await.expect("body");
        assert!(html.contains("درخواست شما ثبت شد"));
        assert_eq!(app.count("complaint").await, 1);
    })
    .await;
}
