//! Fixtures are built here with the `image` crate and a few hand-made byte
//! blocks (EXIF, a bogus PNG header), so no binary file sits in the tree.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ExtendedColorType, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::process::jpeg_is_complete;
use super::*;

// ---- fixtures -------------------------------------------------------------

fn store() -> (tempfile::TempDir, MediaStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = MediaStore::local(dir.path(), MediaConfig::default()).unwrap();
    (dir, store)
}

/// A gradient, so the encoders have something other than a flat colour.
fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    })
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
    out
}

fn webp(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
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

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG whose (valid, CRC-correct) IHDR claims `width`×`height` RGB8 pixels
/// but carries only a few bytes of image data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// Latitude 35°41'21.1" as three TIFF RATIONALs, little-endian: a byte run
/// that must not survive re-encoding.
const GPS_LATITUDE: [u32; 6] = [35, 1, 41, 1, 2_110, 100];
const GPS_LONGITUDE: [u32; 6] = [51, 1, 23, 1, 2_040, 100];

fn le_rationals(values: &[u32; 6]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A little-endian TIFF block as it follows `Exif\0\0` in APP1, with an
/// optional Orientation tag and, if `gps`, a GPS IFD with a position.
fn exif_tiff(orientation: Option<u16>, gps: bool) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;

    let entries = u16::from(orientation.is_some()) + u16::from(gps);
    let gps_ifd = 8 + 2 + 12 * u32::from(entries) + 4;
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    if let Some(o) = orientation {
        let [a, b] = o.to_le_bytes();
        entry(&mut out, 0x0112, SHORT, 1, [a, b, 0, 0]);
    }
    if gps {
        entry(&mut out, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    if gps {
        assert_eq!(out.len(), gps_ifd as usize);
        let data = gps_ifd + 2 + 4 * 12 + 4;
        out.extend_from_slice(&4u16.to_le_bytes());
        entry(&mut out, 0x0001, ASCII, 2, *b"N\0\0\0");
        entry(&mut out, 0x0002, RATIONAL, 3, data.to_le_bytes());
        entry(&mut out, 0x0003, ASCII, 2, *b"E\0\0\0");
        entry(&mut out, 0x0004, RATIONAL, 3, (data + 24).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&le_rationals(&GPS_LATITUDE));
        out.extend_from_slice(&le_rationals(&GPS_LONGITUDE));
    }
    out
}

/// Splices an APP1 `Exif\0\0` segment into a JPEG, after its JFIF APP0 if it
/// has one (where cameras put it).
fn with_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    let mut at = 2;
    if jpeg[2..4] == [0xFF, 0xE0] {
        at += 2 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(tiff);
    let mut out = jpeg[..at].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[at..]);
    out
}

/// The marker and payload of each header segment, up to the first scan.
fn jpeg_segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut segments = Vec::new();
    let mut i = 2;
    loop {
        assert_eq!(jpeg[i], 0xFF, "marker expected at {i}");
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        segments.push((marker, &jpeg[i + 4..i + 2 + len]));
        if marker == 0xDA {
            return segments;
        }
        i += 2 + len;
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode_jpeg(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap()
}

/// What every stored photo must look like: our JPEG, no metadata, the
/// dimensions it claims, and a thumbnail within bounds.
async fn assert_stored(store: &MediaStore, photo: &StoredPhoto) -> (DynamicImage, DynamicImage) {
    let config = store.config();
    assert_eq!(photo.content_type, "image/jpeg");
    assert!(is_valid_key(&photo.key) && photo.key.ends_with(".jpg"));
    assert_eq!(
        photo.thumb_key,
        photo.key.replace(".jpg", "-t.jpg"),
        "thumbnail shares the photo's hash"
    );
    let full = store.get(&photo.key).await.unwrap().expect("photo stored");
    let thumb = store
        .get(&photo.thumb_key)
        .await
        .unwrap()
        .expect("thumb stored");
    assert_eq!(photo.bytes, full.len() as u64);
    assert_eq!(photo.key, format!("{}.jpg", process::sha256_hex(&full)));
    for bytes in [&full, &thumb] {
        assert!(
            !contains(bytes, b"Exif"),
            "re-encoded JPEG must carry no EXIF"
        );
        assert!(jpeg_segments(bytes).iter().all(|(m, _)| *m != 0xE1));
    }
    let (full, thumb) = (decode_jpeg(&full), decode_jpeg(&thumb));
    assert_eq!((full.width(), full.height()), (photo.width, photo.height));
    assert!(full.width().max(full.height()) <= config.max_edge);
    assert!(thumb.width().max(thumb.height()) <= config.thumb_edge);
    (full, thumb)
}

// ---- accepted uploads ------------------------------------------------------

#[tokio::test]
async fn png_is_reencoded_as_jpeg() {
    let (_dir, store) = store();
    let bytes = png(&DynamicImage::ImageRgb8(gradient(640, 480)));
    let photo = store.ingest(bytes.into()).await.unwrap();
    assert_eq!((photo.width, photo.height), (640, 480), "never scaled up");
    let (_, thumb) = assert_stored(&store, &photo).await;
    assert_eq!((thumb.width(), thumb.height()), (320, 240));
}

#[tokio::test]
async fn large_jpeg_is_scaled_to_max_edge() {
    let (_dir, store) = store();
    let bytes = jpeg(&gradient(3000, 2000));
    let photo = store.ingest(bytes.into()).await.unwrap();
    assert_eq!((photo.width, photo.height), (1600, 1067));
    let (_, thumb) = assert_stored(&store, &photo).await;
    assert_eq!((thumb.width(), thumb.height()), (320, 213));
}

#[tokio::test]
async fn webp_is_accepted() {
    let (_dir, store) = store();
    let photo = store
        .ingest(webp(&gradient(400, 300)).into())
        .await
        .unwrap();
    assert_eq!((photo.width, photo.height), (400, 300));
    assert_stored(&store, &photo).await;
}

#[tokio::test]
async fn transparency_is_flattened_onto_white() {
    let (_dir, store) = store();
    let clear = RgbaImage::from_pixel(64, 64, Rgba([0, 0, 0, 0]));
    let photo = store
        .ingest(png(&DynamicImage::ImageRgba8(clear)).into())
        .await
        .unwrap();
    let (full, _) = assert_stored(&store, &photo).await;
    let Rgb([r, g, b]) = *full.to_rgb8().get_pixel(32, 32);
    assert!(r > 250 && g > 250 && b > 250, "got {r},{g},{b}");
}

#[tokio::test]
async fn same_photo_twice_gets_the_same_key() {
    let (_dir, store) = store();
    let bytes = bytes::Bytes::from(jpeg(&gradient(300, 200)));
    let first = store.ingest(bytes.clone()).await.unwrap();
    let second = store.ingest(bytes).await.unwrap();
    assert_eq!(first, second);
    assert_stored(&store, &second).await;
}

// ---- refused uploads --------------------------------------------------------

#[tokio::test]
async fn text_and_gif_and_heic_are_unsupported() {
    let (_dir, store) = store();
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    for bytes in [
        b"hello, this is not a photo".to_vec(),
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(),
        heic,
        b"RIFF\0\0\0\0WAVEfmt ".to_vec(),
        Vec::new(),
    ] {
        assert_eq!(
            store.ingest(bytes.into()).await,
            Err(PhotoError::UnsupportedFormat)
        );
    }
}

#[tokio::test]
async fn upload_over_the_limit_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let config = MediaConfig {
        max_photo_bytes: 1000,
        ..MediaConfig::default()
    };
    let store = MediaStore::local(dir.path(), config).unwrap();
    // Size is checked before anything else, even the magic bytes.
    let mut bytes = jpeg(&gradient(200, 200));
    assert!(bytes.len() > 1000);
    assert_eq!(
        store.ingest(bytes.clone().into()).await,
        Err(PhotoError::TooLarge)
    );
    bytes[0] = b'x';
    assert_eq!(store.ingest(bytes.into()).await, Err(PhotoError::TooLarge));
    assert_eq!(
        store.ingest(vec![0u8; 1001].into()).await,
        Err(PhotoError::TooLarge)
    );
}

#[tokio::test]
async fn huge_png_header_is_rejected_before_decoding() {
    let (_dir, store) = store();
    let bytes = png_header_only(100_000, 100_000);
    assert!(bytes.len() < 100);
    // A decode of 30 GB of pixels would either abort or take minutes.
    let started = Instant::now();
    assert_eq!(
        store.ingest(bytes.into()).await,
        Err(PhotoError::TooManyPixels)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // Just over the pixel budget, with nothing else odd about it.
    let bytes = png_header_only(8000, 5001);
    assert_eq!(
        store.ingest(bytes.into()).await,
        Err(PhotoError::TooManyPixels)
    );
}

#[tokio::test]
async fn png_header_without_pixels_is_corrupt() {
    let (_dir, store) = store();
    let bytes = png_header_only(100, 100);
    assert_eq!(store.ingest(bytes.into()).await, Err(PhotoError::Corrupt));
}

#[tokio::test]
async fn truncated_uploads_are_corrupt() {
    let (_dir, store) = store();
    let whole = jpeg(&gradient(600, 400));
    assert!(jpeg_is_complete(&whole));
    for cut in [whole.len() / 2, whole.len() - 2, 40] {
        assert!(!jpeg_is_complete(&whole[..cut]));
        assert_eq!(
            store.ingest(whole[..cut].to_vec().into()).await,
            Err(PhotoError::Corrupt),
            "JPEG cut at {cut} of {}",
            whole.len()
        );
    }
    let whole = png(&DynamicImage::ImageRgb8(gradient(600, 400)));
    assert_eq!(
        store.ingest(whole[..whole.len() / 2].to_vec().into()).await,
        Err(PhotoError::Corrupt)
    );
    let whole = webp(&gradient(600, 400));
    assert_eq!(
        store.ingest(whole[..whole.len() / 2].to_vec().into()).await,
        Err(PhotoError::Corrupt)
    );
}

#[test]
fn bytes_after_jpeg_end_are_allowed() {
    // Motion photos append a video after EOI; the photo itself is whole.
    let mut bytes = jpeg(&gradient(64, 64));
    bytes.extend_from_slice(b"\0\0\0\x18ftypmp42 trailing video");
    assert!(jpeg_is_complete(&bytes));
}

// ---- metadata ---------------------------------------------------------------

#[tokio::test]
async fn gps_exif_is_stripped() {
    let (_dir, store) = store();
    let bytes = with_exif(&jpeg(&gradient(300, 200)), &exif_tiff(Some(1), true));
    // The fixture really carries a GPS position in an EXIF APP1 segment.
    let lat = le_rationals(&GPS_LATITUDE);
    assert!(contains(&bytes, &lat));
    assert!(jpeg_segments(&bytes)
        .iter()
        .any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif\0\0")));

    let photo = store.ingest(bytes.into()).await.unwrap();
    assert_stored(&store, &photo).await;
    for key in [&photo.key, &photo.thumb_key] {
        let out = store.get(key).await.unwrap().unwrap();
        assert!(!contains(&out, &lat));
        assert!(!contains(&out, &le_rationals(&GPS_LONGITUDE)));
    }
}

#[tokio::test]
async fn exif_orientation_is_applied() {
    let (_dir, store) = store();
    // Left half red, right half blue; orientation 6 means "rotate 90° clockwise
    // to display", which brings the left (red) half to the top.
    let image = RgbImage::from_fn(200, 100, |x, _| {
        if x < 100 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    let bytes = with_exif(&jpeg(&image), &exif_tiff(Some(6), false));
    let photo = store.ingest(bytes.into()).await.unwrap();
    assert_eq!((photo.width, photo.height), (100, 200));
    let (full, thumb) = assert_stored(&store, &photo).await;
    let full = full.to_rgb8();
    let Rgb([r, _, b]) = *full.get_pixel(50, 20);
    assert!(r > 200 && b < 60, "top should be red, got {r},{b}");
    let Rgb([r, _, b]) = *full.get_pixel(50, 180);
    assert!(r < 60 && b > 200, "bottom should be blue, got {r},{b}");
    assert_eq!((thumb.width(), thumb.height()), (100, 200));
}

// ---- keys -------------------------------------------------------------------

#[tokio::test]
async fn get_refuses_foreign_keys() {
    let (dir, store) = store();
    // Plant files where a traversal would find them.
    std::fs::write(dir.path().join("x"), b"secret").unwrap();
    std::fs::write(dir.path().join("photos").join("x.jpg"), b"secret").unwrap();
    let hash = "a".repeat(64);
    for key in [
        "",
        "../x",
        "a/b",
        "x.jpg",
        "..",
        "/etc/passwd",
        &format!("../{hash}.jpg"),
        &format!("aa/{hash}.jpg"),
        &format!("{hash}.png"),
        &format!("{hash}.jpg/"),
        &format!("{}.jpg", "A".repeat(64)),
        &format!("{}.jpg", "a".repeat(63)),
        &format!("{}.jpg", "a".repeat(65)),
        &format!("{}.jpg", "g".repeat(64)),
        &format!("{hash}-t-t.jpg"),
        &format!("{hash}.jpg\0"),
    ] {
        assert!(!is_valid_key(key), "{key:?}");
        assert_eq!(store.get(key).await.unwrap(), None, "{key:?}");
        store.delete(key).await.unwrap();
    }
    assert!(dir.path().join("x").exists());
    // Well-formed but unknown.
    for key in [format!("{hash}.jpg"), format!("{hash}-t.jpg")] {
        assert!(is_valid_key(&key));
        assert_eq!(store.get(&key).await.unwrap(), None);
    }
}

#[tokio::test]
async fn ingest_then_get_then_delete() {
    let (dir, store) = store();
    let photo = store
        .ingest(jpeg(&gradient(800, 600)).into())
        .await
        .unwrap();
    let full = store.get(&photo.key).await.unwrap().unwrap();
    assert_eq!(
        Some(full.clone()),
        store.get(&photo.key).await.unwrap(),
        "reads are stable"
    );
    // On disk under photos/, sharded by the first two hex digits.
    let on_disk = dir
        .path()
        .join("photos")
        .join(&photo.key[..2])
        .join(&photo.key);
    assert_eq!(std::fs::read(on_disk).unwrap(), full);

    store.delete(&photo.key).await.unwrap();
    store.delete(&photo.thumb_key).await.unwrap();
    assert_eq!(store.get(&photo.key).await.unwrap(), None);
    assert_eq!(store.get(&photo.thumb_key).await.unwrap(), None);
    // Deleting again (a retried cleanup) is fine.
    store.delete(&photo.key).await.unwrap();
}

#[test]
fn futures_are_send_for_axum_handlers() {
    fn assert_send<T: Send>(_: T) {}
    let store = MediaStore::new(
        std::sync::Arc::new(object_store::memory::InMemory::new()),
        MediaConfig::default(),
    );
    assert_send(store.ingest(bytes::Bytes::new()));
    assert_send(store.get(""));
    assert_send(store.delete(""));
}

#[test]
fn reasons_are_stable() {
    let all = [
        (PhotoError::TooLarge, "too_large"),
        (PhotoError::UnsupportedFormat, "unsupported_format"),
        (PhotoError::TooManyPixels, "too_many_pixels"),
        (PhotoError::Corrupt, "corrupt"),
        (PhotoError::Internal, "internal"),
    ];
    for (error, reason) in all {
        assert_eq!(error.reason(), reason);
    }
}

#[test]
fn default_config_matches_the_spec() {
    let c = MediaConfig::default();
    assert_eq!(c.max_photo_bytes, 8 << 20);
    assert_eq!(c.max_pixels, 40_000_000);
    assert_eq!((c.max_edge, c.thumb_edge, c.jpeg_quality), (1600, 320, 80));
}
