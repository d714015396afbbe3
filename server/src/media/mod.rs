//! Photos attached to complaints: validation, re-encoding and storage.
//!
//! Every upload is decoded and re-encoded as a JPEG before it is kept, so what
//! we store and serve is an image we produced ourselves: no EXIF (citizens'
//! phones put GPS coordinates and device serials there), no polyglot files, no
//! oversize originals. Objects are content-addressed by the SHA-256 of the
//! re-encoded bytes, so storing the same photo twice is harmless and a key can
//! be served with an immutable cache header.

pub mod orphans;
mod process;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::sync::Semaphore;

/// Limits and output sizes for uploaded photos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaConfig {
    /// Largest accepted upload, in bytes.
    pub max_photo_bytes: usize,
    /// Largest accepted width × height, read from the header before decoding.
    pub max_pixels: u64,
    /// Longest edge of the stored photo; larger photos are scaled down.
    pub max_edge: u32,
    /// Longest edge of the thumbnail shown in lists and cartables.
    pub thumb_edge: u32,
    /// JPEG quality (1–100) of both the photo and its thumbnail.
    pub jpeg_quality: u8,
    /// Memory the decoders of this process may hold at once, in MiB. A
    /// decode waits until its share (estimated from the header) is free.
    pub decode_budget_mib: u32,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            // A phone camera JPEG is 2–6 MiB; 8 MiB leaves room without inviting abuse.
            max_photo_bytes: 8 * 1024 * 1024,
            // 40 MP covers current phone sensors; more is a decompression bomb.
            max_pixels: 40_000_000,
            // Enough to read a plate or a house number on a staff screen.
            max_edge: 1600,
            thumb_edge: 320,
            jpeg_quality: 80,
            // Two 40 MP RGBA decodes at once; a burst queues instead of
            // taking the node's memory.
            decode_budget_mib: 384,
        }
    }
}

/// What to record in the database for one stored photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPhoto {
    /// Key of the re-encoded photo: `<sha256 hex>.jpg`.
    pub key: String,
    /// Key of its thumbnail: `<same sha256 hex>-t.jpg`.
    pub thumb_key: String,
    /// Always `image/jpeg`: every upload is re-encoded.
    pub content_type: &'static str,
    /// Width of the stored photo (after orientation and scaling).
    pub width: u32,
    /// Height of the stored photo (after orientation and scaling).
    pub height: u32,
    /// Size of the stored photo in bytes (the thumbnail not counted).
    pub bytes: u64,
}

/// Why an uploaded photo was refused. Everything but `Internal` is the
/// uploader's doing and is shown to them (translated via [`PhotoError::reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// The upload is larger than `max_photo_bytes`.
    #[error("the photo is larger than allowed")]
    TooLarge,
    /// Not a JPEG, PNG or WebP by its magic bytes. HEIC/HEIF (iPhone's
    /// default) lands here too: there is no pure-Rust decoder for it, so the
    /// upload form asks the browser for JPEG instead.
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedFormat,
    /// The header declares more than `max_pixels`; refused before decoding.
    #[error("the photo has too many pixels")]
    TooManyPixels,
    /// The image could not be decoded: truncated or malformed.
    #[error("the photo is damaged or incomplete")]
    Corrupt,
    /// Our fault (encoding or storage failed); logged with its cause.
    #[error("internal error")]
    Internal,
}

impl PhotoError {
    /// A stable snake_case code for API responses and translations.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::UnsupportedFormat => "unsupported_format",
            Self::TooManyPixels => "too_many_pixels",
            Self::Corrupt => "corrupt",
            Self::Internal => "internal",
        }
    }
}

/// Where photos live: an object store (a local directory, or an
/// S3-compatible bucket) plus the
/// limits every upload is held to.
#[derive(Clone, Debug)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    config: Arc<MediaConfig>,
    // One decode per core: the work is CPU-bound (spawn_blocking alone
    // would allow 512 threads).
    decoders: Arc<Semaphore>,
    // MiB of decode memory; each decode takes its estimated share first.
    memory: Arc<Semaphore>,
    decoded: Arc<AtomicU64>,
    // The directory under a local store, for cleaning its staging files.
    local_root: Option<PathBuf>,
}

/// A photo decoded and re-encoded, not yet stored (see [`MediaStore::put`]).
pub struct PreparedPhoto {
    pub photo: StoredPhoto,
    full: Bytes,
    thumb: Bytes,
}

/// A stored object as the orphan sweeper sees it.
#[derive(Debug, Clone)]
pub struct ObjectInfo {
    pub key: String,
    pub last_modified: SystemTime,
}

