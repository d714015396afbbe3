//! The CPU-bound part of photo ingestion: sniff, decode under limits,
//! orient, scale, flatten and re-encode. Synchronous; callers run it on the
//! blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
    RgbImage,
};
use sha2::{Digest, Sha256};

use super::{MediaConfig, PhotoError};

/// A re-encoded photo and its thumbnail, ready to store.
pub(super) struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What the header says, read without decoding any pixels.
pub(super) struct Header {
    pub width: u32,
    pub height: u32,
}

/// The checks that need no decoding: size, magic bytes, then the header's
/// dimensions against the pixel limit.
pub(super) fn precheck(bytes: &[u8], config: &MediaConfig) -> Result<Header, PhotoError> {
    if bytes.len() > config.max_photo_bytes {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(bytes).ok_or(PhotoError::UnsupportedFormat)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits(config));
    let (width, height) = reader.into_dimensions().map_err(decode_error)?;
    if u64::from(width) * u64::from(height) > config.max_pixels {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(Header { width, height })
}

/// MiB a decode of this image may hold at its peak: the decoded pixels (up
/// to 8 bytes each, 16-bit RGBA) plus the scaled copy and the encoder's.
pub(super) fn decode_estimate_mib(header: &Header, config: &MediaConfig) -> u32 {
    let pixels = u64::from(header.width) * u64::from(header.height);
    let out = u64::from(config.max_edge) * u64::from(config.max_edge) * 3 * 2;
    let bytes = pixels * 8 + out;
    u32::try_from(bytes.div_ceil(1 << 20))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// JPEG, PNG or WebP by magic bytes; anything else (GIF, HEIC, text) is `None`.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(ImageFormat::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Validates, decodes and re-encodes one upload.
pub(super) fn process(bytes: &[u8], config: &MediaConfig) -> Result<Processed, PhotoError> {
    precheck(bytes, config)?;
    let format = sniff(bytes).ok_or(PhotoError::UnsupportedFormat)?;
    // The zune JPEG decoder is lenient and fills a truncated scan with grey;
    // an upload cut off by a dropped connection must be refused instead.
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Corrupt);
    }

    let limits = decode_limits(config);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    // Building the decoder reads only the header; nothing image-sized is
    // allocated before the dimension check below.
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt);
    }
    if u64::from(width) * u64::from(height) > config.max_pixels
        || limits
            .max_alloc
            .is_some_and(|max| decoder.total_bytes() > max)
    {
        return Err(PhotoError::TooManyPixels);
    }
    // A malformed EXIF block is no reason to refuse the photo itself.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;

    // Scale before orienting: the bounding box is square, so the result is
    // the same and the rotation works on the smaller image.
    let mut full = fit(image, config.max_edge);
    full.apply_orientation(orientation);
    let full = flatten(full);
    let thumb = fit(DynamicImage::ImageRgb8(full.clone()), config.thumb_edge).into_rgb8();

    Ok(Processed {
        width: full.width(),
        height: full.height(),
        full: encode_jpeg(&full, config.jpeg_quality)?,
        thumb: encode_jpeg(&thumb, config.jpeg_quality)?,
    })
}

/// Lowercase hex SHA-256, the content address of a stored photo.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Decoder limits derived from the pixel budget: 8 bytes a pixel covers the
/// widest layout JPEG, PNG or WebP decode to (16-bit RGBA).
fn decode_limits(config: &MediaConfig) -> Limits {
    // A backstop only: the exact width × height check follows the header read.
    let edge = u32::try_from(config.max_pixels).unwrap_or(u32::MAX);
    let mut limits = Limits::default();
    limits.max_image_width = Some(edge);
    limits.max_image_height = Some(edge);
    // Decoders need some working memory even for tiny images.
    limits.max_alloc = Some(config.max_pixels.saturating_mul(8).max(64 << 20));
    limits
}

fn decode_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        ImageError::Decoding(_) | ImageError::IoError(_) | ImageError::Parameter(_) => {
            PhotoError::Corrupt
        }
        ImageError::Encoding(_) => {
            tracing::error!(error = %error, "unexpected encoding error while decoding a photo");
            PhotoError::Internal
        }
    }
}

/// Scales `image` down so its longest edge is at most `edge`, keeping the
/// aspect ratio; never scales up.
fn fit(image: DynamicImage, edge: u32) -> DynamicImage {
    if image.width().max(image.height()) <= edge {
        image
    } else {
        image.resize(edge, edge, FilterType::CatmullRom)
    }
}

/// RGB8 for the JPEG encoder; transparent pixels go onto white, as a
/// browser would show them, rather than onto whatever colour they hide.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            // (c·a + 255·(255−a)) / 255, rounded; fits in u8 by construction.
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    // image's encoder writes a JFIF header and pixels only: no EXIF, no ICC.
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| {
            tracing::error!(error = %e, "encoding a photo as JPEG failed");
            PhotoError::Internal
        })?;
    Ok(out)
}

/// Whether a JPEG's marker structure runs through to its end-of-image marker.
///
/// Walks the header segments, skips each scan's entropy-coded data (where a
/// literal 0xFF is stuffed as `FF 00`), and succeeds only on reaching EOI.
/// Bytes after EOI (some phones append a video) are allowed.
pub(super) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // past SOI
    loop {
        // Expect a marker, possibly preceded by 0xFF fill bytes.
        if bytes.get(i) != Some(&0xFF) {
            return false;
        }
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(i..i + 2)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        if len < 2 {
            return false;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data runs until a marker other than a stuffed
            // zero or a restart marker.
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return false,
                }
            }
        }
    }
}
