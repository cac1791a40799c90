//! Rung after a commit that queued messages, so every channel's sender looks at once rather
//! than at its next poll. A counter on a watch channel: each sender sees a ring made while
//! it was busy, and one ring reaches them all.

use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Bell(std::sync::Arc<watch::Sender<u64>>);

impl Default for Bell {
    fn default() -> Self {
        Bell(std::sync::Arc::new(watch::channel(0).0))
    }
}

impl Bell {
    pub fn ring(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A listener that has heard every ring so far.
    pub fn listen(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