/// The photo key (`<hash>.jpg`) a stored key belongs to: itself, or for a
/// thumbnail (`<hash>-t.jpg`) its photo's.
pub fn photo_key_of(key: &str) -> String {
    match key.strip_suffix("-t.jpg") {
        Some(hash) => format!("{hash}.jpg"),
        None => key.to_owned(),
    }
}

/// The thumbnail key of a photo key.
pub fn thumb_key_of(photo_key: &str) -> String {
    format!("{}-t.jpg", photo_key.trim_end_matches(".jpg"))
}

impl From<PhotoError> for app::error::AppError {
    fn from(e: PhotoError) -> Self {
        use app::error::Invalid;
        match e {
            PhotoError::TooLarge => Invalid::PhotoTooLarge.into(),
            PhotoError::UnsupportedFormat => Invalid::PhotoUnsupportedFormat.into(),
            PhotoError::TooManyPixels => Invalid::PhotoTooManyPixels.into(),
            PhotoError::Corrupt => Invalid::PhotoCorrupt.into(),
            PhotoError::Internal => Self::Internal,
        }
    }
}

impl MediaStore {
    /// A store rooted at `<data_dir>/photos`, created if missing.
    pub fn local(data_dir: &Path, config: MediaConfig) -> anyhow::Result<Self> {
        let root = data_dir.join("photos");
        std::fs::create_dir_all(&root)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", root.display()))?;
        // fsync: a photo is referenced from a committed complaint, so it must
        // survive a power cut as the database row does.
        // No automatic cleanup of empty shard directories: at most 256 of
        // them, and removing one can race a concurrent put into it.
        let store = LocalFileSystem::new_with_prefix(&root)?.with_fsync(true);
        let mut media = Self::new(Arc::new(store), config);
        media.local_root = Some(root);
        Ok(media)
    }

