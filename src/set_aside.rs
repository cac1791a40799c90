//! A delivery no retry will store (data PostgreSQL refuses, a bug in handling it) must not
//! hold back the ones behind it: it is set aside with its raw bytes and the reason, counted,
//! and the person who sent it is told, politely, to try again in other words. The channel
//! then acknowledges it to the platform and moves on.

use crate::domain::{Outbound, storable};
use crate::i18n::Msg;
use crate::ingest::{Env, IngestError};
use crate::store::outbox::{self, Queued};
use crate::store::set_aside::{self, Aside};
use sqlx::PgPool;

/// How much of an error's text is kept as the reason.
const REASON_MAX: usize = 2000;

/// Sets `a` aside and queues the apology, in one transaction; `false` when it was set aside
/// before (the platform sent it again), and then nothing is said twice.
pub async fn set_aside(pool: &PgPool, env: &Env, a: &Aside<'_>) -> Result<bool, IngestError> {
    let reason = crate::channels::text::clip(&storable::text(a.reason), REASON_MAX);
    let a = Aside { reason: &reason, ..*a };
    let mut tx = pool.begin().await?;
    let fresh = set_aside::record(&mut tx, &a).await?;
    if let (true, Some(chat)) = (fresh, a.chat_id) {
        // The sender's own language may be what could not be read: the agency's it is.
        let k = env.knowledge.current();
        let r = env
            .locales
            .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
        let reply = Queued::send(Outbound::text(r.render(&Msg::new("set-aside-reply"))), None);
        outbox::push_all(&mut tx, a.channel, chat, None, &[reply]).await?;
    }
    tx.commit().await?;
    if fresh {
        env.metrics.set_aside(a.channel);
        env.outbox_ready.ring();
        // Not the delivery's id: a WhatsApp id carries the sender's number.
        tracing::error!(
            channel = a.channel,
            reason = %a.reason,
            "delivery set aside: it cannot be stored; the next ones go on"
        );
    }
    Ok(fresh)
}
