//! Background work over the database: the outbox sender and the SLA clock.

pub mod bell;
mod digest;
pub mod limits;
pub mod sender;
pub mod sla;
