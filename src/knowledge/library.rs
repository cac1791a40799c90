//! The knowledge in use, replaceable while Sigap runs: SIGHUP re-reads the files.
//!
//! Each message takes the current `Arc<Knowledge>` once, so a reload never changes the
//! knowledge under a message half way through.

use super::{Agency, Knowledge, KnowledgeError};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

#[derive(Clone)]
pub struct Library {
    current: Arc<RwLock<Arc<Knowledge>>>,
    dir: Option<PathBuf>,
    agency: Arc<Agency>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("knowledge", &self.current())
            .field("dir", &self.dir)
            .finish()
    }
}

impl Library {
    /// Loads the knowledge from `dir` (built in when `None`).
    pub fn load(dir: Option<PathBuf>, agency: Agency) -> Result<Library, KnowledgeError> {
        let k = Knowledge::load(dir.as_deref(), &agency)?;
        for e in &k.article_errors {
            tracing::warn!(error = %e, "article set aside");
        }
        Ok(Library {
            current: Arc::new(RwLock::new(Arc::new(k))),
            dir,
            agency: Arc::new(agency),
        })
    }

    /// Knowledge that never reloads (tests, benchmarks).
    pub fn fixed(k: Arc<Knowledge>) -> Library {
        Library {
            current: Arc::new(RwLock::new(k)),
            dir: None,
            agency: Arc::new(Agency::default()),
        }
    }

    pub fn current(&self) -> Arc<Knowledge> {
        // A poisoned lock still holds a complete Arc: a panic elsewhere cannot leave it half-set.
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Re-reads the files. On error the knowledge in use stays; broken articles are set
    /// aside and the others are used.
    pub fn reload(&self) -> Result<Arc<Knowledge>, KnowledgeError> {
        let k = Arc::new(Knowledge::load(self.dir.as_deref(), &self.agency)?);
        for e in &k.article_errors {
            tracing::warn!(error = %e, "article set aside");
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = k.clone();
        tracing::info!(
            articles = k.articles.len(),
            set_aside = k.article_errors.len(),
            "knowledge reloaded"
        );
        Ok(k)
    }

    /// Starts listening for SIGHUP now; the returned future reloads on each one until
    /// `shutdown` completes. (Listening starts before the future runs, so a signal sent
    /// right after this returns is not lost, nor does it kill the process.)
    pub fn on_hangup(
        self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<impl std::future::Future<Output = ()>> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup())?;
        Ok(async move {
            tokio::pin!(shutdown);
            loop {
                tokio::select! {
                    _ = &mut shutdown => return,
                    got = hangups.recv() => {
                        if got.is_none() {
                            return;
                        }
                        let this = self.clone();
                        match tokio::task::spawn_blocking(move || this.reload()).await {
                            Ok(Ok(_)) => {}
                            Ok(Err(e)) => tracing::error!(error = %e, "reload failed; the knowledge in use stays"),
                            Err(e) => tracing::error!(error = %e, "reload task failed"),
                        }
                    }
                }
            }
        })
    }
}