    /// A store in an S3-compatible bucket, `s3://bucket` or
    /// `s3://bucket/prefix`. The endpoint, keys and region come from the
    /// standard `AWS_*` variables (`AWS_ENDPOINT` names a store other than
    /// Amazon's, such as SeaweedFS or MinIO; `AWS_ALLOW_HTTP=true` lets it
    /// be plain HTTP on a private network). A put returns once the store
    /// has the whole object, so a complaint never commits before its photos.
    pub fn s3(url: &str, config: MediaConfig) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| anyhow::anyhow!("not an s3:// address: {url}"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            anyhow::bail!("no bucket in {url}");
        }
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| anyhow::anyhow!("the S3 store {url}: {e}"))?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(Self::new(store, config))
    }

    /// Where the configuration says: `url` (`s3://…`) when given, else the
    /// directory under `data_dir`.
    pub fn from_config(
        url: Option<&str>,
        data_dir: &Path,
        config: MediaConfig,
    ) -> anyhow::Result<Self> {
        match url {
            Some(url) => Self::s3(url, config),
            None => Self::local(data_dir, config),
        }
    }

    /// A store over any object store (S3, the local directory, memory in
    /// tests).
    pub fn new(store: Arc<dyn ObjectStore>, config: MediaConfig) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            store,
            memory: Arc::new(Semaphore::new(config.decode_budget_mib.max(1) as usize)),
            config: Arc::new(config),
            decoders: Arc::new(Semaphore::new(cores)),
            decoded: Arc::new(AtomicU64::new(0)),
            local_root: None,
        }
    }

    /// How many uploads this store has decoded since it was made.
    pub fn decoded_count(&self) -> u64 {
        self.decoded.load(Ordering::Relaxed)
    }

    /// The limits this store applies.
    pub fn config(&self) -> &MediaConfig {
        &self.config
    }

    /// Validates and re-encodes one uploaded photo, stores it and its
    /// thumbnail, and returns what to record in the database.
    pub async fn ingest(&self, bytes: Bytes) -> Result<StoredPhoto, PhotoError> {
        let prepared = self.prepare(bytes).await?;
        self.put(&prepared).await?;
        Ok(prepared.photo)
    }

    /// Validates and re-encodes one upload without storing it.
    ///
    /// Checks run cheapest first: size, magic bytes, header dimensions, and
    /// only then a decode under allocation limits, once a decoder slot and
    /// the decode's share of the memory budget are free. EXIF orientation
    /// is applied and all metadata dropped.
    pub async fn prepare(&self, bytes: Bytes) -> Result<PreparedPhoto, PhotoError> {
        let header = process::precheck(&bytes, &self.config)?;
        let mib = process::decode_estimate_mib(&header, &self.config)
            .min(self.config.decode_budget_mib.max(1));
        let internal = |what: &str, e: &dyn std::fmt::Display| {
            tracing::error!(error = %e, "{what}");
            PhotoError::Internal
        };
        let _memory = self
            .memory
            .acquire_many(mib)
            .await
            .map_err(|e| internal("photo memory semaphore closed", &e))?;
        let _slot = self
            .decoders
            .acquire()
            .await
            .map_err(|e| internal("photo decoder semaphore closed", &e))?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let config = Arc::clone(&self.config);
        let processed = tokio::task::spawn_blocking(move || process::process(&bytes, &config))
            .await
            .map_err(|e| internal("photo processing task failed", &e))??;
        let hash = process::sha256_hex(&processed.full);
        Ok(PreparedPhoto {
            photo: StoredPhoto {
                content_type: "image/jpeg",
                width: processed.width,
                height: processed.height,
                bytes: processed.full.len() as u64,
                key: format!("{hash}.jpg"),
                thumb_key: format!("{hash}-t.jpg"),
            },
            full: processed.full.into(),
            thumb: processed.thumb.into(),
        })
    }

    /// The photo's and the thumbnail's encoded bytes (for the benchmark's
    /// bare loop, which writes them itself).
    pub fn encoded(prepared: &PreparedPhoto) -> (&[u8], &[u8]) {
        (&prepared.full, &prepared.thumb)
    }

    /// Stores a prepared photo and its thumbnail (thumbnail first: once the
    /// full photo exists the pair is complete). Storing the same content
    /// again is harmless and refreshes its modification time.
    pub async fn put(&self, prepared: &PreparedPhoto) -> Result<(), PhotoError> {
        let photo = &prepared.photo;
        for (key, data) in [
            (&photo.thumb_key, &prepared.thumb),
            (&photo.key, &prepared.full),
        ] {
            let path = object_path(key).ok_or(PhotoError::Internal)?;
            self.store
                .put(&path, PutPayload::from(data.clone()))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, key = %key, "storing photo failed");
                    PhotoError::Internal
                })?;
        }
        tracing::debug!(key = %photo.key, width = photo.width, height = photo.height, bytes = photo.bytes, "photo stored");
        Ok(())
    }

    /// Every stored object with its modification time (for the sweeper).
    pub async fn list(&self) -> anyhow::Result<Vec<ObjectInfo>> {
        use futures_util::TryStreamExt;
        let objects: Vec<_> = self.store.list(None).try_collect().await?;
        Ok(objects
            .into_iter()
            .filter_map(|meta| {
                let key = meta.location.filename()?.to_owned();
                is_valid_key(&key).then(|| ObjectInfo {
                    key,
                    last_modified: meta.last_modified.into(),
                })
            })
            .collect())
    }

    /// Removes staging files (`<key>#<n>`) that a writer killed mid-upload
    /// left in a local store, when they are older than `older_than`. Returns
    /// how many went. Other stores keep no staging files.
    pub fn sweep_staging(&self, older_than: SystemTime) -> usize {
        let Some(root) = &self.local_root else {
            return 0;
        };
        let mut removed = 0;
        let shards = std::fs::read_dir(root).into_iter().flatten().flatten();
        for entry in shards.flat_map(|shard| {
            std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
        }) {
            let name = entry.file_name();
            let staging = name.to_str().is_some_and(|n| n.contains('#'));
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < older_than);
            if staging && old {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(e) => {
                        tracing::warn!(error = %e, file = ?entry.path(), "removing a staging file")
                    }
                }
            }
        }
        removed
    }

    /// Reads a stored object for serving. `None` if it is absent or `key` is
    /// not one of ours (anything but `<64 hex>.jpg` or `<64 hex>-t.jpg`), so
    /// a crafted key can never reach outside the photo directory.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let Some(path) = object_path(key) else {
            return Ok(None);
        };
        match self.store.get(&path).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a stored object; absent objects and foreign keys are a no-op.
    ///
    /// Keys are content-addressed, so two complaints can share one photo and
    /// a concurrent filing may be storing this very key: only the orphan
    /// sweeper deletes, under its claim lock (see `jobs::sweep_media`).
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let Some(path) = object_path(key) else {
            return Ok(());
        };
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Whether `key` has the exact shape of a key [`MediaStore::ingest`] returns.
pub fn is_valid_key(key: &str) -> bool {
    let hash = key
        .strip_suffix("-t.jpg")
        .or_else(|| key.strip_suffix(".jpg"));
    hash.is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// The object path for a valid key, sharded by the first two hex digits so
/// no directory grows past a few thousand files.
fn object_path(key: &str) -> Option<ObjectPath> {
    is_valid_key(key).then(|| ObjectPath::from(format!("{}/{key}", &key[..2])))
}
